"""One declared cleaning recipe per seed.

Each recipe names, by line number and exact anchor strings, what in its seed
is boilerplate, what is damaged and how it is repaired, and how the report is
divided. Line numbers refer to the seed files in ``seeds/`` (1-based). The
engine (:mod:`.engine`) checks that nothing in a seed is left unaccounted for;
an anchor that cannot be found raises E102, so a changed seed cannot be
cleaned silently with a stale recipe.
"""

from __future__ import annotations

import re
from typing import Callable

from ..errors import E102, CorpusError
from ..model import Block, Piece
from .assemble import Open, assemble, cn_to_int
from .engine import Builder, Rule, Seed, split_at, split_runin

PART_RE = re.compile(r"^([一二三四五六七八九十]+)、")
SECTION_RE = re.compile(r"^[(（]([一二三四五六七八九十]+)[)）]")


def _runin(b: Builder, span, level: int, n: str | None = None, **kw) -> Open:
    head, rest = split_runin(b.seed, span)
    lead = [b.block("p", rest)] if rest else []
    return Open(level, head=b.block("head", head, type="runin"), n=n, lead=lead, **kw)


def _short_first_sentence(text: str, limit: int, forbidden: str) -> bool:
    i = text.find("。")
    return 0 < i <= limit and not any(c in text[:i] for c in forbidden)


# --------------------------------------------------------------------------
# 000  Shenyang 2021, full text reprinted on a municipal bureau's website
# --------------------------------------------------------------------------
RULES_000 = [
    Rule(r"(?<=”) (?=等528项)|(?<=“枫桥经验”) (?=,)", "reg", "", reason="stray-space"),
    Rule(r"二三五年(?=远景目标纲要)", "corr", "二〇三五年", cert="high",
         reason="lost-character"),
]


def recipe_000(seed: Seed, doc_id: str):
    b = Builder(seed, RULES_000)
    front = [
        b.gap(seed.lines(1, 3), "boilerplate"),
        b.block("title", seed.line(5)),
        b.gap(seed.line(7), "page-metadata"),
    ]
    entries: list = [b.block("salute", seed.line(9))]
    unnumbered = {35: 2, 39: 2, 51: 2, 167: 3}
    part = 0
    for n in range(11, seed.n_lines + 1):
        line = seed.line(n)
        t = seed.text[line[0]:line[1]].strip()
        if not t:
            continue
        if n in unnumbered:
            entries.append(Open(unnumbered[n], type="unnumbered"))
        if n == 181:
            entries.append(Open(1, type="closing"))
        if m := PART_RE.match(t):
            part = cn_to_int(m.group(1))
            entries.append(Open(1, head=b.block("head", line), n=str(part)))
        elif m := SECTION_RE.match(t):
            entries.append(_runin(b, line, 2, n=str(cn_to_int(m.group(1)))))
        elif (part == 2 and n > 69 or 41 <= n <= 49) and n not in unnumbered and \
                _short_first_sentence(t, 16, ",:!;"):
            entries.append(_runin(b, line, 3))
        else:
            entries.append(b.block("p", line))
    return b, front, assemble(entries), []


# --------------------------------------------------------------------------
# 001  Shenyang 2024, provincial portal mirror with spam injected
# --------------------------------------------------------------------------
SPAM = "365体育投注_365体育直播-竞猜网投"


def spam_correction(m: re.Match, text: str) -> str:
    """Restore the word the spam string replaced, from its fixed context.

    The hijacked mirror replaced three keys: 省委, 全省 and 辽宁省人民政府.
    Each body site is decided by a fixed formula around it (see the
    editorialDecl): 从⟦S⟧看 and 全国、⟦S⟧平均 give 全省; ⟦S⟧ before 省政府,
    、省政府, 经济工作会议 or 旧址 gives 省委.
    """
    before, after = text[max(0, m.start() - 3):m.start()], text[m.end():m.end() + 6]
    if after.startswith("看") or before.endswith("全国、"):
        return "全省"
    if after.startswith(("省政府", "、省政府", "经济工作会议", "旧址")):
        return "省委"
    raise CorpusError(E102, f"spam string at offset {m.start()} in an unknown context",
                      hint="add the context to spam_correction")


