"""Add a report to the corpus: ``corpus-sz new-report SEED --id ID --meta FILE``.

1. The seed is read (UTF-8, no byte-order mark, not empty) and copied byte for
   byte into ``seeds/`` as ``NNN_<sha16>.txt`` (the next number, the first 16
   hex digits of its SHA-256), with a manifest entry (sha256, bytes, origin,
   ``"recipe": "generic"``).
2. The metadata record is checked against ``schemas/metadata.schema.json``
   (``id`` and ``seed`` are filled in when left out) and written to
   ``seeds/metadata/ID.json``.
3. The seed is cleaned and structured by the generic recipe
   (:func:`corpus_sz.clean.recipes.recipe_generic`), written as
   ``annotations/ID.xml`` and added to the root ``corpus.xml``.
4. With ``preannotate``, machine annotations from :mod:`corpus_sz.pipeline`
   (when it is installed and trained) are added with
   ``resp="#corpus_sz_tagger"`` and ``cert``; ``corpus-sz validate`` reports
   them (E211) until a person has reviewed them. A suggestion without a record
   (a new name, or a ref the authority file does not have) is kept without
   ``ref``, as ``corpus-sz tag --format tei`` writes it.

Everything is computed and checked before the first file is written.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import E505, CorpusError
from .model import Document, Entity

MACHINE_RESP = "#corpus_sz_tagger"


@dataclass
class NewReport:
    doc_id: str
    seed_file: str
    written: list[Path] = field(default_factory=list)
    paragraphs: int = 0
    characters: int = 0
    headings: int = 0
    machine: int = 0
    notes: list[str] = field(default_factory=list)


def _fail(msg: str, path=None, hint=None, line=None) -> CorpusError:
    return CorpusError(E505, msg, path=str(path) if path else None, hint=hint, line=line)


def check_metadata(meta: dict, path: Path | str, schema_path: Path) -> None:
    """Raise one CorpusError naming every way ``meta`` breaks the metadata schema."""
    import jsonschema

    schema = json.loads(Path(schema_path).read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(meta), key=lambda e: (list(e.absolute_path), e.message))
    if not errors:
        return
    msgs = []
    for e in errors:
        where = "/".join(str(p) for p in e.absolute_path)
        msgs.append(f"{where}: {e.message}" if where else e.message)
    raise _fail(f"metadata does not match schemas/metadata.schema.json: {'; '.join(msgs)}", path,
                hint="see seeds/metadata/*.json for complete records; null values are explained in notes")


def _next_number(records) -> int:
    nums = [int(m.group(1)) for r in records if (m := re.match(r"^(\d{3})_", r.file))]
    return max(nums, default=-1) + 1


def preannotate(doc: Document, authority) -> tuple[list[Entity], str]:
    """Machine annotations for ``doc`` from the trained pipeline, if there is one."""
    try:
        from . import pipeline  # built separately; may be absent
    except ImportError as e:
        return [], f"no pre-annotation: the tagger is not available ({e})"
    try:
        if hasattr(pipeline, "tag_document"):  # a pipeline that tags a Document itself
            raw = list(pipeline.tag_document(doc))
        else:
            nlp = pipeline.load_pipeline()
            try:
                from .pipeline.tagging import predict_document
            except ImportError:
                predict_document = None
            if predict_document is not None:  # the tagger's own chunking; cert high/medium/low
                # a ref the authority file lacks is dropped here, where the cert can be derived
                # again for an unlinked span (high means "confident and linked")
                raw = [(t if _known_ref(t.ref, t.label, authority) else replace(t, ref=None, link=None)).to_entity()
                       for t in predict_document(nlp, doc.text)]
            else:
                raw = []
                for p in doc.paragraphs:
                    for ent in nlp(p.text).ents:
                        raw.append(Entity(p.start + ent.start_char, p.start + ent.end_char, ent.label_,
                                          ent.kb_id_ or None))
    except CorpusError as e:
        return [], f"no pre-annotation: {e}"
    except Exception as e:  # a broken or untrained model must not stop the report from being added
        return [], f"no pre-annotation: the tagger failed ({type(e).__name__}: {e})"
    return _usable_machine(doc, raw, authority)


def _known_ref(ref: str | None, label: str, authority) -> bool:
    """Whether ``ref`` names a record of ``authority`` with the mention's label."""
    return ref is not None and authority is not None and ref in authority and authority[ref].label == label


