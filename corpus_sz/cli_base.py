"""Shared pieces of the command line: the Typer app and the error guard."""

from __future__ import annotations

import functools
import os

import typer

from .errors import CorpusError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="corpus_sz: an annotated corpus of Chinese local-government work reports.")


def guarded(fn):
    """Turn a CorpusError (or a stray OSError) into one line on stderr and exit code 2 (never a traceback)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except CorpusError as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(2)
        except OSError as e:
            # a last resort: a file-system failure no command foresaw is still one line, not a traceback
            from .errors import E510

            where = os.fsdecode(e.filename) if e.filename else None
            err = CorpusError(E510, f"file system error: {e.strerror or e}", path=where,
                              hint="check that the path exists, is a file or folder as expected, and is writable")
            typer.echo(f"error: {err}", err=True)
            raise typer.Exit(2)
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130)

    return wrapper
