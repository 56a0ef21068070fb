"""The spaCy pipeline: segmentation alignment, linker, a small trained pipeline, the tag CLI.

A small pipeline is trained once per session (few segmenter iterations, few
tagger epochs) on two real reports and checked on a held-out one. No test
asserts a metric value that could drift; they assert properties.
"""

import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

spacy = pytest.importorskip("spacy")
pytest.importorskip("spacy_pkuseg")
pytest.importorskip("jieba")

from typer.testing import CliRunner  # noqa: E402

from corpus_sz.model import LABELS, Block, Document, Entity, Piece  # noqa: E402
from corpus_sz.pipeline.components import AliasTable, Linker, core, normalize  # noqa: E402
from corpus_sz.pipeline.segmenter import (  # noqa: E402
    boundary_alignment, chunk_spans, force_boundaries, silver_lines, write_npz)
from corpus_sz.pipeline.tagging import Tagged, iter_pieces, tagged_document  # noqa: E402

from conftest import shared_file  # noqa: E402

TRAIN_IDS = ("shenyang-2025", "shenyang-2024")
HELD_OUT = "hunnan-2021"


def _doc(paragraphs, ents=()):
    blocks = [Block("p", [Piece("text", t, t)]) for t in paragraphs]
    d = Document(id="t", metadata={}, body=blocks)
    text = d.text
    d.entities = [Entity(s, e, lab, ref, text[s:e]) for s, e, lab, ref in ents]
    return d


# -- segmentation ----------------------------------------------------------------
def test_force_boundaries_splits_only_where_needed():
    words = ["深入实施", "十四五规划", "和", "浑南区域"]
    out = force_boundaries(words, [2, 4, 7, 13])
    assert "".join(out) == "".join(words)
    bounds, pos = set(), 0
    for w in out:
        pos += len(w)
        bounds.add(pos)
    assert {2, 4, 7, 13} <= bounds | {0}
    assert out == ["深入", "实施", "十四五", "规划", "和", "浑南区", "域"]
    assert force_boundaries(["ab", "cd"], []) == ["ab", "cd"]


def test_boundary_alignment_counts_starts_and_ends():
    doc = _doc(["加快和平区域发展", "浑南科技城加快建设"], [(2, 5, "DISTRICT", "d"), (9, 14, "ZONE", "z")])

    class Tok:
        def __init__(self, text, idx):
            self.text, self.idx = text, idx

    def tokenize(words):
        def run(text):
            out, pos = [], 0
            for w in words[text]:
                out.append(Tok(w, pos))
                pos += len(w)
            return out
        return run

    seg = {"加快和平区域发展": ["加快", "和平", "区域", "发展"], "浑南科技城加快建设": ["浑南科技城", "加快", "建设"]}
    a = boundary_alignment([doc], tokenize(seg))
    # 和平区 (2-5) ends inside 区域: 3 of 4 boundaries aligned, one entity of two whole
    assert (a.aligned, a.total, a.entities_ok, a.entities) == (3, 4, 1, 2)
    assert a.misses and a.misses[0][2] == "和平区"
    assert 0 < a.share < 1


def test_silver_lines_put_gold_boundaries_on_word_boundaries(corpus):
    doc = corpus["shenyang-2025"]
    lines = silver_lines([doc])
    assert lines and all(" " not in w for line in lines for w in line.split(" ") if w)
    words = {w for line in lines for w in line.split()}
    # each gold mention without spaces is a run of whole words of some line
    joined = ["".join(line.split()) for line in lines]
    for e in doc.entities[:40]:
        if any(ch.isspace() for ch in e.text):
            continue
        found = False
        for line, j in zip(lines, joined):
            k = j.find(e.text)
            while k >= 0 and not found:
                cuts, pos = {0}, 0
                for w in line.split():
                    pos += len(w)
                    cuts.add(pos)
                found = k in cuts and k + len(e.text) in cuts
                k = j.find(e.text, k + 1)
            if found:
                break
        assert found, e.text
    assert words


def test_chunks_never_cut_entities_and_respect_the_limit():
    text = "一" * 50 + "，" + "二" * 30 + "。三三三。" + "四" * 700
    spans = chunk_spans(text, max_chars=100)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    assert all(e - s <= 101 for s, e in spans)
    ent = (45, 60)  # crosses the comma cut
    spans2 = chunk_spans(text, [ent], max_chars=100)
    assert any(s <= ent[0] and ent[1] <= e for s, e in spans2)


