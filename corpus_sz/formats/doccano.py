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
from .merge import E503, MACHINE_RESP, ToolDoc, ToolSpan

SUFFIX = ".jsonl"


def read(path: Path) -> list[ToolDoc]:
    from ..seeds import read_text

    out = []
    for n, line in enumerate(read_text(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise CorpusError(E503, f"invalid JSON: {e.msg}", path=str(path), line=n, col=e.colno,
                              hint="doccano's JSONL export has one JSON object per line") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            raise CorpusError(E503, "the line has no \"text\"", path=str(path), line=n)
        meta = obj.get("meta") if isinstance(obj.get("meta"), dict) else {}
        doc_id = obj.get("doc_id") or meta.get("doc_id")
        td = ToolDoc(obj["text"], [], doc_id, f"line {n}", str(path), n)
        refs = {(r[0], r[1]): r[2] for r in _triples(obj.get("refs") or meta.get("refs"))}
        machine = {(r[0], r[1]): r[2] for r in _triples(obj.get("machine") or meta.get("machine"))}
        spans = obj.get("label", obj.get("labels"))
        if spans is None and isinstance(obj.get("entities"), list):
            spans = [[e.get("start_offset"), e.get("end_offset"), e.get("label")] for e in obj["entities"]
                     if isinstance(e, dict)]
        if spans is not None and not isinstance(spans, list):
            raise CorpusError(E503, "\"label\" is not a list of [start, end, label]", path=str(path), line=n)
        for k, item in enumerate(spans or [], 1):
            if not (isinstance(item, list) and len(item) == 3):
                raise CorpusError(E503, f"span {k} is not [start, end, label]: {item!r}", path=str(path), line=n)
            s, e, label = item
            sp = ToolSpan(s, e, label, refs.get((s, e)), None, f"span {k}", line=n)
            if (s, e) in machine:
                sp.machine, sp.cert = True, (None if machine[(s, e)] is None else str(machine[(s, e)]))
            td.spans.append(sp)
        out.append(td)
    return out


def _triples(v) -> list[list]:
    return [x for x in v if isinstance(x, list) and len(x) == 3] if isinstance(v, list) else []


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
