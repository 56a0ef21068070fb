"""Merge annotations from an annotation tool into the TEI files, and export them again.

Every tool format (:mod:`.labelstudio`, :mod:`.doccano`, :mod:`.brat`,
:mod:`.docbin`) is read into :class:`ToolDoc` records: the text the tool was
given and its mentions, with offsets already converted to code points of that
text. :func:`import_paths` then

1. finds the corpus document of each record (its id in the record, ``--doc``,
   or else the document whose text is the record's text);
2. refuses the whole import, writing nothing, when a record's text differs
   from the document text or a mention is out of range, has an unknown label
   or a malformed ref, has a ref to no record of the authority file (unless
   ``add_records``, which creates it), crosses a paragraph boundary, cuts a
   recorded edit, does not match its own surface text, or overlaps another
   mention of the record (a record of the wrong shape, or a file that is not
   of the declared format, is refused while reading it);
3. merges: a mention at the span of an existing annotation with the same
   label and ref is unchanged; one with a different label or ref, or one that
   overlaps an existing annotation, is a *conflict* and is reported, never
   written over (unless ``replace``, which makes the tool's set of mentions
   the document's set);
4. links a mention without a ref to the authority record whose name or alias
   is its text (when exactly one record of the label has it), and reports the
   ones it cannot link (they are not written: a TEI mention needs a ref),
   unless ``add_records`` creates records for them (:class:`RecordBook`);
5. writes each changed document canonically and atomically (the bytes of
   :func:`corpus_sz.tei.document_to_tei`), the authority file when records
   were added, and the root ``corpus.xml`` with its counts.

Export (:func:`export_docs`) writes one file (brat: a pair) per document.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import E501, E502, E503, E504, CorpusError
from ..model import LABELS, Document, Entity

if TYPE_CHECKING:  # only for annotations
    from ..authority import Record

# Codes of this module (the E5xx block: exports and tools).

MACHINE_RESP = "#corpus_sz_tagger"
REF_RE = re.compile(r"^(district|zone|project|programme)-[a-z0-9\-]+$")
REF_PREFIX = {"DISTRICT": "district", "ZONE": "zone", "PROJECT": "project", "PROGRAMME": "programme"}
FORMATS = ("labelstudio", "doccano", "brat", "docbin")
SUFFIX = {".json": "labelstudio", ".jsonl": "doccano", ".ann": "brat", ".txt": "brat", ".spacy": "docbin"}


# -- records read from tool files ---------------------------------------------
@dataclass
class ToolSpan:
    """One mention as the tool has it, offsets already in code points."""

    start: int
    end: int
    label: str
    ref: str | None = None
    text: str | None = None  # the surface the tool stores, checked against the document
    where: str = ""  # names the mention in the tool file: "region abc", "T3", "span 2"
    machine: bool = False  # marked as a machine suggestion in the tool file
    cert: str | None = None
    problem: str | None = None  # found while reading (e.g. an offset inside a surrogate pair)
    line: int | None = None  # its line in the tool file, where the format has lines


@dataclass
class ToolDoc:
    """One record of a tool file: a text and its mentions."""

    text: str
    spans: list[ToolSpan]
    doc_id: str | None = None
    where: str = ""  # names the record: "task 3", "line 2", "doc 1"
    path: str = ""
    line: int | None = None
    skip: str | None = None  # a reason not to import this record at all (e.g. not yet annotated)


@dataclass
class Conflict:
    span: ToolSpan
    existing: Entity
    reason: str


@dataclass
class MergeResult:
    """What an import does (or would do) to one document."""

    doc_id: str
    path: Path
    entities: list[Entity]
    record: str = ""
    added: list[Entity] = field(default_factory=list)
    unchanged: int = 0
    reviewed: list[Entity] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    kept: list[Entity] = field(default_factory=list)  # existing, absent from the import, kept
    dropped: list[Entity] = field(default_factory=list)  # existing, absent from the import, removed (replace)
    linked: list[Entity] = field(default_factory=list)
    unlinked: list[ToolSpan] = field(default_factory=list)
    unknown_refs: list[Entity] = field(default_factory=list)
    skipped: str | None = None
    changed: bool = False

    def lines(self) -> list[str]:
        """A readable account, one line per fact."""
        head = f"{self.doc_id}: "
        if self.skipped:
            return [head + f"skipped ({self.skipped})"]
        out = [head + f"{len(self.added)} added, {self.unchanged} unchanged, {len(self.conflicts)} conflicts, "
                      f"{len(self.dropped)} removed, {len(self.kept)} kept"
               + (f", {len(self.reviewed)} machine mentions confirmed" if self.reviewed else "")]
        for c in self.conflicts:
            out.append(f"  conflict {_show(c.span)} with existing {_show_ent(c.existing)}: {c.reason}; kept the existing")
        for e in self.linked:
            out.append(f"  linked {_show_ent(e)} by its name")
        for s in self.unlinked:
            out.append(f"  no ref: {_show(s)} has no authority record and was not imported "
                       f"(give the record id in the tool, or import with --add-records)")
        for e in self.unknown_refs:
            out.append(f"  unknown ref: {_show_ent(e)}: #{e.ref} is not in authority.xml (import with "
                       f"--add-records, or add the record by hand)")
        if self.kept:
            out.append(f"  {len(self.kept)} existing mentions are not in the import and were kept "
                       f"(use --replace to remove them)")
        return out


def _show(s: ToolSpan) -> str:
    ref = f" #{s.ref}" if s.ref else ""
    return f"{s.where} {s.start}-{s.end} {s.label}{ref} {s.text!r}" if s.text is not None else \
        f"{s.where} {s.start}-{s.end} {s.label}{ref}"


def _show_ent(e: Entity) -> str:
    return f"{e.start}-{e.end} {e.label} #{e.ref} {e.text!r}"


# -- the shape of a tool record ---------------------------------------------------
_JSON_TYPES = {"object": "an object", "array": "a list", "string": "a string", "integer": "an integer",
               "number": "a number", "boolean": "true or false", "null": "null"}
_validators: dict[int, object] = {}


def _brief(value: object, limit: int = 60) -> str:
    """``value`` for a message: a whole task or text would drown the message."""
    import json

    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def shape_error(obj: object, schema: dict) -> str | None:
    """The first place (in document order) where ``obj`` breaks the JSON Schema ``schema``, in words.

    Tool files are checked against a schema of the fields the import reads before anything is read
    from them, so that a list where an object belongs is an error naming the field, not a traceback
    or a mention silently skipped. Values that are the right type but unusable (an offset out of
    range, an unknown label) are left to :func:`span_problems`, which names the mention and report.
    """
    import jsonschema

    v = _validators.get(id(schema))
    if v is None:
        v = _validators[id(schema)] = jsonschema.Draft202012Validator(schema)
    errors = list(v.iter_errors(obj))  # type: ignore[attr-defined]
    if not errors:
        return None

    def order(e) -> list:
        return [(0, k, "") if isinstance(k, int) else (1, 0, str(k)) for k in e.absolute_path]

    e = min(errors, key=order)
    where = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in e.absolute_path).lstrip(".")
    if e.validator == "type":
        want = e.validator_value if isinstance(e.validator_value, list) else [e.validator_value]
        msg = f"should be {' or '.join(_JSON_TYPES.get(t, t) for t in want)}, not {_brief(e.instance)}"
    elif e.validator in ("minItems", "maxItems"):
        msg = f"should have {e.validator_value} items, not {len(e.instance)}: {_brief(e.instance)}"
    elif e.validator == "required":
        msg = e.message
    else:
        msg = f"{_brief(e.instance)} is not allowed here ({e.validator})"
    n = len(errors) - 1
    more = f" (and {n} more problem{'s' if n > 1 else ''})" if n else ""
    return f"{where}: {msg}{more}" if where else f"{msg}{more}"


# -- checks ---------------------------------------------------------------------
def text_difference(expected: str, got: str) -> str:
    """Why two texts differ, in words."""
    if got.replace("\r\n", "\n") == expected:
        return "the text has Windows line endings (CRLF)"
    if got.strip() == expected:
        return "the text has extra whitespace at its start or end"
    k = next((i for i, (a, b) in enumerate(zip(expected, got)) if a != b), min(len(expected), len(got)))
    if k == min(len(expected), len(got)):
        return (f"the text is {abs(len(got) - len(expected))} characters "
                f"{'longer' if len(got) > len(expected) else 'shorter'} than the document text")
    return (f"the text differs from the document text at character {k}: "
            f"{got[max(0, k - 8):k + 8]!r} where the document has {expected[max(0, k - 8):k + 8]!r}")


class Problem(str):
    """A reason to refuse an import, with the line of the tool file it is on (when known)."""

    line: int | None

    def __new__(cls, msg: str, line: int | None = None):
        obj = super().__new__(cls, msg)
        obj.line = line
        return obj


def span_problems(doc: Document, td: ToolDoc, authority=None, *, add_records: bool = False) -> list["Problem"]:
    """Every reason to refuse the mentions of ``td`` for ``doc`` (empty when they are usable).

    With ``authority``, a ref that is not one of its records is refused too, unless ``add_records``
    (the import then creates the record).
    """
    text = doc.text
    problems: list[Problem] = []
    bad: set[int] = set()

    def add(sp: ToolSpan | None, msg: str) -> None:
        problems.append(Problem(msg, sp.line if sp is not None and sp.line is not None else td.line))
        if sp is not None:
            bad.add(id(sp))

    offsets = doc.block_offsets()
    starts = [s for _, s, _ in offsets]
    # spans of the text layer taken by recorded edits (corr, reg): an entity may hold them whole only
    edits: list[tuple[int, int, str]] = []
    for block, bs, _ in offsets:
        pos = bs
        for p in block.pieces:
            n = len(p.text)
            if p.kind != "text" and n:
                edits.append((pos, pos + n, p.orig))
            pos += n
    for sp in td.spans:
        who = f"{td.where}, {sp.where}".strip(", ")
        if sp.problem:
            add(sp, f"{who}: {sp.problem}")
            continue
        if not (isinstance(sp.start, int) and isinstance(sp.end, int)) or isinstance(sp.start, bool):
            add(sp, f"{who}: offsets {sp.start!r}-{sp.end!r} are not integers")
            continue
        if sp.start < 0 or sp.end > len(text) or sp.start >= sp.end:
            add(sp, f"{who}: offsets {sp.start}-{sp.end} are out of range (the text has {len(text)} "
                            f"characters)" if sp.start < sp.end else f"{who}: empty or reversed span {sp.start}-{sp.end}")
            continue
        if sp.label not in LABELS:
            add(sp, f"{who}: unknown label {sp.label!r} (one of {', '.join(LABELS)})")
            continue
        if sp.text is not None and text[sp.start:sp.end] != sp.text:
            add(sp, f"{who}: the mention text {sp.text!r} differs from the document text "
                            f"{text[sp.start:sp.end]!r} at {sp.start}-{sp.end}")
            continue
        k = bisect.bisect_right(starts, sp.start) - 1
        _, bs, be = offsets[k]
        if sp.end > be:
            add(sp, f"{who}: the span {sp.start}-{sp.end} {text[sp.start:sp.end]!r} crosses a paragraph "
                            f"boundary (at {be})")
            continue
        for a, b, orig in edits:
            if a < sp.end and sp.start < b and not (sp.start <= a and b <= sp.end):
                add(sp, f"{who}: the span {sp.start}-{sp.end} cuts the recorded edit at {a}-{b} "
                                f"({orig!r} → {text[a:b]!r}); include it whole or not at all")
                break
        if sp.ref is not None:
            if not REF_RE.match(sp.ref):
                add(sp, f"{who}: malformed ref {sp.ref!r} (an authority record id such as "
                                f"district-he-ping)")
            elif authority is not None and sp.ref in authority and authority[sp.ref].label != sp.label:
                add(sp, f"{who}: ref #{sp.ref} is a {authority[sp.ref].label} record but the mention "
                                f"is {sp.label}")
            elif not sp.ref.startswith(REF_PREFIX[sp.label] + "-"):
                add(sp, f"{who}: ref #{sp.ref} cannot name a {sp.label} (its ids start with "
                                f"{REF_PREFIX[sp.label]}-)")
            elif authority is not None and not add_records and sp.ref not in authority:
                # written as is, it would be a dangling ref that validate refuses (E205)
                add(sp, f"{who}: ref #{sp.ref} is not a record of authority.xml (correct the id in the tool, "
                                f"or import with --add-records to create the record)")
    # overlaps among the record's own mentions (exact duplicates are merged)
    seen = sorted({(s.start, s.end, s.label, s.ref): s for s in td.spans if id(s) not in bad}.values(),
                  key=lambda s: (s.start, s.end))
    for a, b in zip(seen, seen[1:]):
        if b.start < a.end:
            what = "the same span twice with different labels or refs" if (a.start, a.end) == (b.start, b.end) \
                else "overlapping mentions"
            add(b, f"{td.where}: {what}: {_show(a)} and {_show(b)}; the corpus has flat spans only")
    return problems


# -- merging --------------------------------------------------------------------
def merge(doc: Document, td: ToolDoc, authority=None, *, replace: bool = False, link: bool = True,
          reviewed: bool = False, path: Path | None = None, records: "RecordBook | None" = None) -> MergeResult:
    """The entities ``doc`` gets from ``td`` (no checks: call :func:`span_problems` first).

    ``records``, when given, creates authority records for mentions without one (and for refs that
    are not in the authority file) instead of reporting them.
    """
    text = doc.text
    existing = sorted(doc.entities, key=lambda e: (e.start, e.end))
    res = MergeResult(doc.id, path or Path(f"{doc.id}.xml"), list(existing), record=td.where)
    if td.skip:
        res.skipped = td.skip
        return res
    by_span = {(e.start, e.end): e for e in existing}
    index = authority.alias_index() if (authority is not None and link) else {}

    # 1. the tool's mentions as entities: refs resolved where possible, exact duplicates merged
    incoming: dict[tuple[int, int, str, str | None], Entity] = {}
    spans: dict[tuple[int, int, str, str | None], ToolSpan] = {}
    for sp in sorted(td.spans, key=lambda s: (s.start, s.end)):
        ref = sp.ref
        old = by_span.get((sp.start, sp.end))
        if ref is None and old is not None and old.label == sp.label:
            ref = old.ref  # the tool does not carry refs: keep the record the TEI has
        surface = text[sp.start:sp.end]
        if ref is None:
            cands = [r for r in index.get(surface, []) if r.label == sp.label]
            if len(cands) == 1:
                ref = cands[0].id
                res.linked.append(Entity(sp.start, sp.end, sp.label, ref, surface))
        same = old is not None and (old.label, old.ref) == (sp.label, ref) and old.resp is not None
        if reviewed:
            resp = cert = None
        elif sp.machine:
            resp, cert = MACHINE_RESP, sp.cert or (old.cert if same else None)
        elif same:
            resp, cert = old.resp, old.cert  # the tool cannot say: keep the TEI's attribution
        else:
            resp = cert = None
        ent = Entity(sp.start, sp.end, sp.label, ref, surface, resp, cert)
        incoming[(ent.start, ent.end, ent.label, ent.ref)] = ent
        spans[(ent.start, ent.end, ent.label, ent.ref)] = sp
    new = list(incoming.values())
    existing_keys = {(e.start, e.end, e.label, e.ref) for e in existing}

    def usable(ent: Entity) -> Entity | None:
        """The entity with a ref (a new record if ``records``), or None (reported) when it has none."""
        if ent.ref is None:
            if records is None:
                res.unlinked.append(spans[(ent.start, ent.end, ent.label, None)])
                return None
            ent = Entity(ent.start, ent.end, ent.label, records.mint(ent.label, ent.text), ent.text, ent.resp,
                         ent.cert)
        elif authority is not None and ent.ref not in authority:
            if records is not None:
                records.add(ent.label, ent.text, ent.ref)
            else:
                res.unknown_refs.append(ent)
        return ent

    # 2. the document's mentions
    if replace:
        final = []
        for ent in new:
            ent = usable(ent)
            if ent is None:
                continue
            final.append(ent)
            key = (ent.start, ent.end, ent.label, ent.ref)
            if key not in existing_keys:
                res.added.append(ent)
        keys = {(e.start, e.end, e.label, e.ref) for e in final}
        for e in existing:
            if (e.start, e.end, e.label, e.ref) in keys:
                res.unchanged += 1
                if e.resp == MACHINE_RESP and not any(n.resp for n in final if (n.start, n.end) == (e.start, e.end)):
                    res.reviewed.append(e)
            else:
                res.dropped.append(e)
    else:
        final = list(existing)
        matched: set[tuple[int, int]] = set()
        for ent in new:
            key = (ent.start, ent.end, ent.label, ent.ref)
            if key in existing_keys:
                res.unchanged += 1
                matched.add((ent.start, ent.end))
                old = by_span[(ent.start, ent.end)]
                if old.resp == MACHINE_RESP and ent.resp is None:
                    final[final.index(old)] = Entity(old.start, old.end, old.label, old.ref, old.text, None, None)
                    res.reviewed.append(old)
                continue
            old = by_span.get((ent.start, ent.end))
            if old is not None:
                matched.add((ent.start, ent.end))
                what = []
                if old.label != ent.label:
                    what.append(f"label {old.label} → {ent.label}")
                if old.ref != ent.ref and ent.ref is not None:
                    what.append(f"ref #{old.ref} → #{ent.ref}")
                res.conflicts.append(Conflict(_tool_span(ent, td), old, "same span, " + ", ".join(what)))
                continue
            hit = next((e for e in existing if e.start < ent.end and ent.start < e.end), None)
            if hit is not None:
                matched.add((hit.start, hit.end))
                res.conflicts.append(Conflict(_tool_span(ent, td), hit, "overlapping spans"))
                continue
            ent = usable(ent)
            if ent is None:
                continue
            final.append(ent)
            res.added.append(ent)
        res.kept = [e for e in existing if (e.start, e.end) not in matched]
    res.linked = [e for e in res.linked if any((a.start, a.end, a.ref) == (e.start, e.end, e.ref) for a in res.added)]
    final = sorted(final, key=lambda e: (e.start, e.end))
    res.entities = final
    res.changed = [(e.start, e.end, e.label, e.ref, e.resp, e.cert) for e in final] != \
                  [(e.start, e.end, e.label, e.ref, e.resp, e.cert) for e in existing]
    if records is not None:
        records.note_aliases(res)
    return res


class ImportResults(list):
    """The :class:`MergeResult` of each record, and the records an import created (``records``)."""

    def __init__(self, results, records: "RecordBook | None" = None) -> None:
        super().__init__(results)
        self.records = records


class RecordBook:
    """Authority records created by an import (``--add-records``), and aliases seen."""

    def __init__(self, authority) -> None:
        self.authority = authority
        self.new: dict[str, Record] = {}
        self.aliases: dict[str, list[str]] = {}  # record id -> new aliases

    def _get(self, rid: str):
        return self.new.get(rid) or (self.authority[rid] if rid in self.authority else None)

    def mint(self, label: str, surface: str) -> str:
        from ..authority import mint_id

        for r in self.new.values():
            if r.label == label and (r.name == surface or surface in r.aliases):
                return r.id
        rid = mint_id(label, surface, set(self.authority.records) | set(self.new))
        return self.add(label, surface, rid)

    def add(self, label: str, surface: str, rid: str) -> str:
        from ..authority import Record

        if rid not in self.new and rid not in self.authority:
            self.new[rid] = Record(rid, label, surface)
        return rid

    def note_aliases(self, res: MergeResult) -> None:
        for e in res.added:
            r = self._get(e.ref)
            if r is not None and e.text != r.name and e.text not in r.aliases \
                    and e.text not in self.aliases.get(r.id, []):
                self.aliases.setdefault(r.id, []).append(e.text)

    @property
    def changed(self) -> bool:
        return bool(self.new or self.aliases)

    def updated(self):
        """The authority with the new records and aliases."""
        from ..authority import Authority, Record

        recs = []
        for r in list(self.authority) + list(self.new.values()):
            extra = self.aliases.get(r.id, [])
            recs.append(Record(r.id, r.label, r.name, sorted(set(r.aliases) | set(extra)) if extra else
                               list(r.aliases), r.code, r.level, r.note))
        return Authority(recs)

    def lines(self) -> list[str]:
        out = [f"new record `{r.id}` ({r.label}) {r.name}" for r in self.new.values()]
        out += [f"new aliases of `{rid}`: {', '.join(a)}" for rid, a in self.aliases.items()]
        return out


def _tool_span(ent: Entity, td: ToolDoc) -> ToolSpan:
    for s in td.spans:
        if (s.start, s.end, s.label) == (ent.start, ent.end, ent.label):
            return ToolSpan(s.start, s.end, s.label, ent.ref, ent.text, s.where)
    return ToolSpan(ent.start, ent.end, ent.label, ent.ref, ent.text)


# -- files ----------------------------------------------------------------------
def format_module(fmt: str):
    if fmt == "labelstudio":
        from . import labelstudio as m
    elif fmt == "doccano":
        from . import doccano as m
    elif fmt == "brat":
        from . import brat as m
    elif fmt == "docbin":
        from . import docbin as m
    else:
        raise CorpusError(E503, f"unknown format {fmt!r}", hint=f"one of {', '.join(FORMATS)}")
    return m


def guess_format(path: Path) -> str:
    p = Path(path)
    if p.is_dir():
        for suffix, fmt in SUFFIX.items():
            if suffix != ".txt" and any(p.glob(f"*{suffix}")):
                return fmt
    fmt = SUFFIX.get(p.suffix)
    if fmt is None:
        raise CorpusError(E503, "cannot tell the format from the file name", path=str(path),
                          hint=f"give --format ({', '.join(FORMATS)})")
    return fmt


def read_tool_files(path: Path, fmt: str) -> list[ToolDoc]:
    """Every record of a tool file, or of every file of that format in a folder."""
    path = Path(path)
    m = format_module(fmt)
    if not path.exists():
        raise CorpusError(E503, "no such file or folder", path=str(path))
    if path.is_dir():
        files = sorted(p for p in path.glob(f"*{m.SUFFIX}") if p.is_file())
        if not files:
            raise CorpusError(E503, f"no {m.SUFFIX} files in the folder", path=str(path),
                              hint=f"is this a {fmt} export?")
        out = []
        for f in files:
            out.extend(m.read(f))
        return out
    return m.read(path)


def _resolve(records: list[ToolDoc], docs: dict[str, Document], doc_id: str | None) -> list[tuple[ToolDoc, Document]]:
    if doc_id is not None and doc_id not in docs:
        raise CorpusError(E504, f"unknown document id {doc_id!r}", hint=f"known ids: {', '.join(docs)}")
    out: list[tuple[ToolDoc, Document]] = []
    with_ids = [r for r in records if r.doc_id]
    if doc_id is not None and with_ids:
        chosen = [r for r in records if r.doc_id == doc_id or not r.doc_id]
        if not chosen:
            have = sorted({r.doc_id for r in with_ids})
            raise CorpusError(E504, f"the file has no record for document {doc_id!r} (it has {', '.join(have)})",
                              path=records[0].path)
        records = chosen
    for r in records:
        if r.doc_id is not None and not isinstance(r.doc_id, str):  # the readers check; this is the last guard
            raise CorpusError(E503, f"{r.where}: the document id should be a string, not {_brief(r.doc_id)}",
                              path=r.path, line=r.line)
        rid = r.doc_id or doc_id
        if rid is None:
            same = [d for d in docs.values() if d.text == r.text]
            if len(same) != 1:
                raise CorpusError(E504, f"{r.where}: the record names no document and its text equals "
                                        f"{'no' if not same else 'more than one'} corpus document",
                                  path=r.path, line=r.line, hint="give the document id with --doc")
            rid = same[0].id
        if rid not in docs:
            raise CorpusError(E504, f"{r.where}: unknown document id {rid!r}", path=r.path, line=r.line,
                              hint="add the report first (corpus-sz new-report), or give --doc")
        out.append((r, docs[rid]))
    ids = [d.id for _, d in out]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise CorpusError(E504, f"the file has more than one record for {', '.join(dup)}", path=records[0].path,
                          hint="export one record (task, line, document) per report")
    return out


def import_paths(path: Path, fmt: str | None = None, *, doc_id: str | None = None, folder: Path | None = None,
                 replace: bool = False, link: bool = True, reviewed: bool = False, dry_run: bool = False,
                 strict: bool = False, add_records: bool = False) -> "ImportResults":
    """Import a tool file (or folder of tool files) into the TEI files of ``folder``.

    Raises :class:`CorpusError` and writes nothing when any record is unusable.
    """
    from ..authority import Authority, read_authority
    from ..corpus import AUTHORITY_FILE, component_files
    from ..paths import annotations_dir
    from ..tei import read_document

    folder = Path(folder) if folder else annotations_dir()
    fmt = fmt or guess_format(path)
    records = read_tool_files(Path(path), fmt)
    if not records:
        raise CorpusError(E503, "the file holds no records", path=str(path))
    files = {}
    for p in component_files(folder):
        if p.exists():
            files[p] = read_document(p)
    docs = {d.id: d for d in files.values()}
    path_of = {d.id: p for p, d in files.items()}
    auth_path = folder / AUTHORITY_FILE
    authority = read_authority(auth_path) if auth_path.exists() else Authority([])
    pairs = _resolve(records, docs, doc_id)

    problems: list[tuple[str, str, ToolDoc]] = []  # (code, message, record)
    for r, d in pairs:
        if r.skip:
            continue
        if r.text != d.text:
            problems.append((E501, f"{r.where} ({d.id}): {text_difference(d.text, r.text)}; the tool must be "
                                   f"given the exported text unchanged", r))
            continue
        problems.extend((E502, Problem(f"{p} ({d.id})", p.line), r)
                        for p in span_problems(d, r, authority, add_records=add_records))
    book = RecordBook(authority) if add_records else None
    results = [merge(d, r, authority, replace=replace, link=link, reviewed=reviewed, path=path_of[d.id],
                     records=book) for r, d in pairs] if not problems else []
    if strict:
        for res, (r, _) in zip(results, pairs):
            problems.extend((E502, f"{res.record} ({res.doc_id}): conflict {_show(c.span)} with "
                                   f"{_show_ent(c.existing)}: {c.reason}", r) for c in res.conflicts)
            problems.extend((E502, f"{res.record} ({res.doc_id}): no ref for {_show(s)}", r) for s in res.unlinked)
    if problems:
        code, first, rec = problems[0]
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        err = CorpusError(code, first + more, path=rec.path or str(path), line=getattr(first, "line", None) or rec.line,
                          hint="nothing was written; fix the file in the tool and export it again")
        err.problems = [m for _, m, _ in problems]  # type: ignore[attr-defined]
        raise err
    if not dry_run:
        write_results(folder, [r for r in results if r.changed], files,
                      book.updated() if book is not None and book.changed else None)
    return ImportResults(results, book)


def write_results(folder: Path, results: list[MergeResult], files: dict[Path, Document], authority=None) -> None:
    """Write changed documents canonically, the authority file if it changed, then the root file."""
    from ..authority import Authority, read_authority
    from ..corpus import AUTHORITY_FILE, ROOT_FILE
    from ..encode import authority_bytes, root_bytes, with_entities
    from ..tei import document_to_tei
    from ..xmlutil import atomic_write

    if not results and authority is None:
        return
    by_id = {r.doc_id: r for r in results}
    payload: list[tuple[Path, bytes]] = []
    for p, d in files.items():
        if d.id in by_id:
            with_entities(d, by_id[d.id].entities)
            payload.append((p, document_to_tei(d)))  # serialise everything before the first write
    auth_path = folder / AUTHORITY_FILE
    if authority is not None:
        payload.append((auth_path, authority_bytes(authority)))
    root = folder / ROOT_FILE
    if root.exists():
        auth = authority or (read_authority(auth_path) if auth_path.exists() else Authority([]))
        payload.append((root, root_bytes(list(files.values()), auth)))
    for p, data in payload:
        atomic_write(p, data)


def export_docs(fmt: str, out: Path, ids: list[str] | None = None, folder: Path | None = None) -> list[Path]:
    """Write the given documents (default: all) in a tool format into ``out``."""
    import tempfile

    from .. import load

    corpus = load(folder)
    ids = ids or corpus.fileids()
    docs = [corpus[i] for i in ids]
    m = format_module(fmt)
    from ..output import check_out_dir, write_files

    out = check_out_dir(out)
    # the format writers fill a scratch folder; the files then go into OUT together, all or none,
    # so an unwritable OUT leaves neither a traceback nor some of the documents behind
    with tempfile.TemporaryDirectory(prefix="corpus_sz-export-") as scratch:
        staged: list[Path] = []
        for d in docs:
            staged.extend(m.write(d, Path(scratch), corpus.authority))
        staged.extend(m.write_config(Path(scratch)))
        return write_files([(out / p.relative_to(scratch), p.read_bytes()) for p in staged])
