"""CLI commands for contribution: import, export, diff, new-report."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from .cli_base import app, guarded

FORMAT_HELP = "labelstudio, doccano, brat or docbin"


@app.command()
@guarded
def export(fmt: str = typer.Option(..., "--format", help=FORMAT_HELP),
           out: Path = typer.Option(..., "--out", help="output folder"),
           ids: Optional[List[str]] = typer.Argument(None, help="document ids (default: all)"),
           path: Optional[Path] = typer.Option(None, help="corpus folder (default: the shipped corpus)")) -> None:
    """Write documents and their annotations for an annotation tool."""
    from .formats.merge import export_docs

    written = export_docs(fmt, out, list(ids or []), path)
    typer.echo(f"wrote {len(written)} files to {out}")


@app.command("import")
@guarded
def import_(file: Path = typer.Argument(..., help="a tool export (file, or a folder of exported files)"),
            fmt: Optional[str] = typer.Option(None, "--format", help=FORMAT_HELP + " (default: from the file name)"),
            doc: Optional[str] = typer.Option(None, "--doc", help="the document the file is for"),
            replace: bool = typer.Option(False, "--replace",
                                         help="make the tool's mentions the document's mentions (removals too)"),
            reviewed: bool = typer.Option(False, "--reviewed",
                                          help="the file is a review: machine annotations it keeps are confirmed"),
            link: bool = typer.Option(True, "--link/--no-link",
                                      help="give mentions without a ref the record whose name they are"),
            add_records: bool = typer.Option(False, "--add-records",
                                             help="create authority records for mentions that have none, and for refs "
                                                  "not in authority.xml (refused otherwise)"),
            strict: bool = typer.Option(False, "--strict",
                                        help="also refuse the import on any conflict or mention left without a "
                                             "record (otherwise reported, not imported)"),
            dry_run: bool = typer.Option(False, "--dry-run", help="report only; write nothing"),
            path: Optional[Path] = typer.Option(None, help="corpus folder (default: the shipped corpus)")) -> None:
    """Merge annotations from a tool into the TEI files (the text is never changed)."""
    from .errors import CorpusError
    from .formats.merge import import_paths

    try:
        results = import_paths(file, fmt, doc_id=doc, folder=path, replace=replace, link=link,
                               reviewed=reviewed, dry_run=dry_run, strict=strict, add_records=add_records)
    except CorpusError as e:
        for p in getattr(e, "problems", [])[1:]:
            typer.echo(f"  also: {p}", err=True)
        raise
    for r in results:
        for line in r.lines():
            typer.echo(line)
    if results.records is not None:
        for line in results.records.lines():
            typer.echo(f"authority: {line}")
    changed = [r for r in results if r.changed]
    if dry_run:
        typer.echo(f"dry run: {len(changed)} documents would change; nothing written")
    else:
        typer.echo(f"wrote {len(changed)} documents" + (": " + ", ".join(r.doc_id for r in changed) if changed else ""))
    if any(r.conflicts or r.unlinked for r in results):
        typer.echo("some mentions were not imported (see conflict / no ref above)", err=True)


@app.command()
@guarded
def diff(old: str = typer.Argument(..., help="TEI file, folder, or git revision (REV or REV:path)"),
         new: Optional[str] = typer.Argument(None, help="the same kinds (default: the corpus folder)"),
         repo: Optional[Path] = typer.Option(None, help="git repository for revisions (default: here)"),
         exit_code: bool = typer.Option(False, "--exit-code", help="exit 1 when there are changes")) -> None:
    """Added, removed, relabelled and relinked mentions, and text changes, for review."""
    from .diff import diff_specs, render

    d = diff_specs(old, new, repo)
    typer.echo(render(d), nl=False)
    if exit_code and not d.empty:
        raise typer.Exit(1)


@app.command("new-report")
@guarded
def new_report(seed: Path = typer.Argument(..., help="the report as a UTF-8 text file"),
               doc_id: str = typer.Option(..., "--id", help="document id, e.g. tiexi-2024"),
               meta: Path = typer.Option(..., "--meta", help="metadata record (JSON, schemas/metadata.schema.json)"),
               preannotate: bool = typer.Option(False, "--preannotate",
                                                help="add machine annotations from the trained tagger"),
               origin: Optional[str] = typer.Option(None, help="where the text comes from (manifest origin)")) -> None:
    """Add a report: seed, manifest, metadata, clean TEI file, root corpus file."""
    from .newreport import new_report as run

    res = run(seed, doc_id, meta, preannotate_=preannotate, origin=origin)
    for p in res.written:
        typer.echo(f"wrote {p}")
    typer.echo(f"{res.doc_id}: {res.characters} characters, {res.paragraphs} paragraphs, {res.headings} headed "
               f"divisions, {res.machine} machine mentions")
    for n in res.notes:
        typer.echo(n)
    typer.echo(f"next: check the structure (corpus-sz show {res.doc_id}), annotate "
               f"(corpus-sz export --format labelstudio --out ls {res.doc_id}), then corpus-sz validate")