RULES_001 = [
    Rule(re.escape(SPAM), "corr", spam_correction, cert="high",
         reason="spam"),
    Rule(r"\?(?= 吕志成)", "corr", "", cert="medium",
         reason="lost-character"),
]


def recipe_001(seed: Seed, doc_id: str):
    b = Builder(seed, RULES_001)
    front = [b.block("byline", seed.line(1))]
    entries: list = [b.block("salute", seed.line(2))]
    part = 0
    for n in range(3, 72):
        line = seed.line(n)
        t = seed.line_text(n)
        if n == 15:
            entries.append(Open(2, type="unnumbered"))
        if n == 65:
            entries.append(Open(3, type="unnumbered"))
        if n == 71:
            entries.append(Open(1, type="closing"))
        if m := PART_RE.match(t):
            part = cn_to_int(m.group(1))
            entries.append(Open(1, head=b.block("head", line), n=str(part)))
        elif m := SECTION_RE.match(t):
            entries.append(_runin(b, line, 2, n=str(cn_to_int(m.group(1)))))
        elif part == 2 and n > 23 and n not in (65, 71) and _short_first_sentence(t, 15, ",!:"):
            entries.append(_runin(b, line, 3))
        else:
            entries.append(b.block("p", line))
    footer = b.gap(seed.lines(72, 75), "boilerplate")
    return b, front, assemble(entries) + [footer], []


# --------------------------------------------------------------------------
# 002  News report of the 2025 session opening, summarising the plan
# --------------------------------------------------------------------------
RULES_002 = [
    Rule(r"\*\*", "reg", "", reason="markdown"),
    Rule("設", "reg", "设", reason="traditional-character"),
]


def recipe_002(seed: Seed, doc_id: str):
    b = Builder(seed, RULES_002)
    front = [
        b.block("title", seed.line(5), type="headline"),
        b.block("p", seed.line(7), type="lead"),
        b.block("byline", seed.line(9)),
    ]
    entries: list = [Open(1, head=b.block("head", seed.line(11)), type="part", subtype="plan")]
    for n in range(13, 96):
        line = seed.line(n)
        t = seed.line_text(n).strip()
        if not t or n in (41, 43, 45, 47):
            continue
        if m := SECTION_RE.match(t):
            entries.append(Open(2, head=b.block("head", line), n=str(cn_to_int(m.group(1)))))
        elif n == 39:
            # the sidebar (lines 41-45) cut 兴沈英才计划 in two: rejoin 39 and 47
            head, rest = split_runin(seed, line)
            entries.append(Open(3, head=b.block("head", head, type="runin"),
                                lead=[b.block("p", rest, seed.line(47))]))
        elif n == 63:
            o = _runin(b, line, 3)
            o.lead[-1].pieces.append(b.lost("lost"))
            entries.append(o)
        elif n == 65:
            entries.append(Open(2, n="7", cert="medium", subtype="truncated"))
            entries.append(b.block("p", line))
        else:
            entries.append(_runin(b, line, 3))
    back = [
        _div("sidebar", [b.block("p", seed.line(41))], subtype="pullquote"),
        _div("sidebar", [b.block("head", seed.line(43)), b.block("p", seed.line(45))], subtype="targets"),
        b.gap(seed.line(97), "duplicate-byline"),
    ]
    return b, front, assemble(entries), back


def _div(type_, children, **kw):
    from ..model import Div

    return Div(type_, None, children, **kw)


