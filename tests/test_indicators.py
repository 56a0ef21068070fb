"""Headline indicators: the extractor against the hand-verified table, its rules, its encodings, its CLI."""

import csv
import io
import json
import os
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corpus_sz.cli import app
from corpus_sz.indicators import (CODE, FIELDS, INDICATORS, IndicatorRecord, extract, extract_corpus,
                                  indicator_rows, read_table, to_tei_measure)
from corpus_sz.model import Block, Div, Document, Piece

from conftest import shared_file

DATA = Path(__file__).parent / "data"
GOLD = read_table(DATA / "indicators_gold.tsv")
GOLD_COUNTS = {"shenyang-2021": 41, "shenyang-2024": 21, "shenyang-2025": 9, "heping-2023": 13, "hunnan-2021": 43}
runner = CliRunner()


@pytest.fixture(scope="module")
def records(corpus):
    return {d.id: extract(d) for d in corpus}


# -- the hand-verified table ----------------------------------------------------------------------
def test_gold_table_is_well_formed(corpus):
    assert Counter(k[0] for k in GOLD) == GOLD_COUNTS
    assert len(set(GOLD)) == len(GOLD)  # no duplicate rows
    for doc_id, par, indicator, value, unit, qual, bench, hedge, direction, year, period, basis, status, surface in GOLD:
        assert indicator in CODE
        assert surface in corpus[doc_id].paragraphs[par].text
        assert direction in ("增长", "下降", "level") and status in ("achieved", "estimate", "target")
        assert basis in ("year", "average", "period") and (basis != "average" or period)
        assert (value is None) == (unit == "")
        if value is None:  # a qualitative target says what it is measured against
            assert qual or bench


@pytest.mark.parametrize("doc_id", sorted(GOLD_COUNTS))
def test_extractor_matches_gold_exactly(records, doc_id):
    got = {r.key() for r in records[doc_id]}
    gold = {k for k in GOLD if k[0] == doc_id}
    assert got - gold == set(), "extracted but not in the gold table"
    assert gold - got == set(), "in the gold table but not extracted"
    assert len(records[doc_id]) == len(gold)  # and no record twice


def test_offsets_point_at_the_surface(corpus, records):
    for doc_id, recs in records.items():
        doc = corpus[doc_id]
        paras = doc.paragraphs
        for r in recs:
            assert doc.text[r.start:r.end] == r.surface
            p = paras[r.paragraph]
            assert p.start <= r.start < r.end <= p.end
        assert [r.start for r in recs] == sorted(r.start for r in recs)  # text order


def test_numbers_that_are_not_indicators_are_left_out(corpus, records):
    surfaces = [r.surface for recs in records.values() for r in recs]
    values = {r.value for recs in records.values() for r in recs}
    for noise in ("12345", "太行110", "5G", "项目", "家企业", "个", "万单", "标箱"):
        assert not any(noise in s for s in surfaces), noise
    assert not values & {12345.0, 110.0, 5000.0, 1129.0, 3695.0}
    # the noise is there in the text
    text = corpus["shenyang-2024"].text
    assert "12345热线" in text and "“太行110”" in text and "新建5G基站5000个" in text


def test_headline_figures_by_hand(records):
    def one(doc_id, par, code, **kw):
        hits = [r for r in records[doc_id] if r.paragraph == par and r.code == code
                and all(getattr(r, k) == v for k, v in kw.items())]
        assert len(hits) == 1, (doc_id, par, code, kw)
        return hits[0]

    r = one("shenyang-2024", 27, "gdp")
    assert (r.value, r.unit, r.qualifier, r.direction, r.year, r.status) == (6.0, "%", "以上", "增长", 2024, "target")
    r = one("heping-2023", 7, "retail_sales")
    assert (r.value, r.status, r.year) == (16.4, "estimate", 2023)  # 预计
    r = one("shenyang-2021", 5, "retail_sales")
    assert (r.value, r.direction, r.status, r.year) == (5.4, "下降", "achieved", 2020)
    r = one("shenyang-2025", 73, "energy_intensity")
    assert (r.value, r.direction, r.year) == (2.5, "下降", 2025)
    r = one("shenyang-2021", 40, "gdp")
    assert (r.period, r.basis, r.year, r.qualifier) == ("2021-2025", "average", 2025, "以上")
    r = one("shenyang-2021", 48, "domestic_capital")
    assert (r.value, r.qualifier) == (8.0, "以上")
    assert one("shenyang-2021", 48, "fdi").qualifier == ""
    assert one("hunnan-2021", 84, "rd_intensity_torch").hedge == "力争"
    assert one("shenyang-2024", 83, "grain_output").hedge == "确保"
    r = one("heping-2023", 67, "fixed_asset_investment")
    assert (r.value, r.qualifier, r.benchmark) == (None, "超过", "全市平均水平")
    level, growth = one("hunnan-2021", 1, "budget_revenue", unit="亿元"), one("hunnan-2021", 1, "budget_revenue", unit="%")
    assert (level.value, level.direction, growth.value, growth.direction) == (93.6, "level", 7.0, "增长")
    assert growth.surface.startswith(level.surface)
    r = one("hunnan-2021", 42, "retail_sales")
    assert (r.value, r.unit, r.benchmark, r.basis) == (2.7, "倍", "“十二五”末期", "period")


