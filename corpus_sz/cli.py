"""The ``corpus-sz`` command line: a thin layer over the package API.

Every command turns a :class:`~corpus_sz.errors.CorpusError` into one line on
stderr and a non-zero exit; no traceback reaches the user for bad input.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer


from .cli_base import app, guarded


@app.command()
@guarded
def info(path: Optional[Path] = typer.Option(None, help="corpus folder (default: the shipped corpus)")) -> None:
    """Version, documents and counts."""
    from . import load

    corpus = load(path)
    typer.echo(f"corpus_sz {corpus.version}: {len(corpus)} documents, {len(corpus.authority)} authority records")
    for d in corpus:
        md = d.metadata
        typer.echo(f"  {d.id:15} {md.get('level', ''):8} {md.get('kind', ''):8} {len(d.text):6} chars "
                   f"{len(d.paragraphs):4} paragraphs {len(d.entities):4} entities  {md.get('title') or ''}")


class ReportFormat(str, Enum):
    """How ``validate`` prints its errors (an unknown value is a usage error, not plain text)."""

    text = "text"
    github = "github"


@app.command()
@guarded
def validate(paths: List[Path] = typer.Argument(None, help="TEI files or folders (default: ./annotations)"),
             fmt: ReportFormat = typer.Option(ReportFormat.text, "--format",
                                              help="text, or github (workflow annotations)")) -> None:
    """Check TEI files against the project schemas and the corpus rules."""
    from .validate import validate_paths

    report = validate_paths(paths or [Path("annotations")])
    for e in report.errors:
        if fmt is ReportFormat.github:  # shown as annotations on the changed lines of a pull request
            msg = f"[{e.code}] {e.message}" + (f" (hint: {e.hint})" if e.hint else "")
            typer.echo(f"::error file={e.path or ''},line={e.line or 1},col={e.col or 1}::{msg}")
        typer.echo(str(e), err=True)
    if report.ok:
        typer.echo(f"ok: {report.files} files valid")
    else:
        typer.echo(f"{len(report.errors)} errors in {report.files} files", err=True)
        raise typer.Exit(1)


@app.command()
@guarded
def encode(path: Path = typer.Option(Path("annotations"), help="corpus folder to regenerate")) -> None:
    """Regenerate the TEI files from the seeds, keeping every annotation."""
    from .encode import reencode

    for p in reencode(path):
        typer.echo(f"wrote {p}")


@app.command()
@guarded
def build(out: Path = typer.Option(..., "--out", help="output folder"),
          path: Optional[Path] = typer.Option(None, help="corpus folder (default: the shipped corpus)")) -> None:
    """The main job: write everything the corpus releases into OUT."""
    from .build import build as run_build

    summary = run_build(out, path)
    for line in summary:
        typer.echo(line)


@app.command()
@guarded
def stats(path: Optional[Path] = typer.Option(None, help="corpus folder (default: the shipped corpus)"),
          top: int = typer.Option(10, min=0, help="how many top records to list (records tied at the cut are all listed)")) -> None:
    """Mentions per label per document, distinct records and top records."""
    from . import load
    from .stats import stats_markdown

    typer.echo(stats_markdown(load(path), top=top))


@app.command()
@guarded
def show(doc_id: str = typer.Argument(..., help="document id, e.g. shenyang-2024"),
         path: Optional[Path] = typer.Option(None, help="corpus folder (default: the shipped corpus)")) -> None:
    """Print one report's metadata and clean text."""
    import json

    from . import load

    doc = load(path)[doc_id]
    typer.echo(json.dumps(doc.metadata, ensure_ascii=False, indent=2))
    typer.echo(doc.text)


@app.command()
@guarded
def publish(repo_id: str = typer.Option(..., "--repo-id", help="ORG/NAME of the dataset repo"),
            folder: Path = typer.Option(Path("build/hf"), help="the built hf/ folder"),
            private: bool = typer.Option(False, help="create the repo as private")) -> None:
    """Upload the built dataset folder to the Hub and tag it v{version}."""
    from .publish import publish as run_publish

    tag = run_publish(folder, repo_id, private=private)
    typer.echo(f"published {folder} to {repo_id} at {tag}")


# Commands of later stages live in their own modules and register on the same app.
from . import cli_contrib, cli_pipeline, cli_research  # noqa: E402,F401


def main() -> None:  # console script entry point
    app()


if __name__ == "__main__":
    sys.exit(main())