# --------------------------------------------------------------------------
# 003  Heping district, full report with a glossary (名词解释)
# --------------------------------------------------------------------------
RULES_003 = [
    Rule(r"\[\n\]", "anchor", reason="broken-note-marker"),
    Rule(r"(?<=区长)  (?=张)", "reg", " ", reason="justification-spaces"),
    Rule(r"(?<=张)  (?=德)", "reg", "", reason="justification-spaces"),
    Rule(r"(?m)^\[\ufffd\]", "gap", reason="damaged-note-label"),
]
RULES_003_TITLE = [Rule(r"(?<=\S) (?=\S)", "reg", "", reason="letter-spacing")]


def _paragraph_spans(seed: Seed, first: int, last: int) -> list[tuple[int, tuple[int, int]]]:
    """Physical lines joined where a broken marker ``[`` + LF + ``]`` split them."""
    out = []
    n = first
    while n <= last:
        if not seed.line_text(n).strip():
            n += 1
            continue
        start = n
        while seed.line_text(n).endswith("[") and n + 1 <= last and seed.line_text(n + 1).startswith("]"):
            n += 1
        out.append((start, seed.lines(start, n)))
        n += 1
    return out


def recipe_003(seed: Seed, doc_id: str):
    b = Builder(seed, RULES_003)
    front = [
        b.block("title", seed.line(1), rules=RULES_003_TITLE),
        b.block("dateline", seed.line(3), seed.line(5)),
        b.block("byline", seed.line(7)),
    ]
    entries: list = [b.block("salute", seed.line(9))]
    part = 0
    for n, span in _paragraph_spans(seed, 11, 197):
        t = seed.text[span[0]:span[1]].replace("[\n]", "")
        if n == 86:
            entries.append(Open(2, type="unnumbered"))
        if n == 197:
            entries.append(Open(1, type="closing"))
        if m := PART_RE.match(t):
            part = cn_to_int(m.group(1))
            entries.append(Open(1, head=b.block("head", span), n=str(part)))
        elif m := re.match(r"^([一二三四五六七八九十])是", t):
            entries.append(_runin(b, span, 2, n=str(cn_to_int(m.group(1)))))
        elif m := SECTION_RE.match(t):
            entries.append(_runin(b, span, 2, n=str(cn_to_int(m.group(1)))))
        elif part and n != 197 and _short_first_sentence(t, 12, "，：！"):
            entries.append(_runin(b, span, 3))
        else:
            entries.append(b.block("p", span))
    body = assemble(entries)

    notes = [b.block("note", seed.line(n), type="gloss") for n in range(200, seed.n_lines + 1)
             if seed.line_text(n).startswith("[\ufffd]")]
    back = [_div("glossary", [b.block("head", seed.line(198))] + notes)]
    _link_notes(doc_id, front + body, notes)
    return b, front, body, back


def _link_notes(doc_id: str, items, notes: list[Block]) -> None:
    """Number notes and anchors by order (no numeral survives in the seed)."""
    from ..model import Div

    anchors: list[Piece] = []

    def walk(xs):
        for x in xs:
            if isinstance(x, Div):
                walk(x.children)
            else:
                anchors.extend(p for p in x.pieces if p.kind == "anchor")

    walk(items)
    if len(anchors) != len(notes):
        raise CorpusError(E102, f"{len(anchors)} note anchors but {len(notes)} glossary notes",
                          path=doc_id)
    for k, (anchor, note) in enumerate(zip(anchors, notes), start=1):
        note.n = str(k)
        note.xml_id = f"{doc_id}-note{k}"
        anchor.target = f"#{note.xml_id}"


# --------------------------------------------------------------------------
# 004  Hunnan district 2021, reposted on a company website
# --------------------------------------------------------------------------
RULES_004 = [Rule(r"这 (?=“一条主线”)", "reg", "这", reason="stray-space")]