def _usable_machine(doc: Document, raw: list[Entity], authority) -> tuple[list[Entity], str]:
    """The suggestions the report can hold, linked where possible, and a note saying how many.

    A suggestion without a usable record is kept without ``ref`` (the schema allows it only with
    the tagger's ``resp``; validate reports it as E211 until a reviewer links it): the names a new
    report adds are the ones the authority file does not have yet, so they are what a reviewer most
    needs to see. A ref that is not a record of the mention's label (the model was trained on an
    older authority file, or mislabelled the span) is dropped the same way rather than written as a
    dangling ref (E205). Only a span the report cannot hold (out of range, across a paragraph,
    cutting a recorded edit, overlapping an earlier suggestion) is left out.
    """
    from .formats.merge import ToolDoc, ToolSpan, span_problems

    text = doc.text
    index = authority.alias_index() if authority is not None else {}
    out: list[Entity] = []
    dropped = unlinked = 0
    for e in sorted(raw, key=lambda e: (e.start, e.end)):
        ref = e.ref if _known_ref(e.ref, e.label, authority) else None
        cert = e.cert if e.cert is not None else "unknown"
        if ref is None:
            cands = [r for r in index.get(text[e.start:e.end], []) if r.label == e.label]
            ref = cands[0].id if len(cands) == 1 else None
        if ref is None and e.ref is not None and cert == "high":
            cert = "medium"  # "high" promises a span that links to a record (docs/contributing.md)
        td = ToolDoc(text, [ToolSpan(e.start, e.end, e.label, ref)])
        if span_problems(doc, td, authority) or (out and e.start < out[-1].end):
            dropped += 1
            continue
        unlinked += ref is None
        out.append(Entity(e.start, e.end, e.label, ref, text[e.start:e.end], MACHINE_RESP, cert))
    note = f"pre-annotated {len(out)} mentions (resp={MACHINE_RESP})"
    if unlinked:
        note += f", {unlinked} of them without an authority record"
    note += "; review them before merging"
    if dropped:
        note += f"; {dropped} suggestions with an unusable span were left out"
    return out, note


