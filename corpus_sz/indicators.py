"""Headline indicators and targets: the figures a report puts forward about the economy.

Rules over paragraphs, no model. For every mention of a *headline indicator*
(a closed vocabulary: :data:`INDICATORS`) followed by a figure or by one of a
closed set of qualitative target formulas, :func:`extract` returns one
:class:`IndicatorRecord` per indicator and figure::

    >>> import corpus_sz
    >>> from corpus_sz.indicators import extract
    >>> recs = extract(corpus_sz.load()["shenyang-2024"])
    >>> r = recs[0]
    >>> r.indicator, r.value, r.unit, r.qualifier, r.direction, r.year, r.status
    ('地区生产总值', 6.0, '%', '左右', '增长', 2023, 'estimate')

What counts, how status, year, period and basis are decided, and what is left
out on purpose is documented in ``docs/indicators.md``; the hand-verified table
``tests/data/indicators_gold.tsv`` is the reference the extractor must match.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from typing import Any, Iterable

from .model import Document

# -- vocabulary -------------------------------------------------------------------------------
# (code, canonical name, surface forms). Codes are ASCII and stable; names are what `indicator` holds.
INDICATORS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("gdp", "地区生产总值", ("地区生产总值",)),
    ("budget_revenue", "一般公共预算收入", ("一般公共预算收入",)),
    ("fixed_asset_investment", "固定资产投资", ("固定资产投资",)),
    ("retail_sales", "社会消费品零售总额", ("社会消费品零售总额",)),
    ("industrial_value_added", "规模以上工业增加值", ("规模以上工业增加值", "规上工业增加值")),
    ("industrial_output", "规模以上工业总产值", ("规模以上工业总产值", "规上工业总产值")),
    ("cpi", "居民消费价格", ("居民消费价格",)),
    ("income", "居民人均可支配收入", ("居民人均可支配收入",)),
    ("income_urban", "城镇居民人均可支配收入", ("城镇居民人均可支配收入",)),
    ("income_rural", "农村居民人均可支配收入", ("农村居民人均可支配收入",)),
    ("unemployment_registered", "城镇登记失业率", ("城镇登记失业率",)),
    ("unemployment_surveyed", "城镇调查失业率", ("城镇调查失业率",)),
    ("new_urban_jobs", "城镇新增就业", ("城镇新增就业", "新增城镇就业人口", "新增城镇就业")),
    ("energy_intensity", "单位地区生产总值能耗", ("单位地区生产总值能耗", "万元地区生产总值能耗")),
    ("carbon_intensity", "单位地区生产总值二氧化碳排放", ("单位地区生产总值二氧化碳排放", "二氧化碳排放")),
    ("pollutant_emissions", "主要污染物排放总量", ("主要污染物排放总量",)),
    ("rd_expenditure", "研发经费投入", ("全社会研发经费投入", "研发经费投入")),
    ("rd_intensity", "研发投入强度", ("全社会研发投入强度", "研发投入强度")),
    ("rd_intensity_torch", "火炬统计企业研发投入强度", ("火炬统计企业R&D投入占GDP比重",)),
    ("foreign_trade", "进出口总额", ("外贸进出口总额", "进出口贸易总额", "进出口总额")),
    ("fdi", "实际利用外资", ("实际利用外资",)),
    ("domestic_capital", "引进内资", ("引进内资",)),
    ("grain_output", "粮食产量", ("粮食总产量", "粮食产量", "粮豆产量")),
    ("grain_capacity", "粮食综合生产能力", ("粮食综合生产能力",)),
    ("energy_capacity", "能源综合生产能力", ("能源综合生产能力",)),
    ("good_air_days", "空气质量优良天数", ("空气质量优良天数", "空气优良天数", "大气优良天数")),
    ("good_air_days_share", "空气质量优良天数比例", ("空气质量优良天数比例", "大气优良天数比例")),
)
# Surface forms that name two indicators at once.
GROUPS: dict[str, tuple[str, ...]] = {
    "城镇和农村居民人均可支配收入": ("income_urban", "income_rural"),
    "城乡居民人均可支配收入": ("income_urban", "income_rural"),
    "城乡居民收入": ("income_urban", "income_rural"),
}
NAME = {code: name for code, name, _ in INDICATORS}
CODE = {name: code for code, name, _ in INDICATORS}

STATUSES = ("achieved", "estimate", "target")
DIRECTIONS = ("增长", "下降", "level")
BASES = ("year", "average", "period")
UNITS = ("万吨标准煤", "亿元", "万元", "元", "万人", "人", "亿斤", "万吨", "%", "倍", "天")

# -- patterns ---------------------------------------------------------------------------------
_FORMS: dict[str, tuple[str, ...]] = {form: (code,) for code, _, forms in INDICATORS for form in forms}
_FORMS.update(GROUPS)
_ALIAS = re.compile("|".join(re.escape(f) for f in sorted(_FORMS, key=lambda f: (-len(f), f))))
_NUM = r"\d+(?:\.\d+)?"
_UNIT = "|".join(re.escape(u) for u in UNITS)
_VALUE = rf"(?:{_NUM})(?:{_UNIT})?"
_VALUES = rf"{_VALUE}(?:[、和]{_VALUE})*"
_VERBS = "比上年增长|比上年下降|同比增长|同比下降|增长|上涨|增加|下降|降低|累计达到|达到|为|突破|超过|稳定在|保持在|控制在"
_NUMERIC = re.compile(
    rf"(?P<avg>年均)?(?P<resp>分别)?(?P<hedge>力争|确保)?(?P<verb>{_VERBS})?"
    rf"(?P<vals>{_VALUES})(?P<post>以上|左右|以内)?")
_RATIO = re.compile(rf"分别是(?P<bench>[^，,；;。的]{{1,12}})的(?P<vals>{_VALUES})")
_FROM_TO = re.compile(rf"由{_NUM}(?:{_UNIT})(?:增加|提高|上升|下降|降低|减少)到(?P<vals>{_VALUE})")
_THEN_GROWTH = re.compile(rf"[,，](?P<verb>增长|下降)(?P<vals>{_NUM}%)")
# Qualitative target formulas: (pattern, direction, qualifier, benchmark); group names fill blanks.
_FORMULAS: tuple[tuple[re.Pattern, str, str | None, str | None], ...] = (
    (re.compile(r"(?:增长)?与经济增长(?P<q>基本同步|同步)"), "增长", None, "经济增长"),
    (re.compile(r"稳步增长"), "增长", "稳步", ""),
    (re.compile(r"进一步(?P<d>下降|增长)"), "", "进一步", ""),
    (re.compile(r"(?P<d>增速|下降率)(?P<q>超过|不低于|高于)(?P<b>(?:全国|全省|全市)平均水平)"), "", None, None),
    (re.compile(r"达到国家要求"), "level", "", "国家要求"),
)
_VALUE_ITEM = re.compile(rf"(?P<num>{_NUM})(?P<unit>{_UNIT})?")
_CLAUSE_END = re.compile(r"[，,；;。：:]")
_REVIEW_FYP = re.compile(r"回顾“十三五”|五年来")
_TARGET_FYP = re.compile(r"《纲要》|到2025年|“十四五”时期")
_THIS_YEAR = re.compile(r"今年|明年")


@dataclass(frozen=True)
class IndicatorRecord:
    """One figure (or qualitative target) of one headline indicator in one report."""

    doc_id: str
    paragraph: int  # index into doc.paragraphs
    indicator: str  # canonical name, e.g. 地区生产总值
    code: str  # ASCII code, e.g. gdp
    value: float | None  # as written (no unit conversion); None for a qualitative target
    unit: str  # as written: %, 亿元, 元, 万人, 人, 亿斤, 万吨, 万吨标准煤, 倍, 天; "" when no value
    qualifier: str  # 左右, 以上, 以内, 超过, 突破, 不低于, 稳步, 进一步, 同步, 基本同步, or ""
    benchmark: str  # what the figure is compared with: 经济增长, 全省平均水平, “十二五”末期, 国家要求, or ""
    hedge: str  # 力争 or 确保 in the clause, or ""
    direction: str  # 增长 (growth, 上涨, 增加), 下降 (下降, 降低) or level
    year: int | None  # the year the figure refers to (end year of a five-year period)
    period: str  # "2016-2020" / "2021-2025" for five-year-plan figures, else ""
    basis: str  # year (one year), average (年均 over the period) or period (the whole period)
    status: str  # achieved, estimate (预计) or target
    surface: str  # the text the record was read from
    start: int  # code-point offsets of `surface` in doc.text
    end: int

    def key(self) -> tuple:
        """The fields a hand-verified table states (everything except offsets and code)."""
        return (self.doc_id, self.paragraph, self.indicator, self.value, self.unit, self.qualifier,
                self.benchmark, self.hedge, self.direction, self.year, self.period, self.basis, self.status,
                self.surface)

    @property
    def signed_value(self) -> float | None:
        """``value`` signed by ``direction``: negative for 下降, as is for 增长 and level; None without a value.

        Derived, so that a pivot or a mean over records that mixes directions does not read a 5.4% fall
        as 5.4% growth. The qualifier still bounds the magnitude as written: 下降5%以内 is −5 with 以内
        (a fall of at most 5%), 下降5%左右 is −5 with 左右.
        """
        if self.value is None:
            return None
        if self.direction == "下降":
            return 0.0 - self.value  # not -value: a fall of 0 would print as -0.0
        return self.value

    def to_dict(self) -> dict[str, Any]:
        """Every field of :data:`FIELDS`, in that order, ``signed_value`` included."""
        d = asdict(self)
        d["signed_value"] = self.signed_value
        return {k: d[k] for k in FIELDS}


# The stored fields, with the derived signed_value right after value: the column order of the
# DataFrame, the JSON lines and the CSV of `corpus-sz indicators`.
_STORED = tuple(f.name for f in fields(IndicatorRecord))
FIELDS = _STORED[:_STORED.index("value") + 1] + ("signed_value",) + _STORED[_STORED.index("value") + 1:]


# -- extraction ---------------------------------------------------------------------------------
def _review_parts(doc: Document) -> set[str]:
    """Parts whose heading announces the review of past work (…回顾)."""
    return {p.part for p in doc.paragraphs
            if p.kind == "head" and p.part and p.section is None and "回顾" in p.text}


def _periods(doc: Document) -> list[tuple[int, int] | None]:
    """The five-year period each paragraph speaks about, or None for the annual report.

    A paragraph that looks back on the 13th plan (回顾“十三五”, 五年来) or sets out the 14th plan's
    goals (《纲要》, 到2025年, “十四五”时期) opens a period context, unless it speaks of this or next
    year (今年, 明年); the context runs on through the subsections that follow it.
    """
    out: list[tuple[int, int] | None] = []
    ctx: tuple[int, int] | None = None
    for p in doc.paragraphs:
        if p.kind == "p" and not _THIS_YEAR.search(p.text) and _TARGET_FYP.search(p.text):
            ctx = (2021, 2025)
        elif p.kind == "p" and not _THIS_YEAR.search(p.text) and _REVIEW_FYP.search(p.text):
            ctx = (2016, 2020)
        elif p.subsection is None:
            ctx = None
        out.append(ctx)
    return out


def _chain(text: str, m: re.Match) -> tuple[list[str], int]:
    """Codes named by the alias at ``m`` and by aliases joined to it with 、 or 和; end of the chain."""
    codes, end = list(_FORMS[m.group(0)]), m.end()
    while end < len(text) and text[end] in "、和":
        nxt = _ALIAS.match(text, end + 1)
        if not nxt:
            break
        codes += _FORMS[nxt.group(0)]
        end = nxt.end()
    return codes, end


def _values(s: str) -> list[tuple[float, str | None]]:
    return [(float(v.group("num")), v.group("unit")) for v in _VALUE_ITEM.finditer(s)]


def _direction(verb: str | None) -> str:
    if not verb:
        return "level"
    if verb.endswith(("增长", "上涨", "增加")):
        return "增长"
    if verb.endswith(("下降", "降低")):
        return "下降"
    return "level"


def _predicate(text: str, pos: int) -> list[dict] | None:
    """Parse what follows an indicator name: a list of figure dicts (one per value), or None."""
    for pat, direction, qualifier, bench in _FORMULAS:
        m = pat.match(text, pos)
        if m:
            gd = m.groupdict()
            d = direction or ("下降" if gd.get("d") in ("下降", "下降率") else "增长")
            return [{"value": None, "unit": "", "qualifier": qualifier if qualifier is not None else gd["q"],
                     "benchmark": bench if bench is not None else gd["b"], "direction": d, "end": m.end(),
                     "hedge": "", "average": False, "cumulative": False}]
    m = _RATIO.match(text, pos)
    if m:
        vals = _values(m.group("vals"))
        unit = vals[-1][1] or ""
        if unit != "倍":
            return None
        return [{"value": v, "unit": u or unit, "qualifier": "", "benchmark": m.group("bench"), "direction": "level",
                 "end": m.end(), "hedge": "", "average": False, "cumulative": True}
                for v, u in vals]
    m = _FROM_TO.match(text, pos)
    if m:
        (v, u), = _values(m.group("vals"))
        return [{"value": v, "unit": u or "", "qualifier": "", "benchmark": "", "direction": "level", "end": m.end(),
                 "hedge": "", "average": False, "cumulative": False}]
    m = _NUMERIC.match(text, pos)
    if not m or not re.search(rf"(?:{_UNIT})$", m.group("vals")):
        return None  # a figure needs a unit: no bare numbers
    verb = m.group("verb")
    if verb and verb.startswith(("比上年", "同比")):
        verb = verb[-2:]
    vals = _values(m.group("vals"))
    final_unit = vals[-1][1]
    pre_q = verb if verb in ("突破", "超过") else ""
    post = m.group("post") or ""
    out = []
    for i, (v, u) in enumerate(vals):
        q = post if (i == len(vals) - 1 or len(vals) == 1) else ""
        out.append({"value": v, "unit": u or final_unit or "", "qualifier": "、".join(x for x in (pre_q, q) if x),
                    "benchmark": "", "direction": _direction(verb), "end": m.end(), "hedge": m.group("hedge") or "",
                    "average": bool(m.group("avg")), "cumulative": (verb or "").startswith("累计")})
    # "一般公共预算收入93.6亿元,增长7%": a level, then its growth
    if not verb and len(vals) == 1 and not post:
        g = _THEN_GROWTH.match(text, m.end())
        if g:
            (gv, gu), = _values(g.group("vals"))
            out.append({**out[0], "value": gv, "unit": gu, "direction": _direction(g.group("verb")),
                        "end": g.end(), "follow": True})
    return out


def extract(doc: Document) -> list[IndicatorRecord]:
    """Every headline-indicator record of ``doc``, in text order."""
    md = doc.metadata
    reviews = _review_parts(doc)
    periods = _periods(doc)
    text = doc.text
    out: list[IndicatorRecord] = []
    for p, period in zip(doc.paragraphs, periods):
        t = p.text
        pos = 0
        while True:
            m = _ALIAS.search(t, pos)
            if not m:
                break
            pos = m.end()
            # a denominator (…占规上工业总产值比重) or a share (固定资产投资占全市比重) is not the indicator
            if (m.start() > 0 and t[m.start() - 1] == "占") or t.startswith("占", m.end()):
                continue
            codes, chain_end = _chain(t, m)
            figures = _predicate(t, chain_end)
            if not figures:
                pos = chain_end
                continue
            pos = max(f["end"] for f in figures)
            # one figure per name: zip values with names, or share one value or formula among them
            main = [f for f in figures if not f.get("follow")]
            if len(main) == len(codes):
                pairs = list(zip(codes, main))
            elif len(main) == 1:
                pairs = [(c, main[0]) for c in codes]
            else:
                continue  # values and names do not line up: leave it out rather than guess
            if len(codes) == 1:
                pairs += [(codes[0], f) for f in figures if f.get("follow")]
            clause_start = max((c.end() for c in _CLAUSE_END.finditer(t, 0, m.start())), default=0)
            sentence_start = t.rfind("。", 0, m.start()) + 1
            hedge_before = re.search(r"力争|确保", t[clause_start:m.start()])
            estimate = "预计" in t[sentence_start:m.start()]
            for code, f in pairs:
                if p.part in reviews:
                    status = "estimate" if estimate else "achieved"
                else:
                    status = "target"
                if period:
                    year = period[1]
                else:
                    year = md.get("year_planned") if status == "target" else md.get("year_reviewed")
                if f["average"]:
                    basis = "average"
                elif period and (f["direction"] != "level" or f["cumulative"] or f["unit"] == "倍"):
                    basis = "period"
                else:
                    basis = "year"
                s, e = m.start(), f["end"]
                out.append(IndicatorRecord(
                    doc_id=doc.id, paragraph=p.index, indicator=NAME[code], code=code, value=f["value"],
                    unit=f["unit"], qualifier=f["qualifier"], benchmark=f["benchmark"],
                    hedge=f["hedge"] or (hedge_before.group(0) if hedge_before else ""), direction=f["direction"],
                    year=year, period=f"{period[0]}-{period[1]}" if period else "", basis=basis, status=status,
                    surface=t[s:e], start=p.start + s, end=p.start + e))
                assert text[p.start + s:p.start + e] == t[s:e]
    return out


def extract_corpus(corpus, ids: Iterable[str] | None = None) -> list[IndicatorRecord]:
    """Records of the documents ``ids`` (default: all), in corpus order."""
    docs = [corpus[i] for i in ids] if ids else list(corpus)
    return [r for d in docs for r in extract(d)]


# -- encodings ----------------------------------------------------------------------------------
_TEI_DIRECTION = {"增长": "increase", "下降": "decrease", "level": "level"}


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def to_tei_measure(record: IndicatorRecord) -> dict[str, str]:
    """Attributes of a TEI ``<measure>`` for a record (valid against TEI P5 ``tei_all``).

    ``type`` is the status, ``subtype`` the direction (increase, decrease, level), ``commodity`` the
    canonical indicator name, ``unit`` the unit as written and ``quantity`` the value (omitted for a
    qualitative target). See ``docs/indicators.md`` for the full encoding.
    """
    attrs = {"type": record.status, "subtype": _TEI_DIRECTION[record.direction], "commodity": record.indicator}
    if record.value is not None:
        attrs["unit"] = record.unit
        attrs["quantity"] = _fmt(record.value)
    return attrs


_ROW_FIELDS = ("id", "doc_id", "place", "level", "paragraph", "start", "end", "indicator", "code", "value",
               "signed_value", "unit", "qualifier", "benchmark", "hedge", "direction", "year", "period", "basis", "status", "surface")


def indicator_rows(corpus) -> list[dict[str, Any]]:
    """Flat rows for a Hugging Face ``indicators`` config (see :data:`INDICATOR_FEATURES`)."""
    rows = []
    for d in corpus:
        for n, r in enumerate(extract(d)):
            row = {"id": f"{d.id}-i{n:03d}", "place": d.metadata.get("place"), "level": d.metadata.get("level"),
                   **r.to_dict()}
            rows.append({k: row[k] for k in _ROW_FIELDS})
    return rows


def _features():
    from datasets import ClassLabel, Features, Value

    s, i = Value("string"), Value("int32")
    return Features({
        "id": s, "doc_id": s, "place": s, "level": s, "paragraph": i, "start": i, "end": i,
        "indicator": s, "code": s, "value": Value("float64"), "signed_value": Value("float64"), "unit": s, "qualifier": s, "benchmark": s,
        "hedge": s, "direction": ClassLabel(names=list(DIRECTIONS)), "year": i, "period": s,
        "basis": ClassLabel(names=list(BASES)), "status": ClassLabel(names=list(STATUSES)), "surface": s,
    })


def __getattr__(name: str):  # INDICATOR_FEATURES is built lazily: importing datasets is slow
    if name == "INDICATOR_FEATURES":
        return _features()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# -- tables -------------------------------------------------------------------------------------
def to_pandas(records: Iterable[IndicatorRecord]):
    import pandas as pd

    return pd.DataFrame([r.to_dict() for r in records], columns=list(FIELDS))


def read_table(path) -> list[tuple]:
    """Keys (see :meth:`IndicatorRecord.key`) of a hand-made TSV table such as the gold table."""
    import csv

    with open(path, encoding="utf-8", newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    out = []
    for r in csv.DictReader(lines, delimiter="\t"):
        out.append((r["doc_id"], int(r["paragraph"]), r["indicator"], float(r["value"]) if r["value"] else None,
                    r["unit"], r["qualifier"], r["benchmark"], r["hedge"], r["direction"],
                    int(r["year"]) if r["year"] else None, r["period"], r["basis"], r["status"], r["surface"]))
    return out