# Run-in headings of 004, in order: 21 of them stand in the middle of fused lines.
RUNIN_004 = [
    "营商环境实现新提升。", "重点改革取得新突破。", "先行先试展现新成果。", "开放合作进入新阶段。",
    "发展格局日趋优化。", "产业特色更加鲜明。", "创新能力显著提升。",
    "污染防治攻坚成效明显。", "生态保护修复持续推进。", "城乡人居环境大幅改善。",
    "民生保障扎实有力。", "公共服务提质升级。", "社会治理闯出新路。",
    "狠抓政府系统党的建设。", "狠抓政府系统法治建设。", "狠抓政府系统廉政建设。", "狠抓政府系统效能建设。",
    "综合实力跃上新台阶。", "产业体系呈现新格局。", "创新创业激发新活力。", "开放合作实现新跨越。",
    "深化改革取得新突破。", "城乡建管谱写新篇章。", "民生福祉达到新高度。", "生态环境展现新面貌。",
    "深化“放管服”改革。", "优化法治服务环境。", "释放体制机制活力。",
    "完善科技基础设施。", "升级公共服务平台。", "优化创新创业生态。",
    "形成“城”“乡”并进的区域发展格局。", "健全“软”“硬”兼顾的产业发展体系。",
    "掀起“大”“小”兼备的项目建设热潮。", "实施“增”“存”并重的企业培育工程。",
    "挖掘内需消费新潜力。", "点燃开放合作新引擎。",
    "全力保护修复生态环境。", "全力推进污染防治攻坚。", "全力改善城乡人居环境。",
    "扎实做好社会保障工作。", "全面强化公共服务能力。", "持续完善社会治理体系。",
    "以忠诚书写初心。", "以法治护航发展。", "以担当诠释使命。", "以廉洁筑牢底线。",
]


def recipe_004(seed: Seed, doc_id: str):
    b = Builder(seed, RULES_004)
    front = [b.gap(seed.lines(1, 7), "boilerplate"), b.gap(seed.line(9), "repost-headline"),
             b.gap(seed.line(11), "page-metadata")]
    entries: list = []
    todo = list(RUNIN_004)
    for n in range(14, 132):
        line = seed.line(n)
        t = seed.line_text(n).strip()
        if not t:
            continue
        if n == 84:
            entries.append(b.gap(line, "duplicate-fragment"))
            continue
        if n == 57:
            entries.append(Open(2, type="unnumbered"))
        if n == 131:
            entries.append(Open(1, type="closing"))
        if m := PART_RE.match(t):
            entries.append(Open(1, head=b.block("head", line), n=str(cn_to_int(m.group(1)))))
            continue
        if m := SECTION_RE.match(t):
            cert = "low" if n == 39 else None  # duplicate of the plan heading at line 96
            entries.append(Open(2, head=b.block("head", line, cert=cert), n=str(cn_to_int(m.group(1)))))
            continue
        cuts = []
        if n == 70:
            cuts = ["各位代表,“十四五”时期我们将围绕"]
        heads_here = [h for h in todo if h in seed.text[line[0]:line[1]]]
        for h in heads_here:
            todo.remove(h)
        after = []
        if n == 70:
            after = ["各位代表,2021年是“十四五”开局之年", "明年政府工作总体要求是:"]
        for seg in split_at(seed, seed.strip(line), cuts + heads_here + after):
            st = seed.text[seg[0]:seg[1]]
            if any(st.startswith(h) for h in heads_here):
                if n == 70 and st.startswith("综合实力"):
                    entries.append(Open(2, type="unnumbered", subtype="goals"))
                entries.append(_runin(b, seg, 3))
            else:
                if n == 70 and st.startswith("各位代表,2021年"):
                    entries.append(Open(2, type="unnumbered"))
                entries.append(b.block("p", seg))
    if todo:
        raise CorpusError(E102, f"run-in headings not found: {todo}", path=seed.name)
    back_gaps = [b.gap(seed.lines(135, seed.n_lines), "boilerplate")]
    return b, front, assemble(entries) + back_gaps, []


RECIPES: dict[str, Callable] = {
    "000_b87c77873ac50ed8.txt": recipe_000,
    "001_110bda27a7c53275.txt": recipe_001,
    "002_0391023c4a769222.txt": recipe_002,
    "003_cafc58cbfe12cd4a.txt": recipe_003,
    "004_335dfbb02494fa6a.txt": recipe_004,
}


