"""Label Studio: JSON tasks for named-entity annotation, and their exports.

One task per report: ``data.text`` is the document text, ``data.doc_id`` its
id. Each mention is a ``labels`` result (``value.start``/``end``/``text``/
``labels``) and its authority record id a per-region ``textarea`` result
(``from_name: "ref"``) with the same region id, as the labelling config
written next to the tasks (``labelstudio-config.xml``) sets up.

Label Studio counts offsets in UTF-16 code units (JavaScript strings); the
corpus counts code points. The two differ after any character outside the
Basic Multilingual Plane (rare CJK extension characters such as 𠀀), so
offsets are converted on the way out and on the way in; an offset that falls
between the two halves of a surrogate pair is refused.

Reading accepts a list of tasks (Label Studio's JSON export, or the file
written here), a single task, or the JSON-MIN export. Cancelled annotations
are ignored; a task with several annotations must mark one as ground truth; a
task with predictions only is skipped (not yet annotated). Regions with
``origin: "prediction"`` are machine suggestions left unchanged by the
annotator: they are imported as machine annotations unless the import is
declared a review (``--reviewed``).
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import CorpusError
from ..model import LABELS, Document
from ..xmlutil import atomic_write
from .merge import E503, MACHINE_RESP, ToolDoc, ToolSpan, shape_error

SUFFIX = ".json"
CONFIG_FILE = "labelstudio-config.xml"
COLOURS = {"DISTRICT": "#1f77b4", "ZONE": "#2ca02c", "PROJECT": "#ff7f0e", "PROGRAMME": "#9467bd"}


# -- offsets ----------------------------------------------------------------------
def utf16_prefix(text: str) -> list[int] | None:
    """UTF-16 offset of every code point offset (None when the two are the same)."""
    if all(ord(c) < 0x10000 for c in text):
        return None
    out = [0]
    for c in text:
        out.append(out[-1] + (2 if ord(c) >= 0x10000 else 1))
    return out


def to_utf16(text: str, i: int, prefix: list[int] | None = ...) -> int:
    """Code point offset ``i`` of ``text`` in UTF-16 code units."""
    prefix = utf16_prefix(text) if prefix is ... else prefix
    return i if prefix is None else prefix[i]


def from_utf16(text: str, j: int, prefix: list[int] | None = ...) -> int:
    """UTF-16 offset ``j`` of ``text`` in code points; ValueError inside a surrogate pair.

    Offsets past the end map past the end (so that the range check reports them).
    """
    prefix = utf16_prefix(text) if prefix is ... else prefix
    if prefix is None:
        return j
    if j > prefix[-1]:
        return len(text) + (j - prefix[-1])
    if j < 0:
        return j
    import bisect

    i = bisect.bisect_left(prefix, j)
    if prefix[i] != j:
        raise ValueError(f"UTF-16 offset {j} falls inside the surrogate pair of {text[i - 1]!r}")
    return i


# -- reading ----------------------------------------------------------------------
def _load(path: Path):
    from ..seeds import read_text

    raw = read_text(path)
    try:
        return json.loads(raw)
    except json.JSONDecodeError as e:
        hint = "give Label Studio's JSON export (not CSV or CONLL)"
        if e.msg == "Extra data":  # one JSON value per line: JSON Lines, as doccano writes
            hint = "the file holds several JSON values, one per line (JSON Lines): for a doccano file give " \
                   "--format doccano; otherwise " + hint
        raise CorpusError(E503, f"invalid JSON: {e.msg}", path=str(path), line=e.lineno, col=e.colno,
                          hint=hint) from None


# The fields the import reads, as JSON Schemas (checked with jsonschema before reading): a value of
# the wrong type is refused naming the task and field, never skipped (with --replace a skipped
# region would delete its mention) and never a traceback. Offsets must be integers here; whether
# they are in range, and whether a region has exactly one known label, is checked later with
# messages that name the mention (merge.span_problems).
_DOC_ID = {"type": ["string", "null"]}
REGION_VALUE = {
    "type": "object",
    "required": ["start", "end", "labels"],
    "properties": {"start": {"type": "integer"}, "end": {"type": "integer"}, "text": {"type": "string"},
                   "labels": {"type": "array", "items": {"type": "string"}}},
}
RESULT = {
    "type": "object",
    "properties": {
        "id": {"type": ["string", "integer"]},
        "type": {"type": "string"},
        "from_name": {"type": "string"},
        "origin": {"type": "string"},
        "value": {"type": "object",
                  "properties": {"start": {"type": "integer"}, "end": {"type": "integer"},
                                 "text": {"type": ["string", "array"], "items": {"type": "string"}}}},
    },
    "allOf": [
        # a labels result is a region: it needs a region's value
        {"if": {"required": ["type"], "properties": {"type": {"const": "labels"}}},
         "then": {"required": ["value"], "properties": {"value": REGION_VALUE}}},
        # and so is any result whose value has labels (that is how the reader recognises regions)
        {"if": {"required": ["value"], "properties": {"value": {"type": "object", "required": ["labels"]}}},
         "then": {"properties": {"value": REGION_VALUE}}},
    ],
}
TASK = {
    "type": "object",
    "properties": {
        "id": {"type": ["integer", "string"]},
        "data": {"type": "object", "properties": {"text": {"type": "string"}, "doc_id": _DOC_ID}},
        "meta": {"type": "object", "properties": {"doc_id": _DOC_ID}},
        "annotations": {"type": "array",
                        "items": {"type": "object", "required": ["result"],
                                  "properties": {"result": {"type": "array", "items": RESULT},
                                                 "was_cancelled": {"type": "boolean"},
                                                 "ground_truth": {"type": "boolean"}}}},
        "predictions": {"type": "array"},
    },
}
MIN_TASK = {  # JSON-MIN: the data fields at the top, one list of region values per labelling tag
    "type": "object",
    "properties": {"id": {"type": ["integer", "string"]}, "text": {"type": "string"}, "doc_id": _DOC_ID,
                   "annotation_id": {"type": ["integer", "string", "null"]}},
}
REGIONS = {"type": "array", "items": REGION_VALUE}
DOCCANO_KEYS = ("refs", "machine", "entities")  # keys only a doccano record (as the corpus writes it) has


def read(path: Path) -> list[ToolDoc]:
    data = _load(path)
    tasks = data if isinstance(data, list) else [data]
    out = []
    for k, task in enumerate(tasks, 1):
        if not isinstance(task, dict):
            raise CorpusError(E503, f"task {k} is not a JSON object", path=str(path))
        out.append(_task(task, k, str(path)))
    return out


def _refuse(where: str, problem: str, path: str, hint: str | None = None) -> CorpusError:
    return CorpusError(E503, f"{where}: {problem}", path=path,
                       hint=hint or "export the project again from Label Studio (Export → JSON); nothing was written")


def _task(task: dict, k: int, path: str) -> ToolDoc:
    tid = task.get("id")
    where = f"task {tid}" if isinstance(tid, (int, str)) and not isinstance(tid, bool) else f"task {k}"
    minimal = "data" not in task  # JSON-MIN: the data fields at the top, one list of regions per labelling tag
    data = task if minimal else task["data"]
    if isinstance(data, dict) and not isinstance(data.get("text"), str):
        raise CorpusError(E503, f"{where} has no text ({'text' if minimal else 'data.text'})", path=path,
                          hint="the labelling config must show the text as $text")
    problem = shape_error(task, MIN_TASK if minimal else TASK)
    if problem:
        raise _refuse(where, problem, path)
    text = data["text"]
    meta = task.get("meta") or {}
    doc_id = data.get("doc_id") or meta.get("doc_id")
    td = ToolDoc(text, [], doc_id, where, path)
    prefix = utf16_prefix(text)
    if minimal:
        return _min_task(task, td, prefix)
    anns = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    if not anns:
        td.skip = "not annotated yet" + (" (predictions only)" if task.get("predictions") else "")
        return td
    if len(anns) > 1:
        gt = [a for a in anns if a.get("ground_truth")]
        if len(gt) != 1:
            raise CorpusError(E503, f"{where} has {len(anns)} annotations and none (or several) marked as "
                                    f"ground truth", path=path,
                              hint="adjudicate in Label Studio and mark one annotation as ground truth")
        anns = gt
    results = anns[0]["result"]
    refs: dict[object, str] = {}
    refs_at: dict[tuple, str] = {}
    for r in results:
        v = r.get("value") or {}
        if r.get("type") == "textarea" or (r.get("from_name") == "ref" and "labels" not in v):
            vals = v.get("text")
            ref = (vals[0] if isinstance(vals, list) and vals else vals) or ""
            ref = str(ref).strip().lstrip("#")
            if ref:
                refs[r.get("id")] = ref
                refs_at[(v.get("start"), v.get("end"))] = ref
    for n, r in enumerate(results, 1):
        v = r.get("value") or {}
        if "labels" not in v:
            continue
        rid = r.get("id")
        ref = refs.get(rid) if rid is not None and rid in refs else refs_at.get((v.get("start"), v.get("end")))
        sp = _span(v, v.get("labels"), ref, f"region {rid if rid is not None else n}", text, prefix)
        if r.get("origin") == "prediction":
            sp.machine = True
            if isinstance(r.get("score"), (int, float)) and not isinstance(r.get("score"), bool):
                sp.cert = _cert(r["score"])
        td.spans.append(sp)
    return td


def _min_task(task: dict, td: ToolDoc, prefix) -> ToolDoc:
    """The regions of a JSON-MIN record: every list of objects with ``labels``."""
    regions: list[dict] = []
    for key, val in task.items():
        if not isinstance(val, list):
            continue
        # a doccano record has "text" at the top too and so would pass for a JSON-MIN record with
        # no regions: with --replace that would delete every mention of the document
        if key in DOCCANO_KEYS or any(isinstance(v, list) for v in val):
            what = f"{key!r} is a field of doccano records" if key in DOCCANO_KEYS else \
                f"{key!r} holds [start, end, …] lists, as doccano writes, not Label Studio regions"
            raise _refuse(td.where, f"{what}: the file does not look like a Label Studio export", td.path,
                          hint="give --format doccano for a doccano file, or Label Studio's JSON export")
        if val and all(isinstance(v, dict) for v in val) and any("labels" in v for v in val):
            problem = shape_error(val, REGIONS)
            if problem:
                raise _refuse(td.where, f"{key}{problem}", td.path)
            regions.extend(val)
    if not regions and task.get("annotation_id") is None:
        # Label Studio writes annotation_id for an annotated task, even one with no regions; without
        # either the record cannot be told from a task nobody has annotated, so it changes nothing
        td.skip = "not annotated yet (a JSON-MIN record with no regions and no annotation_id)"
        return td
    for n, v in enumerate(regions, 1):
        td.spans.append(_span(v, v.get("labels"), None, f"region {n}", td.text, prefix))
    return td


def _cert(score: float) -> str:
    return repr(min(max(float(score), 0.0), 1.0))


def _span(v: dict, labels, ref, where: str, text: str, prefix) -> ToolSpan:
    start, end = v.get("start"), v.get("end")
    sp = ToolSpan(start, end, "", ref, v.get("text"), where)
    if not isinstance(labels, list) or len(labels) != 1:
        sp.problem = f"a region needs exactly one label, it has {labels!r}"
        return sp
    sp.label = labels[0]
    if isinstance(start, int) and isinstance(end, int):
        try:
            sp.start, sp.end = from_utf16(text, start, prefix), from_utf16(text, end, prefix)
        except ValueError as e:
            sp.problem = f"offsets {start}-{end} (UTF-16): {e}"
    return sp


# -- writing ----------------------------------------------------------------------
def task(doc: Document, authority=None) -> dict:
    text = doc.text
    prefix = utf16_prefix(text)
    result = []
    for k, e in enumerate(sorted(doc.entities, key=lambda e: (e.start, e.end)), 1):
        rid = f"e{k}"
        s, t = to_utf16(text, e.start, prefix), to_utf16(text, e.end, prefix)
        item = {"id": rid, "from_name": "label", "to_name": "text", "type": "labels",
                "value": {"start": s, "end": t, "text": text[e.start:e.end], "labels": [e.label]},
                "origin": "prediction" if e.resp == MACHINE_RESP else "manual"}
        if e.resp == MACHINE_RESP and e.cert is not None:
            try:
                item["score"] = float(e.cert)
            except ValueError:
                pass
        result.append(item)
        if e.ref:
            result.append({"id": rid, "from_name": "ref", "to_name": "text", "type": "textarea",
                           "value": {"start": s, "end": t, "text": [e.ref]}})
    return {"data": {"text": text, "doc_id": doc.id, "title": doc.metadata.get("title") or doc.id},
            "annotations": [{"result": result, "ground_truth": False}]}


def write(doc: Document, out: Path, authority=None) -> list[Path]:
    p = Path(out) / f"{doc.id}{SUFFIX}"
    atomic_write(p, json.dumps([task(doc, authority)], ensure_ascii=False, indent=1) + "\n")
    return [p]


def config_xml() -> str:
    labels = "\n".join(f'    <Label value="{l}" background="{COLOURS[l]}"/>' for l in LABELS)
    return f"""<View>
  <Header value="$doc_id"/>
  <Labels name="label" toName="text">
{labels}
  </Labels>
  <Text name="text" value="$text"/>
  <TextArea name="ref" toName="text" perRegion="true" editable="true" maxSubmissions="1"
            placeholder="authority record id, e.g. district-he-ping"/>
</View>
"""


def write_config(out: Path) -> list[Path]:
    p = Path(out) / CONFIG_FILE
    atomic_write(p, config_xml())
    return [p]
