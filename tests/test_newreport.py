"""`corpus-sz new-report`: a new report goes in, is annotated in Label Studio, validates and is built."""

import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from corpus_sz.errors import CorpusError

BIG = "𠀀"

SEED = f"""铁西区2024年政府工作报告

——2024年1月10日在沈阳市铁西区第十八届人民代表大会第四次会议上
区长  张三

各位代表:

现在,我代表区人民政府,向大会报告工作,请予审议。

一、2023年工作回顾

过去一年,我们坚持稳中求进工作总基调,经济运行稳中向好。

(一)坚持项目为王。全年实施亿元以上项目120个,重点项目建设加快推进。

产业升级步伐加快。推进“十四五”规划实施,和平区、于洪区协同发展。

二、2024年工作安排

（二）推动工业振兴
实施{BIG}工程,推进铁西区老工业基地调整改造。

各位代表,让我们携手奋进!
"""

META = {
    "title": "铁西区2024年政府工作报告",
    "title_supplied": False,
    "issuer": "沈阳市铁西区人民政府",
    "level": "district",
    "admin_code": "210106",
    "place": "辽宁省沈阳市铁西区",
    "date": "2024-01-10",
    "date_type": "delivered",
    "speaker": "张三",
    "session": "沈阳市铁西区第十八届人民代表大会第四次会议",
    "source": "test fixture",
    "year_reviewed": 2023,
    "year_planned": 2024,
    "kind": "full",
    "language": "zh-Hans",
    "notes": {},
}


@pytest.fixture()
def inputs(tmp_path):
    seed = tmp_path / "in" / "report.txt"
    seed.parent.mkdir()
    seed.write_text(SEED, encoding="utf-8")
    meta = tmp_path / "in" / "meta.json"
    meta.write_text(json.dumps(META, ensure_ascii=False, indent=2), encoding="utf-8")
    return seed, meta


def _state(root: Path) -> dict:
    return {str(p.relative_to(root)): p.read_bytes() for d in ("seeds", "annotations")
            for p in sorted((root / d).rglob("*")) if p.is_file()}


def _js_offset(text: str, i: int) -> int:
    """What JavaScript (Label Studio) counts: UTF-16 code units."""
    return len(text[:i].encode("utf-16-le")) // 2