# -- the rules, on made-up paragraphs ---------------------------------------------------------------
def _doc(review: list[str], plan: list[str], **md) -> Document:
    def blocks(texts):
        return [Block("p", [Piece("text", t, t)]) for t in texts]

    head1, head2 = "一、2020年工作回顾", "二、2021年工作安排"
    body = [Div("part", n="1", children=[Block("head", [Piece("text", head1, head1)]), *blocks(review)]),
            Div("part", n="2", children=[Block("head", [Piece("text", head2, head2)]), *blocks(plan)])]
    return Document("test-2021", {"year_reviewed": 2020, "year_planned": 2021, **md}, body=body)


def test_rules_status_year_and_estimates():
    doc = _doc(["全年地区生产总值增长5%。预计一般公共预算收入同比增长3%左右,城镇新增就业2万人。"],
               ["今年主要预期目标是:地区生产总值增长6%以上,城镇登记失业率控制在4%以内。"])
    got = {(r.code, r.value, r.status, r.year, r.qualifier, r.direction) for r in extract(doc)}
    assert got == {("gdp", 5.0, "achieved", 2020, "", "增长"), ("budget_revenue", 3.0, "estimate", 2020, "左右", "增长"),
                   ("new_urban_jobs", 2.0, "estimate", 2020, "", "level"), ("gdp", 6.0, "target", 2021, "以上", "增长"),
                   ("unemployment_registered", 4.0, "target", 2021, "以内", "level")}


def test_rules_leave_out_what_is_not_a_headline_figure():
    doc = _doc(["开通12345热线,“太行110”燃机下线,新建5G基站5000个,开复工亿元以上项目1129个,高技术产业投资增长113.5%,"
                "加工贸易增长37.5%,战略性新兴产业产值占规上工业总产值比重超过40%,固定资产投资占全市比重由9.2%提高到16.5%,"
                "粮食产量实现“十七连丰”,地区生产总值增速连续7个季度高于全国平均水平,空气优良天数、PM2.5浓度同比改善。"],
               ["力争技术合同成交额增长10%,全年城镇新增就业,地区生产总值增长较快。"])
    assert extract(doc) == []


def test_rules_distribute_values_and_formulas():
    doc = _doc([], ["实际利用外资、引进内资分别增长2%和8%以上;城镇和农村居民人均可支配收入增长与经济增长基本同步;"
                    "万元地区生产总值能耗下降率不低于全省平均水平;主要污染物排放总量进一步下降。"])
    got = sorted((r.code, r.value, r.qualifier, r.benchmark, r.direction) for r in extract(doc))
    assert got == sorted([("fdi", 2.0, "", "", "增长"), ("domestic_capital", 8.0, "以上", "", "增长"),
                          ("income_urban", None, "基本同步", "经济增长", "增长"),
                          ("income_rural", None, "基本同步", "经济增长", "增长"),
                          ("energy_intensity", None, "不低于", "全省平均水平", "下降"),
                          ("pollutant_emissions", None, "进一步", "", "下降")])


def test_rules_five_year_plan_context():
    doc = _doc(["五年来,地区生产总值年均增长2.8%,城镇新增就业累计达到52.3万人。"],
               ["“十四五”时期主要目标:到2025年,全区地区生产总值达到1000亿元,进出口总额年均增长10%以上。",
                "今年,地区生产总值增长6%。"])
    got = sorted((r.code, r.value, r.year, r.period, r.basis, r.status) for r in extract(doc))
    assert got == sorted([("gdp", 2.8, 2020, "2016-2020", "average", "achieved"),
                          ("new_urban_jobs", 52.3, 2020, "2016-2020", "period", "achieved"),
                          ("gdp", 1000.0, 2025, "2021-2025", "year", "target"),
                          ("foreign_trade", 10.0, 2025, "2021-2025", "average", "target"),
                          ("gdp", 6.0, 2021, "", "year", "target")])