def test_pieces_are_slices_of_the_text_and_bounded():
    text = "第一段。第二句，很长" + "字" * 2000 + "\r\n\n  \n𠮷第三段\n"
    pieces = list(iter_pieces(text, 300))
    assert all(text[off:off + len(p)] == p for p, off in pieces)
    assert all(len(p) <= 301 for p, _ in pieces)
    assert all("\n" not in p for p, _ in pieces)
    assert "".join(p for p, _ in pieces).replace("\r", "") == text.replace("\n", "").replace("\r", "").replace(" ", "")
    big = "发展" * 500_000  # a 1 MB report on one line is still cut into small pieces
    n = 0
    for p, _ in iter_pieces(big, 300):
        assert len(p) <= 301
        n += 1
    assert n >= len(big) // 301


def test_npz_is_deterministic(tmp_path):
    import numpy as np

    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    write_npz(a, w=np.arange(5.0), sizes=np.array([1, 2]))
    write_npz(b, w=np.arange(5.0), sizes=np.array([1, 2]))
    assert a.read_bytes() == b.read_bytes()
    with np.load(a) as z:
        assert z["w"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]


# -- linker --------------------------------------------------------------------------
ENTRIES = [
    {"form": "浑南区", "label": "DISTRICT", "ref": "district-hun-nan", "count": 2, "name": True},
    {"form": "浑南", "label": "DISTRICT", "ref": "district-hun-nan", "count": 5},
    {"form": "“放管服”改革", "label": "PROGRAMME", "ref": "programme-fang-guan-fu", "count": 3, "name": True},
    {"form": "“数据要素×”行动", "label": "PROGRAMME", "ref": "programme-data", "count": 1, "name": True},
    {"form": "浑南科技城", "label": "ZONE", "ref": "zone-hun-nan-ke-ji-cheng", "count": 4, "name": True},
    {"form": "科技城", "label": "ZONE", "ref": "zone-a", "count": 1},
    {"form": "科技城", "label": "ZONE", "ref": "zone-b", "count": 1},
    {"form": "智造园", "label": "ZONE", "ref": "zone-c", "count": 1, "name": True},
    {"form": "智造园区", "label": "ZONE", "ref": "zone-d", "count": 1, "name": True},
]


def test_alias_table_resolution_order():
    t = AliasTable(ENTRIES)
    assert t.resolve("浑南", "DISTRICT") == ("district-hun-nan", "exact")
    assert t.resolve("“放管服”改革", "PROGRAMME")[0] == "programme-fang-guan-fu"
    assert t.resolve("放管服改革", "PROGRAMME") == ("programme-fang-guan-fu", "normalized")
    assert t.resolve("“数据要素×”", "PROGRAMME") == ("programme-data", "core")
    assert t.resolve("浑南", "ZONE")[0] != "district-hun-nan"  # never across labels
    assert t.resolve("完全未知的名称", "PROJECT") == (None, None)
    # an ambiguous form with equal evidence goes to the smallest id, deterministically
    assert t.resolve("科技城", "ZONE") == ("zone-a", "exact")
    # containment must be unique: 智造 is inside two zone names
    assert t.resolve("智造", "ZONE") == (None, None)
    # a hint from the gazetteer wins when it is a record of that label
    assert t.resolve("浑南", "DISTRICT", "district-hun-nan")[1] == "gazetteer"
    assert normalize("《沈阳市“十四五”规划》") == "沈阳市十四五规划"
    assert core("“暖房子”工程") == "暖房子"


def test_linker_component_sets_kb_ids():
    from spacy.lang.zh import Chinese
    from spacy.tokens import Span

    nlp = Chinese()  # character segmentation is enough here
    linker = Linker(nlp.vocab)
    linker.set_entries(ENTRIES)
    doc = nlp.make_doc("深化放管服改革，建设浑南科技城和某某园")
    doc.ents = [Span(doc, 2, 7, "PROGRAMME"), Span(doc, 10, 15, "ZONE"), Span(doc, 16, 19, "ZONE")]
    doc = linker(doc)
    assert [(e.text, e.kb_id_) for e in doc.ents] == [
        ("放管服改革", "programme-fang-guan-fu"), ("浑南科技城", "zone-hun-nan-ke-ji-cheng"), ("某某园", "")]
    assert doc.ents[2]._.corpus_sz_link is None and doc.ents[0]._.corpus_sz_link == "normalized"
    # serialisation round trip
    other = Linker(nlp.vocab).from_bytes(linker.to_bytes())
    assert other.table.to_list() == linker.table.to_list()


