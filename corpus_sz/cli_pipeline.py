"""CLI commands for the spaCy pipeline: train, tag, evaluate."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

from .cli_base import app, guarded  # noqa: F401


def _progress(msg: str) -> None:
    typer.echo(msg, err=True)


@app.command()
@guarded
def train(out: Optional[Path] = typer.Option(None, "--out", help="model folder (default: the one shipped in the package)"),
          path: Optional[Path] = typer.Option(None, help="corpus folder (default: the shipped corpus)"),
          config: Optional[Path] = typer.Option(None, help="training config (default: corpus_sz/pipeline/config.cfg)"),
          epochs: Optional[int] = typer.Option(None, help="tagger epochs (default: from the config)"),
          if_changed: bool = typer.Option(False, "--if-changed", help="do nothing when the model is current")) -> None:
    """Train the spaCy pipeline (segmenter, tagger, gazetteer, linker) on the gold annotations."""
    from .pipeline import pipeline_is_current
    from .pipeline.training import train as run_train

    if if_changed and pipeline_is_current(out, path, config):
        typer.echo(f"pipeline is current: {out or 'shipped model'}")
        return
    folder = run_train(out, path, config, progress=_progress, epochs=epochs)
    typer.echo(f"wrote {folder}")


def _tei_targets(files: List[Path], out: Path) -> List[Path]:
    """The TEI file of each input in ``out``: named after the input (``tiexi_2024.txt`` -> ``tiexi_2024.xml``).

    The reviewer finds the file by the name they gave; the document's xml:id keeps the corpus's
    ``letters-year`` form. Raises CorpusError (E512) when two inputs would write one file (the
    second would silently replace the first) or a TEI file would replace an input.
    """
    import os

    from .errors import E512, CorpusError

    seen: dict[Path, Path] = {}
    inputs = {os.path.realpath(f): f for f in files}
    out_list = []
    for f in files:
        target = Path(out) / f"{Path(f).stem}.xml"
        if target in seen:
            raise CorpusError(E512, f"{seen[target]} and {f} would both be written to {target}", path=str(f),
                              hint="rename one of the input files, or tag them in separate runs with different --out")
        replaced = inputs.get(os.path.realpath(target))
        if replaced is not None:
            raise CorpusError(E512, f"the TEI file {target} would replace the input {replaced}", path=str(f),
                              hint="choose another --out folder")
        seen[target] = f
        out_list.append(target)
    return out_list


@app.command()
@guarded
def tag(files: List[Path] = typer.Argument(..., help="UTF-8 text files"),
        fmt: str = typer.Option("jsonl", "--format", help="jsonl (one entity per line) or tei"),
        out: Optional[Path] = typer.Option(None, "--out", help="folder for TEI files, one per input, named after it "
                                                              "(report.txt -> report.xml; default: stdout for a single "
                                                              "file)"),
        model: Optional[Path] = typer.Option(None, "--model", help="pipeline folder (default: the shipped one)"),
        batch_size: int = typer.Option(64, help="pieces of text per nlp.pipe batch")) -> None:
    """Tag raw report text: entities with code-point offsets (jsonl) or a TEI file for review."""
    from .errors import E003, CorpusError
    from .seeds import read_text

    if fmt not in ("jsonl", "tei"):
        raise CorpusError(E003, f"unknown format {fmt!r}", hint="use --format jsonl or --format tei")
    if fmt == "tei" and out is None and len(files) > 1:
        raise CorpusError(E003, "several files in TEI format need --out FOLDER")
    targets: list[Path] = []
    if fmt == "tei" and out is not None:
        from .output import check_out_dir

        check_out_dir(out)  # refused before the model is loaded and the files are tagged
        targets = _tei_targets(files, out)
    texts = []
    for f in files:  # every file is checked before any work is done
        texts.append(read_text(f))
    if not any(t.strip() for t in texts):
        return  # nothing to tag: no need to load the model
    from .output import write_files
    from .pipeline import load_pipeline
    from .pipeline.tagging import tag_stream, tei_bytes

    nlp = load_pipeline(model)
    payload: list[tuple[Path, bytes, int]] = []
    for i, (f, text) in enumerate(zip(files, texts)):
        if fmt == "jsonl":
            if not text.strip():
                continue
            for t in tag_stream(nlp, text, batch_size=batch_size):
                sys.stdout.write(json.dumps({"file": str(f), "start": t.start, "end": t.end, "label": t.label,
                                             "text": t.text, "ref": t.ref}, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        else:
            ents = list(tag_stream(nlp, text, batch_size=batch_size)) if text.strip() else []
            if not text.strip():
                continue
            data = tei_bytes(f, text, ents)
            if out is None:
                sys.stdout.buffer.write(data)
                sys.stdout.flush()
            else:
                payload.append((targets[i], data, len(ents)))
    # the TEI files are written together at the end: all of them or, if one cannot be written, none
    write_files([(target, data) for target, data, _ in payload])
    for target, _, n in payload:
        typer.echo(f"wrote {target} ({n} entities)", err=True)


@app.command()
@guarded
def evaluate(path: Optional[Path] = typer.Option(None, help="corpus folder (default: the shipped corpus)"),
             config: Optional[Path] = typer.Option(None, help="training config (default: the shipped one)"),
             epochs: Optional[int] = typer.Option(None, help="tagger epochs (default: from the config)"),
             out: Optional[Path] = typer.Option(None, "--out", help="markdown report (default: docs/evaluation.md)"),
             bench: bool = typer.Option(True, help="measure speed with the shipped pipeline"),
             bench_only: bool = typer.Option(False, "--bench-only",
                                             help="only measure speed again and rewrite the report")) -> None:
    """Cross-validate by document (train on the others, test on each) and write docs/evaluation.md."""
    from .pipeline.evaluate import REPORT_MD, refresh_benchmark, run_evaluation

    if bench_only:
        b = refresh_benchmark(path, out, progress=_progress)["benchmark"]
        typer.echo(f"pipeline {b['pipeline_cps']:,} chars/s, jieba {b['jieba_cps']:,} chars/s "
                   f"({100 * b['ratio']:.1f}%); wrote {out or REPORT_MD}")
        return

    res = run_evaluation(path, config, epochs, out, progress=_progress, bench=bench)
    s, b = res["summary"]["strict"], res["summary"]["baseline_strict"]
    typer.echo(f"system ({res['system']}): strict micro P {s['p']:.3f} R {s['r']:.3f} F1 {s['f']:.3f}; "
               f"baseline strict F1 {b['f']:.3f}")
    typer.echo(f"wrote {out or REPORT_MD}")
