"""Tool formats: Label Studio, doccano, brat, spaCy DocBin; import refusals, conflicts, round trips."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from corpus_sz.errors import CorpusError
from corpus_sz.formats import brat, labelstudio
from corpus_sz.formats.merge import (MACHINE_RESP, ToolDoc, ToolSpan, export_docs, import_paths, merge,
                                     span_problems)
from corpus_sz.model import Block, Div, Document, Entity, Piece

FORMATS = ["labelstudio", "doccano", "brat", "docbin"]
BIG = "𠀀"  # U+20000, outside the BMP: two UTF-16 code units


def small_doc() -> Document:
    """Two paragraphs; a character outside the BMP before the mentions; one recorded correction."""
    p1 = Block("p", [Piece("text", f"{BIG}和平区与浑南区推进", f"{BIG}和平区与浑南区推进"),
                     Piece("corr", "“十四五”", "“十四五", reason="lost-character", cert="high"),
                     Piece("text", "规划。", "规划。")])
    p2 = Block("p", [Piece("text", f"建设{BIG}{BIG}浑南科技城。", f"建设{BIG}{BIG}浑南科技城。")])
    doc = Document("test-2024", {"title": "test"}, body=[Div("part", "1", [Block("head", [Piece("text", "一、总体", "一、总体")]), p1, p2])])
    t = doc.text
    ents = [Entity(t.index("和平区"), t.index("和平区") + 3, "DISTRICT", "district-he-ping"),
            Entity(t.index("浑南区"), t.index("浑南区") + 3, "DISTRICT", "district-hun-nan"),
            Entity(t.index("“十四五”规划"), t.index("“十四五”规划") + 7, "PROGRAMME", "programme-shi-si-wu-gui-hua"),
            Entity(t.index("浑南科技城"), t.index("浑南科技城") + 5, "ZONE", "zone-hun-nan-ke-ji-cheng",
                   resp=MACHINE_RESP, cert="0.8")]
    doc.entities = [Entity(e.start, e.end, e.label, e.ref, t[e.start:e.end], e.resp, e.cert) for e in ents]
    return doc


def key(ents):
    return sorted((e.start, e.end, e.label, e.ref) for e in ents)


# -- offsets ---------------------------------------------------------------------------
def test_utf16_conversion():
    text = f"a{BIG}b{BIG}c"
    assert [labelstudio.to_utf16(text, i) for i in range(len(text) + 1)] == [0, 1, 3, 4, 6, 7]
    assert [labelstudio.from_utf16(text, j) for j in (0, 1, 3, 4, 6, 7)] == list(range(len(text) + 1))
    with pytest.raises(ValueError, match="surrogate"):
        labelstudio.from_utf16(text, 2)
    assert labelstudio.from_utf16("abc", 2) == 2  # BMP only: identity
    assert labelstudio.from_utf16(text, 9) == 7  # past the end stays past the end


def test_labelstudio_offsets_are_utf16(tmp_path):
    doc = small_doc()
    task = labelstudio.task(doc)
    text = task["data"]["text"]
    assert text == doc.text
    js = text.encode("utf-16-le")  # what JavaScript indexes
    for r in task["annotations"][0]["result"]:
        if r["type"] != "labels":
            continue
        v = r["value"]
        assert js[2 * v["start"]:2 * v["end"]].decode("utf-16-le") == v["text"]
    first = next(r for r in task["annotations"][0]["result"] if r["type"] == "labels")
    assert first["value"]["start"] == doc.entities[0].start + 1  # one character outside the BMP before it


@pytest.mark.parametrize("fmt", FORMATS)
def test_write_read_small_document(fmt, tmp_path):
    if fmt == "docbin":
        pytest.importorskip("spacy")
    from corpus_sz.formats.merge import format_module

    doc = small_doc()
    m = format_module(fmt)
    m.write(doc, tmp_path)
    m.write_config(tmp_path)
    (td,) = m.read(tmp_path / f"{doc.id}{m.SUFFIX}")
    assert td.text == doc.text and td.doc_id == doc.id
    assert sorted((s.start, s.end, s.label, s.ref) for s in td.spans) == key(doc.entities)
    machine = [s for s in td.spans if s.machine]
    assert [(s.label, s.cert) for s in machine] == [("ZONE", "0.8")]
    assert span_problems(doc, td) == []
    res = merge(doc, td)
    assert not res.changed and res.unchanged == 4 and not res.conflicts


def test_labelstudio_surrogate_offset_refused(tmp_path):
    doc = small_doc()
    task = labelstudio.task(doc)
    inside = labelstudio.to_utf16(doc.text, doc.text.index(BIG)) + 1  # between the two halves of 𠀀
    task["annotations"][0]["result"] = [{"id": "x", "from_name": "label", "to_name": "text", "type": "labels",
                                         "value": {"start": inside, "end": inside + 4, "labels": ["DISTRICT"]}}]
    p = tmp_path / "t.json"
    p.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    (td,) = labelstudio.read(p)
    probs = span_problems(doc, td)
    assert len(probs) == 1 and "surrogate" in probs[0] and "region x" in probs[0]


def test_labelstudio_json_min_and_ground_truth(tmp_path):
    doc = small_doc()
    s = doc.text.index("和平区")
    u = labelstudio.to_utf16(doc.text, s)
    p = tmp_path / "min.json"
    p.write_text(json.dumps([{"text": doc.text, "doc_id": doc.id, "id": 7,
                              "label": [{"start": u, "end": u + 3, "text": "和平区", "labels": ["DISTRICT"]}]}],
                            ensure_ascii=False), encoding="utf-8")
    (td,) = labelstudio.read(p)
    assert [(x.start, x.end, x.label) for x in td.spans] == [(s, s + 3, "DISTRICT")]
    task = labelstudio.task(doc)
    task["annotations"].append(dict(task["annotations"][0]))
    p.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CorpusError, match="ground truth"):
        labelstudio.read(p)
    task["annotations"][1]["ground_truth"] = True
    p.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    assert len(labelstudio.read(p)[0].spans) == 4
    task["annotations"] = []
    task["predictions"] = [{"result": []}]
    p.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    assert labelstudio.read(p)[0].skip == "not annotated yet (predictions only)"


def test_brat_normalizations_and_discontinuous(tmp_path):
    doc = small_doc()
    brat.write(doc, tmp_path)
    ann = (tmp_path / f"{doc.id}.ann").read_text(encoding="utf-8")
    s = doc.entities[0].start
    assert f"T1\tDISTRICT {s} {s + 3}\t和平区\n" in ann
    assert "N1\tReference T1 corpus_sz:district-he-ping\t和平区\n" in ann
    (tmp_path / f"{doc.id}.ann").write_text(ann + "T9\tZONE 0 1;2 3\tx y\n", encoding="utf-8")
    (td,) = brat.read(tmp_path / f"{doc.id}.ann")
    assert any("discontinuous" in p for p in span_problems(doc, td))


def test_span_problems_each_reason():
    doc = small_doc()
    t = doc.text
    n = len(t)
    cases = {
        "out of range": ToolSpan(n - 1, n + 3, "ZONE", where="s1"),
        "unknown label": ToolSpan(0, 2, "CITY", where="s2"),
        "crosses a paragraph": ToolSpan(t.index("规划。"), t.index("建设") + 2, "PROJECT", where="s3"),
        "cuts the recorded edit": ToolSpan(t.index("“十四五”") + 1, t.index("规划"), "PROGRAMME", where="s4"),
        "differs from the document text": ToolSpan(0, 3, "DISTRICT", text="xyz", where="s5"),
        "malformed ref": ToolSpan(t.index("和平区"), t.index("和平区") + 3, "DISTRICT", ref="He Ping", where="s6"),
        "cannot name a ZONE": ToolSpan(t.index("浑南科技城"), t.index("浑南科技城") + 5, "ZONE", ref="district-hun-nan",
                                       where="s7"),
    }
    for reason, sp in cases.items():
        probs = span_problems(doc, ToolDoc(t, [sp], where="task 1"))
        assert len(probs) == 1 and reason in probs[0] and sp.where in probs[0], (reason, probs)
    a = t.index("浑南科技城")
    probs = span_problems(doc, ToolDoc(t, [ToolSpan(a, a + 2, "DISTRICT", where="s8"),
                                           ToolSpan(a, a + 5, "ZONE", where="s9")], where="task 1"))
    assert len(probs) == 1 and "overlapping" in probs[0]


def test_merge_conflicts_linking_and_review():
    from corpus_sz.authority import Authority, Record

    doc = small_doc()
    t = doc.text
    auth = Authority([Record("district-he-ping", "DISTRICT", "和平区"),
                      Record("district-hun-nan", "DISTRICT", "浑南区", ["浑南"]),
                      Record("zone-hun-nan-ke-ji-cheng", "ZONE", "浑南科技城"),
                      Record("programme-shi-si-wu-gui-hua", "PROGRAMME", "“十四五”规划")])
    hp, hn, kj = t.index("和平区"), t.index("浑南区"), t.index("浑南科技城")
    spans = [ToolSpan(hp, hp + 3, "ZONE", "zone-hun-nan-ke-ji-cheng", where="a"),  # same span, other label
             ToolSpan(hn, hn + 2, "DISTRICT", None, where="b"),  # overlaps 浑南区
             ToolSpan(kj, kj + 5, "ZONE", None, where="c"),  # confirms the machine annotation (ref from TEI)
             ToolSpan(t.index("建设"), t.index("建设") + 2, "PROJECT", None, where="d")]  # no record: unlinked
    res = merge(doc, ToolDoc(t, spans, where="task 1"), auth)
    assert [c.reason for c in res.conflicts] == ["same span, label DISTRICT → ZONE, ref #district-he-ping → "
                                                 "#zone-hun-nan-ke-ji-cheng", "overlapping spans"]
    assert [s.where for s in res.unlinked] == ["d"]
    assert key(res.entities) == key(doc.entities)  # conflicts never overwrite
    assert next(e for e in res.entities if e.label == "ZONE").resp == MACHINE_RESP  # not a review
    assert not res.changed
    res = merge(doc, ToolDoc(t, spans[2:3], where="task 1"), auth, reviewed=True)
    assert next(e for e in res.entities if e.label == "ZONE").resp is None and res.changed
    assert len(res.reviewed) == 1 and len(res.kept) == 3
    res = merge(doc, ToolDoc(t, [ToolSpan(hn, hn + 3, "DISTRICT", None, where="e")], where="task 1"), auth,
                replace=True)
    assert key(res.entities) == [(hn, hn + 3, "DISTRICT", "district-hun-nan")] and len(res.dropped) == 3
    other = Document("x-2024", {}, body=[Block("p", [Piece("text", "浑南和平区", "浑南和平区")])])
    res = merge(other, ToolDoc("浑南和平区", [ToolSpan(0, 2, "DISTRICT"), ToolSpan(2, 5, "DISTRICT")]), auth)
    assert [e.ref for e in res.linked] == ["district-hun-nan", "district-he-ping"]  # by alias and by name


# -- real documents (repo copy) --------------------------------------------------------
def _snapshot(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.xml"))}


def _clear(folder: Path) -> None:
    from corpus_sz.corpus import component_files
    from corpus_sz.encode import with_entities
    from corpus_sz.tei import read_document, write_document

    for p in component_files(folder):
        d = read_document(p)
        write_document(with_entities(d, []), p)


def _add_machine(folder: Path, doc_id: str) -> None:
    """Mark one mention of a real document as an unreviewed machine annotation."""
    from corpus_sz.encode import with_entities
    from corpus_sz.tei import read_document, write_document

    p = folder / f"{doc_id}.xml"
    d = read_document(p)
    ents = list(d.entities)
    e = ents[0]
    ents[0] = Entity(e.start, e.end, e.label, e.ref, e.text, MACHINE_RESP, "0.75")
    write_document(with_entities(d, ents), p)


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_real_documents(fmt, repo_copy, tmp_path):
    """TEI → tool → TEI: same annotations (and the same bytes), into emptied files and into the same files."""
    if fmt == "docbin":
        pytest.importorskip("spacy")
    import corpus_sz

    ann = repo_copy / "annotations"
    _add_machine(ann, "shenyang-2025")
    before = _snapshot(ann)
    corpus = corpus_sz.load(ann)
    n_ents = sum(len(d.entities) for d in corpus)
    out = tmp_path / fmt
    export_docs(fmt, out, folder=ann)
    # into the same files: nothing changes
    results = import_paths(out, fmt, folder=ann)
    assert all(not r.changed and not r.conflicts and not r.unlinked for r in results)
    assert _snapshot(ann) == before
    results = import_paths(out, fmt, folder=ann, replace=True)
    assert all(not r.changed for r in results) and _snapshot(ann) == before
    # into emptied files: everything comes back, byte for byte
    _clear(ann)
    assert _snapshot(ann) != before
    results = import_paths(out, fmt, folder=ann)
    assert sum(len(r.added) for r in results) == n_ents
    assert _snapshot(ann) == before
    after = corpus_sz.load(ann)
    for d in corpus:
        assert [(e.start, e.end, e.label, e.ref, e.text, e.resp, e.cert) for e in after[d.id].entities] == \
               [(e.start, e.end, e.label, e.ref, e.text, e.resp, e.cert) for e in d.entities]


def test_refusals_leave_files_untouched(repo_copy, tmp_path):
    ann = repo_copy / "annotations"
    export_docs("doccano", tmp_path, ["shenyang-2025"], folder=ann)
    f = tmp_path / "shenyang-2025.jsonl"
    good = json.loads(f.read_text(encoding="utf-8"))
    before = _snapshot(ann)
    text = good["text"]
    para_end = text.index("\n")

    def refused(obj, code, *needles):
        f.write_text(json.dumps(obj, ensure_ascii=False) + "\n", encoding="utf-8")
        with pytest.raises(CorpusError) as ei:
            import_paths(f, "doccano", folder=ann)
        msg = str(ei.value)
        assert ei.value.code == code and ei.value.line == 1 and "line 1" in msg and "nothing was written" in msg, msg
        for n in needles:
            assert n in msg, (n, msg)
        assert _snapshot(ann) == before

    refused({**good, "text": text.replace("沈阳", "沉阳", 1)}, "E501", "differs from the document text", "沉阳")
    refused({**good, "text": text + "多"}, "E501", "1 characters longer")
    refused({**good, "text": text + "\n"}, "E501", "extra whitespace")
    refused({**good, "label": [[0, len(text) + 5, "ZONE"]], "refs": []}, "E502", "out of range", "span 1")
    refused({**good, "label": [[0, 2, "CITY"]], "refs": []}, "E502", "unknown label 'CITY'")
    refused({**good, "label": [[para_end - 2, para_end + 2, "ZONE"]], "refs": []}, "E502", "crosses a paragraph")
    refused({**good, "label": [[0, 4, "ZONE"], [2, 6, "ZONE"]], "refs": []}, "E502", "overlapping")
    f.write_text(json.dumps({**good, "doc_id": "nowhere-2024"}, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="unknown document id 'nowhere-2024'"):
        import_paths(f, "doccano", folder=ann)
    assert _snapshot(ann) == before


def test_conflicts_reported_not_overwritten(repo_copy, tmp_path):
    import corpus_sz

    ann = repo_copy / "annotations"
    export_docs("doccano", tmp_path, ["shenyang-2025"], folder=ann)
    f = tmp_path / "shenyang-2025.jsonl"
    obj = json.loads(f.read_text(encoding="utf-8"))
    s, e, label = obj["label"][0]
    other = "ZONE" if label != "ZONE" else "PROJECT"
    obj["label"][0] = [s, e, other]  # relabelled in the tool, ref kept: a conflict
    obj["refs"] = [r for r in obj["refs"] if (r[0], r[1]) != (s, e)]
    f.write_text(json.dumps(obj, ensure_ascii=False) + "\n", encoding="utf-8")
    before = _snapshot(ann)
    (res,) = import_paths(f, "doccano", folder=ann)
    assert len(res.conflicts) == 1 and "same span" in res.conflicts[0].reason and not res.changed
    assert _snapshot(ann) == before
    with pytest.raises(CorpusError, match="conflict"):
        import_paths(f, "doccano", folder=ann, strict=True)
    # --replace takes the tool's version (it has no record for the new label: unlinked, so the mention goes)
    (res,) = import_paths(f, "doccano", folder=ann, replace=True)
    assert res.changed and len(res.dropped) == 1 and len(res.unlinked) == 1
    doc = corpus_sz.load(ann)["shenyang-2025"]
    assert (s, e) not in {(x.start, x.end) for x in doc.entities}


def test_cli_export_import_and_error_line(repo_copy, tmp_path):
    env = dict(os.environ, CORPUS_SZ_ROOT=str(repo_copy))
    out = tmp_path / "ls"
    r = subprocess.run([sys.executable, "-m", "corpus_sz.cli", "export", "--format", "labelstudio", "--out", str(out),
                        "shenyang-2025"], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert (out / "shenyang-2025.json").exists() and (out / "labelstudio-config.xml").exists()
    data = json.loads((out / "shenyang-2025.json").read_text(encoding="utf-8"))
    data[0]["data"]["text"] = data[0]["data"]["text"][:-1]
    (out / "shenyang-2025.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "corpus_sz.cli", "import", str(out / "shenyang-2025.json")],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "[E501]" in lines[0] and "shenyang-2025" in lines[0] and "task" in lines[0]


def test_add_records():
    from corpus_sz.authority import Authority, Record
    from corpus_sz.formats.merge import RecordBook

    doc = small_doc()
    doc.entities = []
    t = doc.text
    auth = Authority([Record("district-hun-nan", "DISTRICT", "浑南区")])
    book = RecordBook(auth)
    kj, hn, hp = t.index("浑南科技城"), t.index("浑南区"), t.index("和平区")
    spans = [ToolSpan(kj, kj + 5, "ZONE", None, where="a"),
             ToolSpan(hn, hn + 2, "DISTRICT", "district-hun-nan", where="b"),  # a new alias
             ToolSpan(hp, hp + 3, "DISTRICT", "district-he-ping", where="c")]  # a ref not in the file
    res = merge(doc, ToolDoc(t, spans), auth, records=book)
    assert [e.ref for e in res.added] == ["district-he-ping", "district-hun-nan", "zone-hun-nan-ke-ji-cheng"]
    assert not res.unlinked and not res.unknown_refs
    assert book.lines() == ["new record `district-he-ping` (DISTRICT) 和平区",
                            "new record `zone-hun-nan-ke-ji-cheng` (ZONE) 浑南科技城",
                            "new aliases of `district-hun-nan`: 浑南"]
    new = book.updated()
    assert new["district-hun-nan"].aliases == ["浑南"] and new["zone-hun-nan-ke-ji-cheng"].name == "浑南科技城"
    assert book.mint("ZONE", "浑南科技城") == "zone-hun-nan-ke-ji-cheng"  # the same name: the same record


# -- robustness: refs without a record, wiped documents, malformed records ---------------------------
def test_span_problems_unknown_ref():
    from corpus_sz.authority import Authority, Record

    doc = small_doc()
    t = doc.text
    hp = t.index("和平区")
    auth = Authority([Record("district-hun-nan", "DISTRICT", "浑南区")])
    td = ToolDoc(t, [ToolSpan(hp, hp + 3, "DISTRICT", "district-he-ping", where="s1")], where="task 1")
    (p,) = span_problems(doc, td, auth)
    assert "ref #district-he-ping is not a record of authority.xml" in p and "--add-records" in p and "s1" in p
    assert span_problems(doc, td, auth, add_records=True) == []  # the import creates the record


def _free_span(doc: Document) -> tuple[int, int]:
    """Two characters of ``doc`` that no mention touches and that make a usable mention."""
    taken = [(e.start, e.end) for e in doc.entities]
    for i in range(len(doc.text) - 2):
        if any(a < i + 2 and i < b for a, b in taken):
            continue
        if not span_problems(doc, ToolDoc(doc.text, [ToolSpan(i, i + 2, "PROGRAMME")])):
            return i, i + 2
    raise AssertionError("no free span")


def _add_mention(fmt: str, out: Path, doc_id: str, s: int, e: int, surface: str, ref: str) -> Path:
    """Add one PROGRAMME mention with ``ref`` to the exported file of ``doc_id``; the file to import."""
    if fmt == "doccano":
        f = out / f"{doc_id}.jsonl"
        obj = json.loads(f.read_text(encoding="utf-8"))
        obj["label"].append([s, e, "PROGRAMME"])
        obj["refs"].append([s, e, ref])
        f.write_text(json.dumps(obj, ensure_ascii=False) + "\n", encoding="utf-8")
    elif fmt == "brat":
        f = out / f"{doc_id}.ann"
        f.write_text(f.read_text(encoding="utf-8") + f"T999\tPROGRAMME {s} {e}\t{surface}\n"
                     f"N999\tReference T999 corpus_sz:{ref}\t{surface}\n", encoding="utf-8")
    else:
        f = out / f"{doc_id}.json"
        tasks = json.loads(f.read_text(encoding="utf-8"))
        text = tasks[0]["data"]["text"]
        u, v = labelstudio.to_utf16(text, s), labelstudio.to_utf16(text, e)
        tasks[0]["annotations"][0]["result"] += [
            {"id": "zz", "from_name": "label", "to_name": "text", "type": "labels",
             "value": {"start": u, "end": v, "text": surface, "labels": ["PROGRAMME"]}},
            {"id": "zz", "from_name": "ref", "to_name": "text", "type": "textarea",
             "value": {"start": u, "end": v, "text": [ref]}}]
        f.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return f


@pytest.mark.parametrize("fmt", ["labelstudio", "doccano", "brat"])
def test_unknown_ref_refused_unless_add_records(fmt, repo_copy, tmp_path):
    """A ref to no authority record is refused (with or without --strict); --add-records creates it."""
    import corpus_sz
    from corpus_sz.validate import validate_paths

    ann = repo_copy / "annotations"
    doc = corpus_sz.load(ann)["shenyang-2025"]
    s, e = _free_span(doc)
    export_docs(fmt, tmp_path, ["shenyang-2025"], folder=ann)
    f = _add_mention(fmt, tmp_path, "shenyang-2025", s, e, doc.text[s:e], "programme-not-in-the-file")
    before = _snapshot(ann)
    for strict in (False, True):
        with pytest.raises(CorpusError) as ei:
            import_paths(f, fmt, folder=ann, strict=strict)
        msg = str(ei.value)
        assert ei.value.code == "E502" and "#programme-not-in-the-file is not a record of authority.xml" in msg, msg
        assert "--add-records" in msg and "nothing was written" in msg
        assert _snapshot(ann) == before and "programme-not-in-the-file" not in (ann / "authority.xml").read_text()
    (res,) = import_paths(f, fmt, folder=ann, strict=True, add_records=True)
    assert [x.ref for x in res.added] == ["programme-not-in-the-file"]
    assert corpus_sz.load(ann).authority["programme-not-in-the-file"].label == "PROGRAMME"
    report = validate_paths([ann])
    assert report.ok, [str(x) for x in report.errors]


def test_cli_strict_refuses_unknown_ref(repo_copy, tmp_path):
    import corpus_sz

    ann = repo_copy / "annotations"
    doc = corpus_sz.load(ann)["shenyang-2025"]
    s, e = _free_span(doc)
    export_docs("doccano", tmp_path, ["shenyang-2025"], folder=ann)
    f = _add_mention("doccano", tmp_path, "shenyang-2025", s, e, doc.text[s:e], "programme-not-in-the-file")
    before = _snapshot(ann)
    env = dict(os.environ, CORPUS_SZ_ROOT=str(repo_copy))
    r = subprocess.run([sys.executable, "-m", "corpus_sz.cli", "import", str(f), "--strict"],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert "[E502]" in r.stderr and f"{f}:1:" in r.stderr and "not a record of authority.xml" in r.stderr
    assert _snapshot(ann) == before


def test_brat_missing_ann_refused(repo_copy, tmp_path):
    """A brat .txt without its .ann is an error, not a document without mentions (--replace would wipe it)."""
    ann = repo_copy / "annotations"
    export_docs("brat", tmp_path, ["shenyang-2025"], folder=ann)
    (tmp_path / "shenyang-2025.ann").unlink()
    before = _snapshot(ann)
    with pytest.raises(CorpusError) as ei:
        import_paths(tmp_path / "shenyang-2025.txt", folder=ann, replace=True)
    assert ei.value.code == "E503" and ei.value.path == str(tmp_path / "shenyang-2025.ann")
    assert "no annotation file" in str(ei.value)
    # another format under the .ann name is not brat: refused, not read as no mentions
    (tmp_path / "shenyang-2025.ann").write_text('{"text": "x", "label": []}\n', encoding="utf-8")
    with pytest.raises(CorpusError, match="not a brat annotation line") as ei:
        import_paths(tmp_path / "shenyang-2025.ann", folder=ann, replace=True)
    assert ei.value.code == "E503" and ei.value.line == 1
    assert _snapshot(ann) == before


def test_format_mismatch_refused(repo_copy, tmp_path):
    """A file that is not of the declared format is refused before anything is written, even with --replace."""
    ann = repo_copy / "annotations"
    export_docs("doccano", tmp_path / "dc", ["shenyang-2025"], folder=ann)
    export_docs("labelstudio", tmp_path / "ls", ["shenyang-2025"], folder=ann)
    dc, ls = tmp_path / "dc" / "shenyang-2025.jsonl", tmp_path / "ls" / "shenyang-2025.json"
    before = _snapshot(ann)
    # doccano read as Label Studio: it has "text" at the top, as a JSON-MIN record does
    with pytest.raises(CorpusError, match="does not look like a Label Studio export.*--format doccano") as ei:
        import_paths(dc, "labelstudio", folder=ann, replace=True)
    assert ei.value.code == "E503" and "task 1" in str(ei.value)
    two = tmp_path / "two.jsonl"  # two JSON values, one per line: JSON Lines
    two.write_text(dc.read_text(encoding="utf-8") * 2, encoding="utf-8")
    with pytest.raises(CorpusError, match="--format doccano") as ei:
        import_paths(two, "labelstudio", folder=ann, replace=True)
    assert ei.value.code == "E503" and ei.value.line == 2
    # Label Studio read as doccano: its export spans lines; one task on one line is a task too
    with pytest.raises(CorpusError, match="--format labelstudio") as ei:
        import_paths(ls, "doccano", folder=ann, replace=True)
    assert ei.value.code == "E503"
    one = tmp_path / "one.jsonl"
    one.write_text(json.dumps(json.loads(ls.read_text(encoding="utf-8")), ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="is a Label Studio task") as ei:
        import_paths(one, "doccano", folder=ann, replace=True)
    assert ei.value.line == 1
    assert _snapshot(ann) == before
    # a JSON-MIN record with neither regions nor an annotation_id is an unannotated task: it changes nothing
    text = json.loads(ls.read_text(encoding="utf-8"))[0]["data"]["text"]
    ls.write_text(json.dumps([{"id": 1, "text": text, "doc_id": "shenyang-2025", "label": []}], ensure_ascii=False),
                  encoding="utf-8")
    (res,) = import_paths(ls, "labelstudio", folder=ann, replace=True)
    assert res.skipped and "not annotated" in res.skipped and not res.changed and not res.dropped
    assert _snapshot(ann) == before


def _ls_task(tmp_path: Path, ann: Path) -> tuple[Path, list]:
    export_docs("labelstudio", tmp_path, ["shenyang-2025"], folder=ann)
    f = tmp_path / "shenyang-2025.json"
    return f, json.loads(f.read_text(encoding="utf-8"))


LS_BROKEN = {
    "doc_id a list": (lambda t: t["data"].__setitem__("doc_id", ["shenyang-2025"]), "data.doc_id: should be a string"),
    "annotations a string": (lambda t: t.__setitem__("annotations", "abc"), "annotations: should be a list"),
    "result of strings": (lambda t: t["annotations"][0].__setitem__("result", ["oops"]),
                          "annotations[0].result[0]: should be an object"),
    "result a dict": (lambda t: t["annotations"][0].__setitem__("result", {"a": 1}),
                      "annotations[0].result: should be a list"),
    "value a list": (lambda t: t["annotations"][0]["result"][0].__setitem__("value", [1, 2]),
                     "annotations[0].result[0].value: should be an object"),
    "region without labels": (lambda t: t["annotations"][0]["result"][0]["value"].pop("labels"),
                              "annotations[0].result[0].value: 'labels' is a required property"),
    "cancelled as a string": (lambda t: t["annotations"][0].__setitem__("was_cancelled", "false"),
                              "annotations[0].was_cancelled: should be true or false"),
}


@pytest.mark.parametrize("case", list(LS_BROKEN))
def test_labelstudio_malformed_task_refused(case, repo_copy, tmp_path):
    """A task or region of the wrong shape: E503 naming the task and field; never skipped, never a traceback."""
    ann = repo_copy / "annotations"
    f, tasks = _ls_task(tmp_path, ann)
    break_it, needle = LS_BROKEN[case]
    break_it(tasks[0])
    f.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    before = _snapshot(ann)
    with pytest.raises(CorpusError) as ei:
        import_paths(f, folder=ann, replace=True)
    msg = str(ei.value)
    assert ei.value.code == "E503" and "task 1: " in msg and needle in msg and str(f) in msg, msg
    assert _snapshot(ann) == before


DC_BROKEN = {
    "doc_id a list": (lambda o: o.__setitem__("doc_id", ["shenyang-2025"]), "doc_id: should be a string"),
    "doc_id a dict": (lambda o: o.__setitem__("doc_id", {"a": 1}), "doc_id: should be a string"),
    "span with a list offset": (lambda o: o["label"].append([[1], 2, "ZONE"]), "][0]: should be an integer"),
    "span with a list label": (lambda o: o["label"].append([1, 2, ["ZONE"]]), "][2]: should be a string"),
    "span of two items": (lambda o: o["label"].append([1, 2]), "should have 3 items, not 2"),
    "ref with a list offset": (lambda o: o["refs"].append([[1], 2, "x"]), "refs["),
    "refs not a list": (lambda o: o.__setitem__("refs", {"a": 1}), "refs: should be a list"),
    "machine entry a number": (lambda o: o.__setitem__("machine", [5]), "machine[0]: should be a list"),
}


@pytest.mark.parametrize("case", list(DC_BROKEN))
def test_doccano_malformed_line_refused(case, repo_copy, tmp_path):
    ann = repo_copy / "annotations"
    export_docs("doccano", tmp_path, ["shenyang-2025"], folder=ann)
    f = tmp_path / "shenyang-2025.jsonl"
    obj = json.loads(f.read_text(encoding="utf-8"))
    break_it, needle = DC_BROKEN[case]
    break_it(obj)
    f.write_text(json.dumps(obj, ensure_ascii=False) + "\n", encoding="utf-8")
    before = _snapshot(ann)
    with pytest.raises(CorpusError) as ei:
        import_paths(f, folder=ann, replace=True)
    msg = str(ei.value)
    assert ei.value.code == "E503" and ei.value.line == 1 and f"{f}:1: " in msg and "line 1: " in msg, msg
    assert needle in msg, msg
    assert _snapshot(ann) == before


def test_docbin_malformed_and_changed_text_refused(repo_copy, tmp_path):
    pytest.importorskip("spacy")
    from spacy.tokens import Doc, DocBin
    from spacy.vocab import Vocab

    import corpus_sz

    ann = repo_copy / "annotations"
    text = corpus_sz.load(ann)["shenyang-2025"].text
    before = _snapshot(ann)

    def docbin(t: str, **user_data) -> Path:
        d = Doc(Vocab(), words=list(t), spaces=[False] * len(t))
        d.user_data.update(user_data)
        db = DocBin(store_user_data=True)
        db.add(d)
        p = tmp_path / "x.spacy"
        db.to_disk(p)
        return p

    for user_data, needle in [({"doc_id": ["shenyang-2025"]}, "user_data.doc_id: should be a string"),
                              ({"doc_id": "shenyang-2025", "machine": [5]}, "user_data.machine[0]: should be a list")]:
        with pytest.raises(CorpusError) as ei:
            import_paths(docbin(text, **user_data), folder=ann, replace=True)
        assert ei.value.code == "E503" and "doc 1: " in str(ei.value) and needle in str(ei.value), str(ei.value)
    with pytest.raises(CorpusError, match="differs from the document text") as ei:
        import_paths(docbin(text.replace("沈阳", "沉阳", 1), doc_id="shenyang-2025"), folder=ann, replace=True)
    assert ei.value.code == "E501"
    (tmp_path / "y.spacy").write_text('{"text": "not a DocBin"}', encoding="utf-8")
    with pytest.raises(CorpusError, match="not a spaCy DocBin file") as ei:
        import_paths(tmp_path / "y.spacy", folder=ann, replace=True)
    assert ei.value.code == "E503"
    assert _snapshot(ann) == before