# -- encodings ---------------------------------------------------------------------------------------
def test_to_tei_measure(records):
    r = next(r for r in records["shenyang-2024"] if r.code == "gdp" and r.status == "target")
    assert to_tei_measure(r) == {"type": "target", "subtype": "increase", "commodity": "地区生产总值",
                                 "unit": "%", "quantity": "6"}
    q = next(r for r in records["heping-2023"] if r.value is None)
    attrs = to_tei_measure(q)
    assert "quantity" not in attrs and "unit" not in attrs and attrs["type"] == "target"
    r = next(r for r in records["hunnan-2021"] if r.value == 93.6)
    assert to_tei_measure(r)["quantity"] == "93.6" and to_tei_measure(r)["subtype"] == "level"
    assert {to_tei_measure(r)["type"] for recs in records.values() for r in recs} == {"achieved", "estimate", "target"}


def test_tei_measure_attributes_have_tei_datatypes(records):
    """What tei_all.rng (TEI 4.3.0) declares for <measure>: tokens without spaces, a decimal quantity."""
    import re

    token = re.compile(r"[^\s\x00-\x1f]+")
    for recs in records.values():
        for r in recs:
            attrs = to_tei_measure(r)
            assert set(attrs) <= {"type", "subtype", "unit", "quantity", "commodity"}
            for k in ("type", "subtype", "unit"):
                assert k not in attrs or token.fullmatch(attrs[k])
            assert all(token.fullmatch(t) for t in attrs["commodity"].split())
            if "quantity" in attrs:
                assert re.fullmatch(r"\d+(\.\d+)?", attrs["quantity"]) and float(attrs["quantity"]) == r.value


@pytest.mark.skipif(not (os.environ.get("CI") or os.environ.get("CORPUS_SZ_SLOW_TESTS")),
                    reason="compiling tei_all.rng takes 10-20 s: runs in CI or with CORPUS_SZ_SLOW_TESTS=1")
def test_tei_measures_validate_against_tei_all(corpus, records):
    """Inline every record of a report as <measure> and validate the file against TEI P5."""
    from lxml import etree

    from corpus_sz.paths import annotations_dir
    from corpus_sz.xmlutil import TEI_NS

    rng_path = shared_file("schemas", "tei_all.rng", required_in_ci=True)
    tree = etree.parse(str(annotations_dir() / "shenyang-2025.xml"))
    p = tree.find(f".//{{{TEI_NS}}}body//{{{TEI_NS}}}p")
    for r in records["shenyang-2025"] + records["heping-2023"]:
        m = etree.SubElement(p, f"{{{TEI_NS}}}measure", to_tei_measure(r))
        m.text = r.surface
    rng = etree.RelaxNG(etree.parse(str(rng_path)))
    assert rng.validate(tree), rng.error_log


def test_indicator_rows_and_features(corpus):
    from corpus_sz import indicators

    rows = indicator_rows(corpus)
    assert len(rows) == sum(GOLD_COUNTS.values())
    assert len({r["id"] for r in rows}) == len(rows)
    assert rows[0]["id"] == "shenyang-2021-i000" and rows[0]["place"] == "辽宁省沈阳市" and rows[0]["level"] == "city"
    feats = indicators.INDICATOR_FEATURES
    assert list(feats) == list(rows[0])
    from datasets import Dataset

    ds = Dataset.from_list(rows, features=feats)
    assert ds.features["status"].names == ["achieved", "estimate", "target"]
    assert ds.features["status"].int2str(ds[0]["status"]) == rows[0]["status"]
    assert sum(v is None for v in ds["value"]) == sum(1 for k in GOLD if k[3] is None)
    with pytest.raises(AttributeError):
        indicators.NO_SUCH_THING


def test_record_fields_are_flat():
    assert FIELDS[:3] == ("doc_id", "paragraph", "indicator")
    assert FIELDS[FIELDS.index("value") + 1] == "signed_value"  # derived, next to what it signs
    assert len({code for code, _, _ in INDICATORS}) == len(INDICATORS)
    r = IndicatorRecord("d", 0, "地区生产总值", "gdp", 1.0, "%", "", "", "", "增长", 2020, "", "year", "achieved",
                        "x", 0, 1)
    assert set(r.to_dict()) == set(FIELDS)


# -- signed value ---------------------------------------------------------------------------------------
def _one(records, doc_id, paragraph, code, status=None):
    (r,) = [r for r in records[doc_id] if r.paragraph == paragraph and r.code == code
            and (status is None or r.status == status)]
    return r