def test_scheme_rules_drop_district_names_inside_longer_names():
    from spacy.lang.zh import Chinese
    from spacy.tokens import Span

    from corpus_sz.pipeline.components import SchemeRules, in_quoted_name

    nlp = Chinese()  # one token per character
    text = "沈河区人民政府建设“四个和平”，“新浑南、新文化、新生活”，和平区加快发展"
    doc = nlp.make_doc(text)

    def span(form, nth=0):
        i = -1
        for _ in range(nth + 1):
            i = text.index(form, i + 1)
        return Span(doc, i, i + len(form), "DISTRICT")

    doc.ents = [span("沈河区"), span("和平"), span("浑南"), span("和平区")]
    kept = [(e.start_char, e.text) for e in SchemeRules()(doc).ents]
    assert kept == [(text.index("浑南"), "浑南"), (text.rindex("和平区"), "和平区")]
    assert in_quoted_name("“浑南之夏”", 1, 3) and not in_quoted_name("浑南之夏", 0, 2)
    # a short form followed by the rest of a district's full name becomes the full name
    rules = SchemeRules(district_names=["沈北新区", "法库县"])
    doc = nlp.make_doc("沈北新区获评，法库入选，沈北、法库两地")
    doc.ents = [Span(doc, 0, 2, "DISTRICT"), Span(doc, 7, 9, "DISTRICT"), Span(doc, 12, 14, "DISTRICT"),
                Span(doc, 15, 17, "DISTRICT")]
    assert [e.text for e in rules(doc).ents] == ["沈北新区", "法库", "沈北", "法库"]
    again = SchemeRules().from_bytes(rules.to_bytes())
    assert again.district_names == ["沈北新区", "法库县"]
    assert not in_quoted_name("“一个很长很长很长很长很长的名字里有浑南这个区”", 18, 20)


# -- a small trained pipeline ------------------------------------------------------------
@pytest.fixture(scope="session")
def small_model(corpus, tmp_path_factory):
    from corpus_sz.pipeline.evaluate import _merge, district_prior
    from corpus_sz.pipeline.training import fit, mention_entries, write_model

    train = [corpus[i] for i in TRAIN_IDS]
    entries = _merge(mention_entries(train), district_prior(corpus.authority))
    nlp = fit(train, entries, epochs=6, settings_override={"segmenter_iterations": 3})
    folder = tmp_path_factory.mktemp("model") / "zh_small"
    nlp.meta["corpus_sz"] = {"input_hash": "test", "max_chunk_chars": 300}
    write_model(nlp, folder)
    return nlp, folder


def test_small_pipeline_finds_gold_spans_in_a_held_out_report(corpus, small_model):
    from corpus_sz.metrics import score
    from corpus_sz.pipeline.tagging import predict_document

    nlp, _ = small_model
    assert nlp.pipe_names == ["corpus_sz_crf", "entity_ruler", "corpus_sz_scheme_rules", "corpus_sz_linker"]
    assert set(nlp.get_pipe("corpus_sz_crf").labels) == set(LABELS)
    assert "沈北新区" in nlp.get_pipe("corpus_sz_scheme_rules").district_names
    doc = corpus[HELD_OUT]
    pred = predict_document(nlp, doc.text)
    assert pred, "no prediction at all"
    for t in pred:
        assert doc.text[t.start:t.end] == t.text and t.label in LABELS
        assert t.ref is None or t.ref in corpus.authority
    res = score([(e.start, e.end, e.label) for e in doc.entities], [(t.start, t.end, t.label) for t in pred])
    assert res["micro"].tp >= 5, "held-out predictions include hardly any gold span"
    # the statistical tagger on its own finds held-out mentions too, not only the gazetteer
    with nlp.select_pipes(disable=["entity_ruler"]):
        ner_only = predict_document(nlp, doc.text)
    gold = {(e.start, e.end, e.label) for e in doc.entities}
    assert any((t.start, t.end, t.label) in gold for t in ner_only)