# --------------------------------------------------------------------------
# generic: reports added with `corpus-sz new-report` (manifest "recipe": "generic")
# --------------------------------------------------------------------------
# Knows the shape of a work report, nothing about any web page: every non-empty
# line is one block and nothing is removed or corrected. A short first line is
# the title; lines after it that open with a dash (——…会议上) are datelines and
# a short 市长/区长/县长 line the byline. In the body, `一、` lines are part
# headings, `(一)`/`（一）` lines section headings (run-in when a sentence
# follows), and inside a part a line whose first sentence is short and has no
# comma, colon or semicolon opens a run-in subsection.
GENERIC_SALUTE_RE = re.compile(r"^各位代表[:：,，!！]?$")
GENERIC_DATELINE_RE = re.compile(r"^[—–-]{1,2}")
GENERIC_BYLINE_RE = re.compile(r"^(代理|代)?(市|区|县|旗)长\s*\S{2,4}$")
GENERIC_TITLE_MAX = 40
GENERIC_RUNIN_MAX = 15
GENERIC_RUNIN_FORBIDDEN = ",，:：;；!！?？、"


def _generic_is_title(t: str) -> bool:
    return len(t) <= GENERIC_TITLE_MAX and not PART_RE.match(t) and not SECTION_RE.match(t) \
        and t[-1] not in "。；;：:，,！!？?" and not GENERIC_SALUTE_RE.match(t)


def _generic_head(b: Builder, span, level: int, n: str | None = None) -> Open:
    head, rest = split_runin(b.seed, span)
    if rest is None:
        return Open(level, head=b.block("head", head), n=n)
    return Open(level, head=b.block("head", head, type="runin"), n=n, lead=[b.block("p", rest)])


def recipe_generic(seed: Seed, doc_id: str):
    b = Builder(seed)
    lines = [n for n in range(1, seed.n_lines + 1) if seed.line_text(n).strip()]
    front: list = []
    entries: list = []
    i = 0
    if lines and _generic_is_title(seed.line_text(lines[0]).strip()):
        front.append(b.block("title", seed.line(lines[0])))
        i = 1
        while i < len(lines):
            t = seed.line_text(lines[i]).strip()
            if GENERIC_DATELINE_RE.match(t) and len(t) <= 60:
                front.append(b.block("dateline", seed.line(lines[i])))
            elif GENERIC_BYLINE_RE.match(t):
                front.append(b.block("byline", seed.line(lines[i])))
            else:
                break
            i += 1
    part = 0
    for n in lines[i:]:
        line = seed.line(n)
        t = seed.line_text(n).strip()
        m_part, m_sec = PART_RE.match(t), SECTION_RE.match(t)
        if GENERIC_SALUTE_RE.match(t):
            entries.append(b.block("salute", line))
        elif m_part and _generic_num(m_part.group(1)):
            part = int(_generic_num(m_part.group(1)))
            entries.append(Open(1, head=b.block("head", line), n=str(part)))
        elif m_sec and _generic_num(m_sec.group(1)):
            entries.append(_generic_head(b, line, 2, n=_generic_num(m_sec.group(1))))
        elif part and _generic_runin(t):
            entries.append(_runin(b, line, 3))
        else:
            entries.append(b.block("p", line))
    return b, front, assemble(entries), []


def _generic_num(s: str) -> str | None:
    try:
        return str(cn_to_int(s))
    except (ValueError, IndexError):
        return None


def _generic_runin(t: str) -> bool:
    """A short first sentence without inner punctuation, followed by more text."""
    if not _short_first_sentence(t, GENERIC_RUNIN_MAX, GENERIC_RUNIN_FORBIDDEN):
        return False
    rest = t[t.find("。") + 1:].lstrip("”").strip()
    return bool(rest)


NAMED_RECIPES: dict[str, Callable] = {"generic": recipe_generic}