def test_signed_value_carries_the_direction(records):
    """A fall is negative, so a pivot that does not filter on direction cannot read it as growth."""
    fall = _one(records, "shenyang-2021", 5, "retail_sales")  # 社会消费品零售总额下降5.4%
    assert (fall.value, fall.direction, fall.signed_value) == (5.4, "下降", -5.4)
    growth = _one(records, "shenyang-2021", 5, "gdp")  # 地区生产总值比上年增长0.8%
    assert (growth.value, growth.direction, growth.signed_value) == (0.8, "增长", 0.8)
    level = _one(records, "shenyang-2025", 57, "new_urban_jobs")  # 城镇新增就业14.8万人
    assert (level.value, level.direction, level.signed_value) == (14.8, "level", 14.8)
    qualitative = _one(records, "shenyang-2021", 43, "pollutant_emissions")  # 进一步下降
    assert qualitative.value is None and qualitative.direction == "下降" and qualitative.signed_value is None
    from corpus_sz.indicators import to_pandas

    df = to_pandas(records["shenyang-2021"])
    assert list(df.columns) == list(FIELDS) and df["signed_value"].dtype == "float64"
    assert df.loc[(df.paragraph == 5) & (df.code == "retail_sales"), "signed_value"].tolist() == [-5.4]
    for recs in records.values():  # value itself stays as written: never negative
        assert all(r.value is None or r.value >= 0 for r in recs)


def test_signed_value_keeps_the_qualifier_and_never_gives_minus_zero():
    def rec(value, direction, qualifier=""):
        return IndicatorRecord("d", 0, "单位地区生产总值能耗", "energy_intensity", value, "%", qualifier, "", "",
                               direction, 2025, "", "year", "target", "x", 0, 1)

    r = rec(5.0, "下降", "左右")  # 下降5%左右: a target fall of about 5%
    assert (r.signed_value, r.qualifier, r.value) == (-5.0, "左右", 5.0)
    assert r.to_dict()["signed_value"] == -5.0 and r.to_dict()["value"] == 5.0
    assert str(rec(0.0, "下降").signed_value) == "0.0"


# -- command line --------------------------------------------------------------------------------------
def test_cli_indicators_jsonl_and_csv(tmp_path):
    res = runner.invoke(app, ["indicators", "shenyang-2025"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    assert len(lines) == GOLD_COUNTS["shenyang-2025"] and list(lines[0]) == list(FIELDS)
    assert {x["doc_id"] for x in lines} == {"shenyang-2025"}
    out = tmp_path / "ind.csv"
    res = runner.invoke(app, ["indicators", "--format", "csv", "--out", str(out), "heping-2023", "hunnan-2021"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == GOLD_COUNTS["heping-2023"] + GOLD_COUNTS["hunnan-2021"]
    assert rows[0]["surface"] == "地区生产总值比上年增长7%"
    assert list(rows[0])[list(rows[0]).index("value") + 1] == "signed_value"
    assert rows[0]["signed_value"] == "7.0"
    assert all(r["signed_value"] == ("" if not r["value"] else
                                     repr(-float(r["value"]) if r["direction"] == "下降" else float(r["value"])))
               for r in rows)
    assert any(r["signed_value"].startswith("-") for r in rows)  # hunnan-2021's 能耗降低3.04%


def test_cli_indicators_all_documents_is_deterministic():
    a = runner.invoke(app, ["indicators"]).stdout
    b = runner.invoke(app, ["indicators"]).stdout
    assert a == b and len(a.splitlines()) == sum(GOLD_COUNTS.values())


@pytest.mark.parametrize("args", [["indicators", "shenyang-1999"], ["indicators", "--format", "xml"]])
def test_cli_indicators_bad_input_is_one_line(args):
    res = runner.invoke(app, args)
    assert res.exit_code == 2
    assert res.stderr.startswith("error: [E40") and len(res.stderr.strip().splitlines()) == 1
    assert "Traceback" not in res.output


def test_extract_corpus_keeps_order(corpus):
    recs = extract_corpus(corpus, ["hunnan-2021", "shenyang-2025"])
    assert [r.doc_id for r in recs] == ["hunnan-2021"] * 43 + ["shenyang-2025"] * 9


def test_record_spans_can_be_inlined(corpus, records):
    """Inline <measure> needs spans that nest or are disjoint, and never cross an entity mention."""
    for doc_id, recs in records.items():
        spans = sorted({(r.start, r.end) for r in recs})
        for i, (s1, e1) in enumerate(spans):
            for s2, e2 in spans[i + 1:]:
                assert e1 <= s2 or (s1 <= s2 and e2 <= e1) or (s2 <= s1 and e1 <= e2), (doc_id, s1, e1, s2, e2)
        for e in corpus[doc_id].entities:
            for s, t in spans:
                assert e.end <= s or t <= e.start or (s <= e.start and e.end <= t), (doc_id, e)