def test_new_report_annotate_validate_build(repo_copy, inputs, tmp_path):
    import corpus_sz
    from corpus_sz.build import build
    from corpus_sz.formats.merge import export_docs, import_paths
    from corpus_sz.newreport import new_report
    from corpus_sz.validate import validate_paths

    seed, meta = inputs
    res = new_report(seed, "tiexi-2024", meta)
    ann = repo_copy / "annotations"
    seed_name = res.seed_file
    assert seed_name.startswith("005_") and len(seed_name) == len("005_") + 16 + 4
    assert (repo_copy / "seeds" / seed_name).read_bytes() == seed.read_bytes()
    man = json.loads((repo_copy / "seeds" / "manifest.json").read_text(encoding="utf-8"))
    entry = man["seeds"][-1]
    assert entry["id"] == "tiexi-2024" and entry["recipe"] == "generic" and entry["bytes"] == len(seed.read_bytes())
    md = json.loads((repo_copy / "seeds" / "metadata" / "tiexi-2024.json").read_text(encoding="utf-8"))
    assert md["id"] == "tiexi-2024" and md["seed"] == seed_name
    assert 'href="tiexi-2024.xml"' in (ann / "corpus.xml").read_text(encoding="utf-8")

    doc = corpus_sz.load()["tiexi-2024"]
    assert [b.kind for b in doc.front] == ["title", "dateline", "byline"]
    heads = [(p.kind, p.text) for p in doc.paragraphs if p.kind == "head"]
    assert heads == [("head", "一、2023年工作回顾"), ("head", "(一)坚持项目为王。"), ("head", "产业升级步伐加快。"),
                     ("head", "二、2024年工作安排"), ("head", "（二）推动工业振兴")]
    assert validate_paths([ann]).ok

    # annotate in Label Studio: export the task, add regions as the tool would (UTF-16 offsets), import
    out = tmp_path / "ls"
    export_docs("labelstudio", out, ["tiexi-2024"])
    f = out / "tiexi-2024.json"
    tasks = json.loads(f.read_text(encoding="utf-8"))
    text = tasks[0]["data"]["text"]
    assert text == doc.text
    regions = [("和平区", "DISTRICT", "district-he-ping"), ("于洪区", "DISTRICT", None),
               ("铁西区老工业基地", None, None), ("铁西区", "DISTRICT", "district-tie-xi")]
    result = []
    pos = {}
    for k, (surface, label, ref) in enumerate(regions):
        if label is None:
            pos[surface] = text.index(surface)
            continue
        i = text.index(surface, pos.get("铁西区老工业基地", 0) if surface == "铁西区" else 0)
        s, e = _js_offset(text, i), _js_offset(text, i + len(surface))
        result.append({"id": f"r{k}", "from_name": "label", "to_name": "text", "type": "labels", "origin": "manual",
                       "value": {"start": s, "end": e, "text": surface, "labels": [label]}})
        if ref:
            result.append({"id": f"r{k}", "from_name": "ref", "to_name": "text", "type": "textarea",
                           "value": {"start": s, "end": e, "text": [ref]}})
    tie_xi = text.index("铁西区老工业基地")
    assert _js_offset(text, tie_xi) == tie_xi + 1  # 𠀀 before it: the offsets differ
    tasks[0]["annotations"] = [{"id": 1, "result": result, "was_cancelled": False}]
    f.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    (r,) = import_paths(f)
    assert len(r.added) == 3 and [e.ref for e in r.linked] == ["district-yu-hong"] and not r.unlinked
    report = validate_paths([ann])
    assert report.ok, [str(e) for e in report.errors]

    doc = corpus_sz.load()["tiexi-2024"]
    assert [(e.text, e.label, e.ref) for e in doc.entities] == [
        ("和平区", "DISTRICT", "district-he-ping"), ("于洪区", "DISTRICT", "district-yu-hong"),
        ("铁西区", "DISTRICT", "district-tie-xi")]
    assert doc.entities[-1].start == tie_xi

    # a mention of something the authority file does not know yet: reported, then created on request
    i = text.index("老工业基地调整改造")
    s, e = _js_offset(text, i), _js_offset(text, i + 9)
    result.append({"id": "new", "from_name": "label", "to_name": "text", "type": "labels", "origin": "manual",
                   "value": {"start": s, "end": e, "text": "老工业基地调整改造", "labels": ["PROGRAMME"]}})
    f.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    (r,) = import_paths(f)
    assert not r.changed and [x.where for x in r.unlinked] == ["region new"] and r.unchanged == 3
    results = import_paths(f, add_records=True)
    assert results.records.lines() == ["new record `programme-lao-gong-ye-ji-di-tiao-zheng-gai-zao` (PROGRAMME) "
                                       "老工业基地调整改造"]
    assert corpus_sz.load().authority["programme-lao-gong-ye-ji-di-tiao-zheng-gai-zao"].label == "PROGRAMME"
    report = validate_paths([ann])
    assert report.ok, [str(e) for e in report.errors]

    summary = build(tmp_path / "build")
    assert (tmp_path / "build" / "text" / "tiexi-2024.txt").read_text(encoding="utf-8") == doc.text
    assert (tmp_path / "build" / "tei" / "tiexi-2024.xml").exists()
    ents = [json.loads(l) for l in (tmp_path / "build" / "jsonl" / "entities.jsonl").read_text(encoding="utf-8")
            .splitlines()]
    assert sum(1 for e in ents if e["doc_id"] == "tiexi-2024") == 4
    assert any("built 6 documents" in line for line in summary)
    # the dataset card counts the new report and its district, and lists it in the ner train split
    card = (tmp_path / "build" / "hf" / "README.md").read_text(encoding="utf-8")
    assert "of Shenyang city and three of its districts," in card and "The sources are six scraped web pages" in card
    assert "| train | shenyang-2021, heping-2023, hunnan-2021, tiexi-2024 | " in card


