"""The main job: everything the corpus releases, written into one folder.

``OUT/tei/``      the TEI edition: root, authority file and the reports it includes
``OUT/text/``     the clean text of each report (UTF-8, the offsets' reference)
``OUT/jsonl/``    documents, paragraphs and entities as JSON Lines
``OUT/hf/``       the Hugging Face dataset folder (parquet + card)

and reports whether the shipped spaCy pipeline was trained on these annotations.
"""

from __future__ import annotations

import json
from pathlib import Path

from rich.progress import Progress

from .corpus import ROOT_FILE, corpus_files, load
from .validate import MACHINE_RESP
from .xmlutil import atomic_write


# the folders a build owns in OUT: each is replaced as a whole by the next build
OUTPUT_DIRS = ("tei", "text", "jsonl", "hf")


def _jsonl(rows) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)


def build(out: Path, path: Path | None = None) -> list[str]:
    """Build the release into ``out``; return the summary lines.

    The folders ``tei``, ``text``, ``jsonl`` and ``hf`` are built in a staging folder and swap
    in whole at the end: files of an earlier build (a report since removed) do not survive, a
    failure leaves ``out`` as it was, and other files in ``out`` are never touched.
    """
    from .hf import check_records, write_hf
    from .output import check_out_dir, replacing_dirs

    out = check_out_dir(out)  # a file given as --out is refused before the corpus is even read
    corpus = load(path)
    check_records(corpus)  # before any work: mentions without their records are not released
    steps = ["tei", "text", "jsonl", "hf", "pipeline"]
    summary: list[str] = []
    with Progress(transient=True) as progress, replacing_dirs(out, OUTPUT_DIRS) as stage:
        task = progress.add_task("building", total=len(steps))
        # TEI edition: the files the corpus is made of, as they are; a draft or a backup lying in the
        # corpus folder that corpus.xml does not include is not part of the release
        tei_dir = stage / "tei"
        tei_dir.mkdir()
        authority, reports = corpus_files(Path(corpus.folder))
        edition = [Path(corpus.folder) / ROOT_FILE, authority, *reports]
        for f in edition:
            atomic_write(tei_dir / f.name, f.read_bytes())
        summary.append(f"tei:   {len(edition)} files in {out / 'tei'}")
        progress.advance(task)
        (stage / "text").mkdir()
        for d in corpus:
            atomic_write(stage / "text" / f"{d.id}.txt", d.text)
        summary.append(f"text:  {len(corpus)} files in {out / 'text'}")
        progress.advance(task)
        (stage / "jsonl").mkdir()
        docs, paras, ents = corpus.to_pandas()
        for name, df in (("documents", docs), ("paragraphs", paras), ("entities", ents)):
            rows = json.loads(df.to_json(orient="records", force_ascii=False))
            atomic_write(stage / "jsonl" / f"{name}.jsonl", _jsonl(rows))
        summary.append(f"jsonl: {len(docs)} documents, {len(paras)} paragraphs, {len(ents)} entities")
        progress.advance(task)
        counts = write_hf(corpus, stage / "hf")
        summary.append("hf:    " + ", ".join(f"{c} " + "/".join(f"{s}={n}" for s, n in sp.items())
                                        for c, sp in counts.items()))
        progress.advance(task)
        # the trained pipeline ships in the package; say whether it matches this corpus
        from .pipeline import MODEL_DIR, pipeline_is_current

        if path is None and pipeline_is_current():
            summary.append(f"model: {MODEL_DIR.name} is current with the gold annotations")
        else:
            summary.append(f"model: {MODEL_DIR.name} was trained on other annotations; run `corpus-sz train`")
        progress.advance(task)
    summary.insert(0, f"corpus_sz {corpus.version}: built {len(corpus)} documents into {out}")
    # build releases what the files hold, as it always has for machine annotations; a report added with
    # --preannotate and not reviewed yet would otherwise go out unnoticed (validate fails on it: E211)
    machine = [e for d in corpus for e in d.entities if e.resp == MACHINE_RESP]
    if machine:
        unlinked = sum(e.ref is None for e in machine)
        summary.append(f"note:  {len(machine)} mentions are unreviewed machine suggestions ({unlinked} without an "
                       "authority record, ref null); `corpus-sz validate` lists them (E211)")
    return summary
