"""doccano: JSON Lines for sequence labelling.

One line per report: ``{"text": …, "label": [[start, end, "LABEL"], …]}``
with offsets in code points (doccano counts Python string indices), plus the
corpus's own keys, which doccano keeps as metadata: ``doc_id``, ``refs``
(``[[start, end, "record-id"], …]``) and ``machine`` (``[[start, end, cert],
…]`` for unreviewed machine annotations).

Reading also accepts doccano's span export with relations
(``"entities": [{"start_offset", "end_offset", "label"}]``) and ``labels``
as the key of the span list.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import CorpusError
from ..model import Document
from ..xmlutil import atomic_write
from .merge import E503, MACHINE_RESP, ToolDoc, ToolSpan, shape_error

SUFFIX = ".jsonl"


# The fields the import reads, as a JSON Schema (checked with jsonschema before reading): a span,
# ref or doc_id of the wrong shape is refused naming the line and field, never skipped and never a
# traceback. Whether offsets are in range and labels known is checked later, naming the mention.
_SPAN = {"type": "array", "minItems": 3, "maxItems": 3,
         "prefixItems": [{"type": "integer"}, {"type": "integer"}, {"type": "string"}]}
_REF = _SPAN  # the same shape: [start, end, "record-id"]
_MACHINE = {"type": "array", "minItems": 3, "maxItems": 3,
            "prefixItems": [{"type": "integer"}, {"type": "integer"}, {"type": ["string", "number", "null"]}]}
_CORPUS_KEYS = {"doc_id": {"type": ["string", "null"]}, "refs": {"type": "array", "items": _REF},
                "machine": {"type": "array", "items": _MACHINE}}
LINE = {
    "type": "object",
    "required": ["text"],
    "properties": {
        "text": {"type": "string"},
        "label": {"type": "array", "items": _SPAN},
        "labels": {"type": "array", "items": _SPAN},
        "entities": {"type": "array",
                     "items": {"type": "object", "required": ["start_offset", "end_offset", "label"],
                               "properties": {"start_offset": {"type": "integer"},
                                              "end_offset": {"type": "integer"},
                                              "label": {"type": "string"}}}},
        "meta": {"type": "object", "properties": _CORPUS_KEYS},
        **_CORPUS_KEYS,
    },
}


def read(path: Path) -> list[ToolDoc]:
    from ..seeds import read_text

    raw = read_text(path)
    out = []
    for n, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise CorpusError(E503, f"invalid JSON: {e.msg}", path=str(path), line=n, col=e.colno,
                              hint=_hint_for(raw, n)) from None
        if isinstance(obj, list) or (isinstance(obj, dict) and ("data" in obj or "annotations" in obj)):
            raise CorpusError(E503, "the line is a Label Studio task (or a list of them), not a doccano record",
                              path=str(path), line=n, hint="give --format labelstudio for a Label Studio export")
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            raise CorpusError(E503, "the line has no \"text\"", path=str(path), line=n)
        problem = shape_error(obj, LINE)
        if problem:
            raise CorpusError(E503, f"line {n}: {problem}", path=str(path), line=n,
                              hint="each line is {\"text\": …, \"label\": [[start, end, \"LABEL\"], …]} (refs: "
                                   "[[start, end, \"record-id\"], …]); nothing was written")
        meta = obj.get("meta") or {}
        doc_id = obj.get("doc_id") or meta.get("doc_id")
        td = ToolDoc(obj["text"], [], doc_id, f"line {n}", str(path), n)
        refs = {(r[0], r[1]): r[2] for r in obj.get("refs") or meta.get("refs") or []}
        machine = {(r[0], r[1]): r[2] for r in obj.get("machine") or meta.get("machine") or []}
        spans = obj.get("label", obj.get("labels"))
        if spans is None and "entities" in obj:
            spans = [[e["start_offset"], e["end_offset"], e["label"]] for e in obj["entities"]]
        for k, (s, e, label) in enumerate(spans or [], 1):
            sp = ToolSpan(s, e, label, refs.get((s, e)), None, f"span {k}", line=n)
            if (s, e) in machine:
                sp.machine, sp.cert = True, (None if machine[(s, e)] is None else str(machine[(s, e)]))
            td.spans.append(sp)
        out.append(td)
    return out


def _hint_for(raw: str, n: int) -> str:
    """What to do about a line that is not JSON: a whole-file JSON document is another format."""
    if n == 1:
        try:
            json.loads(raw)
        except ValueError:
            pass
        else:  # the file is one JSON document spread over lines, as Label Studio's export is
            return "the file is one JSON document, not one per line: for a Label Studio export give " \
                   "--format labelstudio"
    return "doccano's JSONL export has one JSON object per line"


def record(doc: Document) -> dict:
    ents = sorted(doc.entities, key=lambda e: (e.start, e.end))
    obj = {"text": doc.text, "label": [[e.start, e.end, e.label] for e in ents], "doc_id": doc.id,
           "refs": [[e.start, e.end, e.ref] for e in ents if e.ref]}
    machine = [[e.start, e.end, e.cert] for e in ents if e.resp == MACHINE_RESP]
    if machine:
        obj["machine"] = machine
    return obj


def write(doc: Document, out: Path, authority=None) -> list[Path]:
    p = Path(out) / f"{doc.id}{SUFFIX}"
    atomic_write(p, json.dumps(record(doc), ensure_ascii=False) + "\n")
    return [p]


def write_config(out: Path) -> list[Path]:
    return []
