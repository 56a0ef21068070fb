"""CLI commands for research features: indicators, kwic, timeline, view."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from .cli_base import app, guarded
from .errors import E403, E404, CorpusError


PATH_HELP = "corpus folder (default: the shipped corpus)"


def _emit(text: str, out: Optional[Path]) -> None:
    if out is None:
        typer.echo(text, nl=False)
    else:
        from .xmlutil import atomic_write

        try:
            atomic_write(out, text)
        except OSError as e:
            raise CorpusError(E404, f"cannot write {out}: {e.strerror}", path=str(out)) from None
        typer.echo(f"wrote {out}", err=True)


@app.command()
@guarded
def indicators(ids: List[str] = typer.Argument(None, help="document ids (default: all)"),
               fmt: str = typer.Option("jsonl", "--format", help="jsonl or csv"),
               out: Optional[Path] = typer.Option(None, "--out", help="write to this file instead of stdout"),
               path: Optional[Path] = typer.Option(None, help=PATH_HELP)) -> None:
    """Headline indicators and targets (value, unit, qualifier, direction, year, status) of each report."""
    import csv
    import io
    import json

    from . import load
    from .indicators import FIELDS, extract_corpus

    if fmt not in ("jsonl", "csv"):
        raise CorpusError(E404, f"unknown format {fmt!r}", hint="--format jsonl or --format csv")
    records = extract_corpus(load(path), ids or None)
    if fmt == "jsonl":
        text = "".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in records)
    else:
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(FIELDS), lineterminator="\n")
        w.writeheader()
        for r in records:
            w.writerow({k: ("" if v is None else v) for k, v in r.to_dict().items()})
        text = buf.getvalue()
    _emit(text, out)


@app.command()
@guarded
def kwic(query: str = typer.Argument(..., help="the string to find; with --ref, a record id, canonical name or alias"),
         window: int = typer.Option(20, "--window", "-w", help="characters of context on each side"),
         ref: bool = typer.Option(False, "--ref", help="QUERY is an authority record (id, canonical name or alias): "
                                  "list its annotated mentions, whatever their surface form"),
         literal: bool = typer.Option(False, "--literal", help="QUERY is a plain string (the default; kept for old scripts)"),
         label: Optional[str] = typer.Option(None, help="keep only matches inside entities of this label"),
         fmt: str = typer.Option("text", "--format", help="text, tsv or jsonl"),
         path: Optional[Path] = typer.Option(None, help=PATH_HELP)) -> None:
    """Concordance: every occurrence of a string, or (--ref) every mention of one authority record.

    Without --ref, QUERY is always a string: every occurrence in the texts, annotated or not, overlapping ones included, each with the mention it falls inside.

    With --ref, QUERY is a record id, canonical name or alias; a name of several records is an error listing their ids.

    A summary line on stderr states the mode, what was matched and the count.
    """
    from . import load
    from .kwic import format_kwic
    from .kwic import kwic as run_kwic

    if ref and literal:
        raise CorpusError(E404, "--ref and --literal exclude each other")
    if fmt not in ("text", "tsv", "jsonl"):
        raise CorpusError(E404, f"unknown format {fmt!r}", hint="--format text, tsv or jsonl")
    df = run_kwic(load(path), query, window=window, by="record" if ref else "string", label=label)
    if fmt == "tsv":
        typer.echo(df.to_csv(sep="\t", index=False, lineterminator="\n"), nl=False)
    elif fmt == "jsonl":
        text = df.to_json(orient="records", lines=True, force_ascii=False) if len(df) else ""
        typer.echo(text if text.endswith("\n") or not text else text + "\n", nl=False)
    elif len(df):
        typer.echo(format_kwic(df))
    typer.echo(df.attrs["summary"], err=True)


@app.command()
@guarded
def timeline(out: Path = typer.Option(..., "--out", help="image file: .png or .svg"),
             label: Optional[str] = typer.Option(None, help="only records of this label, e.g. PROGRAMME"),
             top: int = typer.Option(40, help="at most this many records, in the plot and in --table"),
             min_docs: int = typer.Option(2, "--min-docs", help="records mentioned in at least this many reports"),
             font: Optional[Path] = typer.Option(None, help="a CJK font file, to label records by name"),
             table: Optional[Path] = typer.Option(None, help="also write the plotted rows (the mention table) as TSV"),
             path: Optional[Path] = typer.Option(None, help=PATH_HELP)) -> None:
    """Plot which records come back across reports (mentions by report and planned year)."""
    from . import load
    from .output import write_files
    from .timeline import image_format, timeline_image, timeline_rows

    fmt = image_format(out)
    corpus = load(path)
    payload = [(out, timeline_image(corpus, fmt, label=label, top=top, min_docs=min_docs, font=font))]
    if table is not None:
        # the rows the image plots (timeline_image selects with timeline_rows too), --top included:
        # the table is the data behind the plot
        df = timeline_rows(corpus, label=label, top=top, min_docs=min_docs)
        flat = df.copy()
        flat.columns = [f"{y}:{d}" for y, d in df.columns]
        payload.append((table, flat.reset_index().to_csv(sep="\t", index=False, lineterminator="\n")))
    # both outputs or neither: an unwritable --table must not leave the image behind
    for p in write_files(payload, code=E403):
        typer.echo(f"wrote {p}")


@app.command()
@guarded
def view(doc_id: str = typer.Argument(..., help="document id, e.g. shenyang-2024"),
         out: Path = typer.Option(..., "--out", help="HTML file to write"),
         path: Optional[Path] = typer.Option(None, help=PATH_HELP)) -> None:
    """Write an HTML reading view of one report: structure, highlighted entities, records, indicators."""
    from . import load
    from .view import write_html

    write_html(load(path), doc_id, out)
    typer.echo(f"wrote {out}")