def test_refusals_write_nothing(repo_copy, inputs, tmp_path):
    from corpus_sz.newreport import new_report

    seed, meta = inputs
    before = _state(repo_copy)
    bad = dict(META, level="town")
    del bad["kind"]
    meta.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CorpusError) as ei:
        new_report(seed, "tiexi-2024", meta)
    msg = str(ei.value)
    assert ei.value.code == "E505" and str(meta) in msg
    assert "'kind' is a required property" in msg and "level: 'town' is not one of" in msg
    meta.write_text(json.dumps(META, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CorpusError, match="is taken"):
        new_report(seed, "shenyang-2024", meta)
    with pytest.raises(CorpusError, match="does not match"):  # the id pattern of the schema
        new_report(seed, "Tiexi 2024", meta)
    bom = tmp_path / "bom.txt"
    bom.write_bytes(b"\xef\xbb\xbf" + SEED.encode("utf-8"))
    with pytest.raises(CorpusError, match="byte-order mark"):
        new_report(bom, "tiexi-2024", meta)
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(SEED.replace(BIG, "").encode("gb18030"))
    with pytest.raises(CorpusError, match="UTF-8"):
        new_report(gbk, "tiexi-2024", meta)
    dup = tmp_path / "dup.txt"
    dup.write_bytes((repo_copy / "seeds" / "002_0391023c4a769222.txt").read_bytes())
    with pytest.raises(CorpusError, match="already in the corpus as 002_"):
        new_report(dup, "tiexi-2024", meta)
    assert _state(repo_copy) == before


def _fake_pipeline(monkeypatch, **functions):
    """Stand in for corpus_sz.pipeline with a module holding only ``functions``."""
    import corpus_sz

    fake = types.ModuleType("corpus_sz.pipeline")
    for name, f in functions.items():
        setattr(fake, name, f)
    monkeypatch.setitem(sys.modules, "corpus_sz.pipeline", fake)
    monkeypatch.setattr(corpus_sz, "pipeline", fake, raising=False)


def test_preannotate_marks_machine_mentions(repo_copy, inputs, monkeypatch, tmp_path):
    """Suggestions without a usable record are kept unlinked (E211 only), read, built and linked on import."""
    import corpus_sz
    from corpus_sz.build import build
    from corpus_sz.formats.merge import export_docs, import_paths
    from corpus_sz.model import Entity
    from corpus_sz.newreport import new_report
    from corpus_sz.validate import validate_paths

    def tag_document(doc):
        t = doc.text
        i, j, k, w = t.index("和平区"), t.index("于洪区"), t.index("铁西区老工业基地"), t.index("工作")
        return [Entity(i, i + 3, "DISTRICT", None, cert="0.9"),  # linked by name
                Entity(i + 1, i + 3, "DISTRICT", None),  # overlaps: left out
                Entity(j, j + 3, "DISTRICT", "district-no-such", cert="high"),  # unknown ref: linked by name
                Entity(k, k + 8, "PROJECT", "project-no-such", cert="high"),  # unknown ref, no name: unlinked
                Entity(w, w + 2, "PROGRAMME", "district-he-ping")]  # a record of another label: unlinked

    seed, meta = inputs
    with monkeypatch.context() as m:  # the real pipeline is back for build
        _fake_pipeline(m, tag_document=tag_document)
        res = new_report(seed, "tiexi-2024", meta, preannotate_=True)
    assert res.machine == 4
    assert res.notes == ["pre-annotated 4 mentions (resp=#corpus_sz_tagger), 2 of them without an authority record; "
                         "review them before merging; 1 suggestions with an unusable span were left out"]
    ents = corpus_sz.load()["tiexi-2024"].entities
    # "high" is only for a linked span (docs/contributing.md): an unlinked one says medium
    assert [(e.text, e.ref, e.resp, e.cert) for e in ents] == [
        ("工作", None, "#corpus_sz_tagger", "unknown"),
        ("和平区", "district-he-ping", "#corpus_sz_tagger", "0.9"),
        ("于洪区", "district-yu-hong", "#corpus_sz_tagger", "high"),
        ("铁西区老工业基地", None, "#corpus_sz_tagger", "medium")]
    xml = (repo_copy / "annotations" / "tiexi-2024.xml").read_text(encoding="utf-8")
    assert '<name type="project" resp="#corpus_sz_tagger" cert="medium">铁西区老工业基地</name>' in xml
    report = validate_paths([repo_copy / "annotations"])  # the schemas accept it; no E204: the seed is registered
    assert [x.code for x in report.errors] == ["E211"] * 4
    assert sum("has no authority record" in x.message for x in report.errors) == 2

    # build releases what the files hold (as for linked machine mentions), ref null, and says so
    summary = build(tmp_path / "build")
    rows = [json.loads(line) for line in (tmp_path / "build" / "jsonl" / "entities.jsonl")
            .read_text(encoding="utf-8").splitlines()]
    assert [r["ref"] for r in rows if r["doc_id"] == "tiexi-2024"] == [None, "district-he-ping", "district-yu-hong",
                                                                        None]
    assert any(line.startswith("note:  4 mentions are unreviewed machine suggestions (2 without") for line in summary)

    # review in Label Studio: delete one suggestion, link one to a new record, confirm the rest
    out = tmp_path / "ls"
    export_docs("labelstudio", out, ["tiexi-2024"])
    f = out / "tiexi-2024.json"
    tasks = json.loads(f.read_text(encoding="utf-8"))
    result = tasks[0]["annotations"][0]["result"]
    gone = next(r["id"] for r in result if r["value"].get("text") == "工作")
    tasks[0]["annotations"][0]["result"] = [r for r in result if r["id"] != gone]
    f.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    (r,) = import_paths(f, replace=True, reviewed=True, add_records=True)
    assert validate_paths([repo_copy / "annotations"]).ok
    ents = corpus_sz.load()["tiexi-2024"].entities
    assert [(e.text, e.ref, e.resp) for e in ents] == [
        ("和平区", "district-he-ping", None), ("于洪区", "district-yu-hong", None),
        ("铁西区老工业基地", "project-tie-xi-qu-lao-gong-ye-ji-di", None)]


def test_preannotate_unknown_ref_of_the_tagger(repo_copy, inputs, monkeypatch):
    """A ref the model knows but authority.xml does not: dropped, and the cert is that of an unlinked span."""
    import corpus_sz
    from corpus_sz.pipeline.tagging import Tagged

    def predict_document(nlp, text):
        k = text.index("铁西区老工业基地")
        return [Tagged(k, k + 8, "PROJECT", text[k:k + 8], "project-gone", "tagger", "name", 0.95),
                Tagged(k + 8, k + 10, "PROGRAMME", text[k + 8:k + 10], "programme-gone", "gazetteer", "name")]

    _fake_pipeline(monkeypatch, load_pipeline=lambda: object())
    tagging = types.ModuleType("corpus_sz.pipeline.tagging")
    tagging.predict_document = predict_document
    monkeypatch.setitem(sys.modules, "corpus_sz.pipeline.tagging", tagging)
    from corpus_sz.newreport import new_report

    seed, meta = inputs
    res = new_report(seed, "tiexi-2024", meta, preannotate_=True)
    assert res.machine == 2
    ents = corpus_sz.load()["tiexi-2024"].entities
    assert [(e.text, e.ref, e.cert) for e in ents] == [("铁西区老工业基地", None, "medium"), ("调整", None, "low")]


def test_cli_without_tagger(repo_copy, inputs):
    seed, meta = inputs
    env = dict(os.environ, CORPUS_SZ_ROOT=str(repo_copy))
    code = ("import sys; sys.modules['corpus_sz.pipeline'] = None; from corpus_sz.cli import app; "
            "app(sys.argv[1:])")
    r = subprocess.run([sys.executable, "-c", code, "new-report", str(seed), "--id", "tiexi-2024", "--meta", str(meta),
                        "--preannotate"], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert "no pre-annotation: the tagger is not available" in r.stdout
    assert "tiexi-2024: " in r.stdout and "wrote" in r.stdout
    r = subprocess.run([sys.executable, "-m", "corpus_sz.cli", "new-report", str(seed), "--id", "tiexi-2024",
                        "--meta", str(meta)], capture_output=True, text=True, env=env)
    assert r.returncode == 2 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "[E505]" in r.stderr


def test_preannotate_without_trained_model(repo_copy, inputs, monkeypatch):
    """The pipeline package is there but has no trained model: the report is added, without suggestions."""
    import corpus_sz
    from corpus_sz.newreport import new_report

    def load_pipeline(path=None):
        raise CorpusError("E501", "no trained pipeline here", hint="train one with `corpus-sz train`")

    _fake_pipeline(monkeypatch, load_pipeline=load_pipeline)
    seed, meta = inputs
    res = new_report(seed, "tiexi-2024", meta, preannotate_=True)
    assert res.machine == 0 and res.notes == ["no pre-annotation: [E501] no trained pipeline here "
                                              "(hint: train one with `corpus-sz train`)"]
    assert corpus_sz.load()["tiexi-2024"].entities == []