def test_saved_model_loads_with_spacy_load(small_model):
    nlp, folder = small_model
    loaded = spacy.load(folder)  # the linker factory comes from the package's entry point
    assert loaded.pipe_names == nlp.pipe_names
    assert loaded.get_pipe("corpus_sz_scheme_rules").district_names == \
           nlp.get_pipe("corpus_sz_scheme_rules").district_names
    text = "深入推进“放管服”改革，支持于洪、沈北发展。"
    assert [(e.start_char, e.end_char, e.label_, e.kb_id_) for e in loaded(text).ents] == \
           [(e.start_char, e.end_char, e.label_, e.kb_id_) for e in nlp(text).ents]
    # pkuseg's dictionary postprocessing stays off after loading
    assert loaded.tokenizer.pkuseg_seg.postprocesser.do_process is False
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 8_000_000
    # no trace of the temporary training folders in what is shipped
    assert not any("corpus_sz_fit_" in p.read_text(errors="ignore") for p in files if p.suffix in (".cfg", ".json"))


def test_training_is_deterministic(corpus, small_model, tmp_path):
    """Same inputs, same settings: the same bytes in every file of the model folder."""
    from corpus_sz.pipeline.evaluate import _merge, district_prior
    from corpus_sz.pipeline.training import fit, mention_entries, write_model

    _, folder = small_model
    train = [corpus[i] for i in TRAIN_IDS]
    entries = _merge(mention_entries(train), district_prior(corpus.authority))
    nlp = fit(train, entries, epochs=6, settings_override={"segmenter_iterations": 3})
    nlp.meta["corpus_sz"] = {"input_hash": "test", "max_chunk_chars": 300}
    again = tmp_path / "again"
    write_model(nlp, again)
    files = sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    for rel in files:
        assert (folder / rel).read_bytes() == (again / rel).read_bytes(), rel


