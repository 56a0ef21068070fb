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
from .merge import E503, MACHINE_RESP, ToolDoc, ToolSpan

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
        raise CorpusError(E503, f"invalid JSON: {e.msg}", path=str(path), line=e.lineno, col=e.colno,
                          hint="give Label Studio's JSON export (not CSV or CONLL)") from None


def read(path: Path) -> list[ToolDoc]:
    data = _load(path)
    tasks = data if isinstance(data, list) else [data]
    out = []
    for k, task in enumerate(tasks, 1):
        if not isinstance(task, dict):
            raise CorpusError(E503, f"task {k} is not a JSON object", path=str(path))
        out.append(_task(task, k, str(path)))
    return out


def _task(task: dict, k: int, path: str) -> ToolDoc:
    where = f"task {task.get('id', k)}"
    if "data" in task and isinstance(task["data"], dict):
        data = task["data"]
        minimal = False
    else:  # JSON-MIN: the data fields at the top, one list of regions per labelling tag
        data, minimal = task, True
    text = data.get("text")
    if not isinstance(text, str):
        raise CorpusError(E503, f"{where} has no text (data.text)", path=path,
                          hint="the labelling config must show the text as $text")
    meta = task.get("meta") if isinstance(task.get("meta"), dict) else {}
    doc_id = data.get("doc_id") or meta.get("doc_id")
    td = ToolDoc(text, [], doc_id, where, path)
    prefix = utf16_prefix(text)
    if minimal:
        regions = []
        for key, val in task.items():
            if isinstance(val, list) and all(isinstance(v, dict) and "labels" in v for v in val):
                regions.extend(val)
        for n, v in enumerate(regions, 1):
            td.spans.append(_span(v, v.get("labels"), None, f"region {n}", text, prefix))
        return td
    anns = [a for a in task.get("annotations") or [] if isinstance(a, dict) and not a.get("was_cancelled")]
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
    results = anns[0].get("result") or []
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