def new_report(seed_path: Path, doc_id: str, meta_path: Path, *, preannotate_: bool = False,
               origin: str | None = None) -> NewReport:
    from .authority import Authority, read_authority
    from .clean import clean_named
    from .clean.engine import Seed
    from .corpus import AUTHORITY_FILE, ROOT_FILE, component_files
    from .encode import root_bytes, with_entities
    from .paths import annotations_dir, schemas_dir, seeds_dir
    from .seeds import SeedRecord, manifest, read_json, read_text
    from .structure import heading_counts
    from .tei import document_to_tei, read_document
    from .output import write_files

    seeds, ann = seeds_dir(), annotations_dir()
    seed_path, meta_path = Path(seed_path), Path(meta_path)
    _check_id(doc_id, schemas_dir() / "metadata.schema.json")

    # -- the seed ------------------------------------------------------------
    text = read_text(seed_path)
    raw = seed_path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raise _fail("the file starts with a UTF-8 byte-order mark", seed_path, line=1,
                    hint="save it as UTF-8 without BOM; seeds are stored byte for byte")
    if not text.strip():
        raise _fail("the seed is empty", seed_path)
    sha = hashlib.sha256(raw).hexdigest()
    records = manifest(seeds)
    for r in records:
        if r.sha256 == sha:
            raise _fail(f"this seed is already in the corpus as {r.file} ({r.id})", seed_path)
        if r.id == doc_id:
            raise _fail(f"the id {doc_id!r} is taken (seed {r.file})", seeds / "manifest.json",
                        hint="choose another id, e.g. PLACE-YEAR")
    if (ann / f"{doc_id}.xml").exists():
        raise _fail(f"annotations/{doc_id}.xml already exists", ann / f"{doc_id}.xml")
    seed_file = f"{_next_number(records):03d}_{sha[:16]}.txt"

    # -- the metadata --------------------------------------------------------
    meta = read_json(meta_path)
    if not isinstance(meta, dict):
        raise _fail("the metadata file is not a JSON object", meta_path)
    for key, value in (("id", doc_id), ("seed", seed_file)):
        if meta.get(key) is None:
            meta = {**meta, key: value} if key in meta else _insert(meta, key, value)
        elif meta[key] != value:
            raise _fail(f"metadata {key} is {meta[key]!r} but should be {value!r}", meta_path,
                        hint=f"leave {key!r} out and it is filled in")
    check_metadata(meta, meta_path, schemas_dir() / "metadata.schema.json")

    # -- clean and structure -------------------------------------------------
    record = SeedRecord(seed_file, doc_id, sha, len(raw), origin or meta.get("source") or "contributed",
                        recipe="generic")
    doc = clean_named(record, Seed(seed_file, text), seeds, metadata=meta)
    if not doc.text_blocks():
        raise _fail("no text found in the seed", seed_path)
    auth_path = ann / AUTHORITY_FILE
    authority = read_authority(auth_path) if auth_path.exists() else Authority([])
    res = NewReport(doc_id, seed_file)
    if preannotate_:
        ents, note = preannotate(doc, authority)
        with_entities(doc, ents)
        res.machine = len(ents)
        res.notes.append(note)
    others = [read_document(p) for p in component_files(ann) if p.exists()]

    # -- write ---------------------------------------------------------------
    entry = {"file": seed_file, "id": doc_id, "sha256": sha, "bytes": len(raw), "origin": record.origin,
             "recipe": "generic"}
    man_path = seeds / "manifest.json"
    man = read_json(man_path)
    man["seeds"].append(entry)
    payload = [
        (seeds / seed_file, raw),
        (seeds / "metadata" / f"{doc_id}.json", json.dumps(meta, ensure_ascii=False, indent=2) + "\n"),
        (ann / f"{doc_id}.xml", document_to_tei(doc)),
        (man_path, json.dumps(man, ensure_ascii=False, indent=2) + "\n"),
        (ann / ROOT_FILE, root_bytes(others + [doc], authority)),
    ]
    # all five files or none: a seed without its manifest entry (or metadata without its seed) would
    # leave the corpus inconsistent, and a second attempt would then be refused as a duplicate
    res.written.extend(write_files(payload, hint="nothing was added; make the corpus folders writable and "
                                                 "run the command again"))
    res.paragraphs = len(doc.paragraphs)
    res.characters = len(doc.text)
    res.headings = sum(heading_counts(doc).values())
    return res


def _check_id(doc_id: str, schema_path: Path) -> None:
    """Refuse a malformed --id by name, before the metadata file is read (it is not to blame)."""
    try:
        pattern = json.loads(Path(schema_path).read_text(encoding="utf-8"))["properties"]["id"]["pattern"]
    except (OSError, ValueError, KeyError, TypeError):
        return  # no usable schema: check_metadata reports that with its own path
    if not re.search(pattern, doc_id):
        raise _fail(f"--id {doc_id!r} does not match the document id pattern {pattern}",
                    hint="lower-case ASCII place name, a hyphen and the year, e.g. tiexi-2024")


def _insert(meta: dict, key: str, value) -> dict:
    """Add ``key`` in the order of the schema's examples (id first, seed before language)."""
    if key == "id":
        return {"id": value, **meta}
    out = {}
    for k, v in meta.items():
        if k == "language":
            out[key] = value
        out[k] = v
    out.setdefault(key, value)
    return out