def test_pipeline_is_current_follows_the_inputs(corpus, small_model, tmp_path):
    import shutil

    from corpus_sz.pipeline import pipeline_is_current
    from corpus_sz.pipeline.training import CONFIG_PATH, input_hash

    _, folder = small_model
    model = tmp_path / "m"
    shutil.copytree(folder, model)
    meta = json.loads((model / "meta.json").read_text(encoding="utf-8"))
    assert pipeline_is_current(model) is False  # hash "test" is not the corpus
    meta["corpus_sz"]["input_hash"] = input_hash(corpus)
    (model / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    assert pipeline_is_current(model) is True
    cfg = tmp_path / "config.cfg"
    cfg.write_text(CONFIG_PATH.read_text(encoding="utf-8").replace("dropout = 0.2", "dropout = 0.3"),
                   encoding="utf-8")
    assert pipeline_is_current(model, config_path=cfg) is False
    assert pipeline_is_current(tmp_path / "missing") is False


# -- the tag command -------------------------------------------------------------------------------
def _run(args):
    from corpus_sz.cli import app

    return CliRunner().invoke(app, args)


def test_tag_empty_file_prints_nothing(tmp_path, small_model):
    f = tmp_path / "empty.txt"
    f.write_bytes(b"")
    r = _run(["tag", str(f), "--model", str(small_model[1])])
    assert r.exit_code == 0 and r.stdout == ""


@pytest.mark.parametrize("content,problem", [(b"\xb3\xc9\xb6\xbc\xca\xd0\xb7\xa2\xd5\xb9", "UTF-8"),
                                             (b"abc\x00\x01\x02", "binary"), (None, "no such file")])
def test_tag_bad_input_names_the_file(tmp_path, content, problem):
    f = tmp_path / "bad.txt"
    if content is not None:
        f.write_bytes(content)
    r = _run(["tag", str(f)])
    assert r.exit_code != 0
    assert str(f) in r.output and problem in r.output
    assert "Traceback" not in r.output


def test_tag_jsonl_offsets_are_code_points_of_the_file(tmp_path, corpus, small_model):
    para = next(p.text for p in corpus["shenyang-2024"].paragraphs if "“放管服”改革" in p.text or "于洪" in p.text)
    text = "𠮷𠮷 非BMP字符开头。\r\n" + para + "\n\n" + "🙂" + para + "\n"
    f = tmp_path / "report.txt"
    f.write_text(text, encoding="utf-8")
    r = _run(["tag", str(f), "--model", str(small_model[1])])
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert rows, "expected entities in a paragraph of a training report"
    for row in rows:
        assert set(row) == {"file", "start", "end", "label", "text", "ref"}
        assert row["file"] == str(f)
        assert text[row["start"]:row["end"]] == row["text"]
        assert row["label"] in LABELS
    second = [row for row in rows if row["start"] > text.index("🙂")]
    assert second, "entities after the non-BMP character"


def test_tag_tei_is_reviewable_and_reads_back(tmp_path, corpus, small_model):
    from corpus_sz.tei import document_from_tree
    from corpus_sz.xmlutil import parse_bytes

    para = next(p.text for p in corpus["shenyang-2024"].paragraphs if "于洪" in p.text or "“放管服”改革" in p.text)
    text = "标题\r\n\n" + para + "\n"
    f = tmp_path / "2026 报告.txt"
    f.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    r = _run(["tag", str(f), "--format", "tei", "--out", str(out), "--model", str(small_model[1])])
    assert r.exit_code == 0, r.output
    files = list(out.glob("*.xml"))
    assert [p.name for p in files] == ["2026 报告.xml"]  # named after the input file
    doc = document_from_tree(parse_bytes(files[0].read_bytes(), str(files[0])), str(files[0]))
    assert doc.id == "baogao-2026"  # the xml:id keeps the corpus's form: letters-year
    assert doc.text == "标题\n" + para
    assert doc.entities
    for e in doc.entities:
        assert e.resp == "#corpus_sz_tagger" and e.cert in ("high", "medium", "low")
        assert doc.text[e.start:e.end] == e.text
    # stdout for one file
    r2 = _run(["tag", str(f), "--format", "tei", "--model", str(small_model[1])])
    assert r2.exit_code == 0 and r2.stdout.startswith("<?xml")


def test_cert_follows_confidence_and_link():
    def t(ref, confidence, source="tagger"):
        return Tagged(0, 2, "DISTRICT", "浑南", ref, source, None, confidence)

    assert t("district-hun-nan", 0.95).cert == "high"
    assert t(None, 0.95).cert == "medium"  # confident but unknown to the authority
    assert t("district-hun-nan", 0.8).cert == "medium"
    assert t("district-hun-nan", 0.5).cert == "low"
    assert t("district-hun-nan", None, "gazetteer").cert == "medium"
    assert t(None, None, "gazetteer").cert == "low"


def _review_file(tmp_path, name="tiexi_2024_draft.txt"):
    """A TEI file for review as `tag --format tei` writes it: one linked and one unlinked mention."""
    from corpus_sz.pipeline.tagging import tei_bytes

    text = "铁西区2024年政府工作报告\n深入实施“铁西英才计划”，推进城市更新行动。\n"
    a, b = text.index("“铁西英才计划”"), text.index("城市更新行动")
    ents = [Tagged(a, a + 8, "PROGRAMME", "“铁西英才计划”", None, "tagger", None, 0.93),
            Tagged(b, b + 6, "PROGRAMME", "城市更新行动", "programme-cheng-shi-geng-xin-xing-dong", "gazetteer",
                   "exact", None)]
    f = tmp_path / (Path(name).stem + ".xml")
    f.write_bytes(tei_bytes(tmp_path / name, text, ents))
    return f


def test_tag_tei_with_an_unlinked_mention_is_valid_except_for_review(tmp_path):
    """An unlinked suggestion passes the schema; the validator asks for review and a record (E211 only)."""
    from corpus_sz.validate import validate_paths

    f = _review_file(tmp_path)
    assert 'ref=' not in f.read_text(encoding="utf-8").split("“铁西英才计划”")[0].rsplit("<name", 1)[1]
    report = validate_paths([f], check_seeds=False)
    assert [e.code for e in report.errors] == ["E211", "E211"], [str(e) for e in report.errors]
    unlinked = next(e for e in report.errors if "铁西英才计划" in e.message)
    assert "has no authority record" in unlinked.message and 'ref="#programme-' in unlinked.hint
    assert unlinked.path == str(f) and unlinked.line


@pytest.mark.skipif(not (os.environ.get("CI") or os.environ.get("CORPUS_SZ_SLOW_TESTS")),
                    reason="compiling tei_all.rng takes 10-20 s: runs in CI or with CORPUS_SZ_SLOW_TESTS=1")
def test_tag_tei_validates_against_tei_all(tmp_path):
    from lxml import etree

    rng_path = shared_file("schemas", "tei_all.rng", required_in_ci=True)
    rng = etree.RelaxNG(etree.parse(str(rng_path)))
    assert rng.validate(etree.parse(str(_review_file(tmp_path)))), rng.error_log


def test_tag_tei_refuses_two_inputs_with_one_output_name(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for d in ("a", "b"):
        (tmp_path / d / "report.txt").write_text("深入实施“铁西英才计划”。\n", encoding="utf-8")
    out = tmp_path / "out"
    r = _run(["tag", str(tmp_path / "a" / "report.txt"), str(tmp_path / "b" / "report.txt"), "--format", "tei",
              "--out", str(out), "--model", str(tmp_path / "no-model")])
    assert r.exit_code == 2 and "[E512]" in r.output and str(out / "report.xml") in r.output
    assert len(r.output.strip().splitlines()) == 1 and not out.exists()  # refused before any work
    # nor may a TEI file replace its input
    src = tmp_path / "a" / "report.xml"
    src.write_text("深入实施“铁西英才计划”。\n", encoding="utf-8")
    r = _run(["tag", str(src), "--format", "tei", "--out", str(tmp_path / "a"), "--model", str(tmp_path / "m")])
    assert r.exit_code == 2 and "[E512]" in r.output and "would replace the input" in r.output
    assert src.read_text(encoding="utf-8") == "深入实施“铁西英才计划”。\n"


def test_tagged_document_maps_offsets():
    text = "第一行\r\n\n  \n第二行有浑南区\n"
    start = text.index("浑南区")
    d = tagged_document(Path("x.txt"), text, [Tagged(start, start + 3, "DISTRICT", "浑南区", "district-hun-nan",
                                                      "tagger", "exact", 0.97)])
    assert d.text == "第一行\n第二行有浑南区"
    (e,) = d.entities
    assert d.text[e.start:e.end] == "浑南区" and e.cert == "high" and e.ref == "district-hun-nan"


# -- the shipped model -------------------------------------------------------------------------------
def test_shipped_pipeline_loads_offline():
    import corpus_sz
    from corpus_sz.pipeline import MODEL_DIR, model_meta

    if not (MODEL_DIR / "meta.json").exists():
        pytest.skip("no shipped model (run corpus-sz train)")
    nlp = corpus_sz.nlp()
    assert nlp.lang == "zh" and "corpus_sz_linker" in nlp.pipe_names
    assert nlp.tokenizer.segmenter == "pkuseg"
    meta = model_meta()
    assert len(meta["corpus_sz"]["input_hash"]) == 64
    doc = nlp("深入推进“放管服”改革，加快浑南科技城建设。")
    for e in doc.ents:
        assert e.label_ in LABELS


def test_tutorial_tagging_example_is_what_the_shipped_pipeline_prints(tmp_path, monkeypatch):
    """docs/tutorial.md section 9 shows real output: retraining the model must update it."""
    from corpus_sz.pipeline import MODEL_DIR

    if not (MODEL_DIR / "meta.json").exists():
        pytest.skip("no shipped model (run corpus-sz train)")
    tutorial = (Path(__file__).resolve().parents[1] / "docs" / "tutorial.md").read_text(encoding="utf-8")
    section = tutorial.split("## 9. Tag a new report", 1)[1].split("\n## ", 1)[0]
    blocks = section.split("```")[1::2]
    text = blocks[0].strip("\n") + "\n"
    shown = [json.loads(line) for line in blocks[1].splitlines() if line.startswith("{")]
    assert shown, "the tutorial shows no tagged entity"
    (tmp_path / "new-report.txt").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    res = _run(["tag", "new-report.txt"])
    assert res.exit_code == 0, res.output
    assert [json.loads(line) for line in res.output.splitlines() if line.strip()] == shown
    # and the pipeline's components as the tutorial lists them
    import ast

    import corpus_sz

    listed = section.split(">>> nlp.pipe_names\n", 1)[1].split("\n", 1)[0]
    assert ast.literal_eval(listed) == corpus_sz.nlp().pipe_names


# -- cross-validation machinery ----------------------------------------------------------------
def test_system_variant_follows_the_configured_tagger():
    from corpus_sz.pipeline.evaluate import system_variant, tagger_name

    assert tagger_name(["corpus_sz_crf", "entity_ruler"]) == "corpus_sz_crf"
    assert tagger_name(["ner", "entity_ruler"]) == "ner"
    assert tagger_name(["entity_ruler"]) is None
    assert system_variant(["corpus_sz_crf", "entity_ruler", "corpus_sz_linker"]) == "tagger → ruler (fills gaps)"
    assert system_variant(["entity_ruler", "ner", "corpus_sz_linker"]) == "ruler → tagger"
    assert system_variant(["corpus_sz_crf", "corpus_sz_linker"]) == "tagger only"


def test_one_fold_of_cross_validation_scores_every_variant(corpus, tmp_path):
    """One held-out report, a quickly trained CRF: every variant scored, the report rendered from it."""
    from corpus_sz.pipeline.evaluate import BASELINE, VARIANTS, cross_validate, render_markdown
    from corpus_sz.pipeline.training import CONFIG_PATH

    cfg = CONFIG_PATH.read_text(encoding="utf-8")
    cfg = cfg.replace("max_iterations = 300", "max_iterations = 30").replace("segmenter_iterations = 10",
                                                                            "segmenter_iterations = 2")
    assert "max_iterations = 30\n" in cfg and "segmenter_iterations = 2\n" in cfg
    path = tmp_path / "quick.cfg"
    path.write_text(cfg, encoding="utf-8")
    res = cross_validate(corpus, path, docs=["shenyang-2025"])
    assert res["tagger"] == "corpus_sz_crf" and res["system"] == "tagger → ruler (fills gaps)"
    assert set(res["pooled"]) == set(VARIANTS)
    gold = len(corpus["shenyang-2025"].entities)
    for name, kinds in res["pooled"].items():
        micro = kinds["strict"]["micro"]
        assert micro["tp"] + micro["fn"] == gold, name
        assert kinds["lenient"]["micro"]["tp"] >= micro["tp"], name
    # the tagger adds to what the gazetteer alone finds on an unseen report
    assert res["pooled"][res["system"]]["strict"]["micro"]["tp"] > res["pooled"][BASELINE]["strict"]["micro"]["tp"]
    n_pred = sum(v["fp"] + v["tp"] for k, v in res["pooled"][res["system"]]["strict"].items() if k != "micro")
    assert sum(n for _, n in res["cert_precision"].values()) == n_pred
    assert set(res["cert_precision"]) <= {"high", "medium", "low"}
    md = render_markdown(res, None, None)
    assert "`corpus_sz_crf`" in md and "tagger → ruler (fills gaps) (system)" in md
    assert "| cert | spans | strictly right |" in md


@pytest.mark.parametrize("text,where,message", [
    (None, None, "cannot read the training config"),
    ("[nlp\nlang = \n", ":1:", "malformed training config"),
    ('[nlp]\nlang = "zh"\n', None, "no [corpus_sz] section"),
])
def test_train_refuses_a_bad_config_in_one_line(tmp_path, text, where, message):
    cfg = tmp_path / "train.cfg"
    if text is not None:
        cfg.write_text(text, encoding="utf-8")
    res = _run(["train", "--config", str(cfg), "--out", str(tmp_path / "model")])
    assert res.exit_code == 2 and "Traceback" not in res.output, res.output
    assert "[E514]" in res.stderr and message in res.stderr and str(cfg) in res.stderr
    assert where is None or f"{cfg}{where}" in res.stderr
    assert not (tmp_path / "model").exists()


def test_train_refuses_an_unwritable_out_before_training(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    res = _run(["train", "--out", str(blocker / "model")])  # its parent would be a file
    assert res.exit_code == 2 and "[E510]" in res.stderr and "Traceback" not in res.output
    assert "training on" not in res.stderr  # refused before the corpus was even read
    assert list(tmp_path.iterdir()) == [blocker]
