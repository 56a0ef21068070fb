"""Cleaning and structure of every seed, checked against the seeds themselves."""

import re

import pytest

from corpus_sz.clean.recipes import SPAM
from corpus_sz.seeds import manifest
from corpus_sz.structure import heading_counts

from conftest import REPO

SEED_TEXT = {r.id: (REPO / "seeds" / r.file).read_text(encoding="utf-8") for r in manifest()}


def test_every_seed_character_is_accounted_for(cleaned):
    """Kept text, edit originals and layout tile each seed exactly once."""
    for doc_id, doc in cleaned.items():
        seed = SEED_TEXT[doc_id]
        spans = list(doc.layout)
        for block, _, _ in doc.iter_blocks():
            for p in block.pieces:
                if p.src is not None:
                    assert seed[p.src[0]:p.src[1]] == p.orig, (doc_id, p)
                    spans.append(p.src)
        spans.sort()
        pos = 0
        for s, e in spans:
            assert s == pos, f"{doc_id}: hole or overlap at {pos}"
            pos = e
        assert pos == len(seed)
        for s, e in doc.layout:  # layout is whitespace only
            assert not seed[s:e].strip(), (doc_id, seed[s:e])


@pytest.mark.parametrize("doc_id,levels,paragraphs", [
    ("shenyang-2021", {1: 2, 2: 18, 3: 49}, 156),
    ("shenyang-2024", {1: 2, 2: 17, 3: 36}, 124),
    ("shenyang-2025", {1: 1, 2: 8, 3: 29}, 74),
    ("heping-2023", {1: 2, 2: 13, 3: 45}, 181),
    ("hunnan-2021", {1: 2, 2: 12, 3: 47}, 118),
])
def test_structure_counts(cleaned, doc_id, levels, paragraphs):
    doc = cleaned[doc_id]
    assert heading_counts(doc) == levels
    assert len(doc.paragraphs) == paragraphs


def test_no_noise_left_in_any_text(cleaned):
    noise = [SPAM, "\ufffd", "**", "欢迎访问", "当前位置", "版权所有", "ICP备", "联系电话", "扫一扫",
             "本报记者 王月宏 朱柏玲\n本报记者", "发布时间", "[", "]", "政 府", "市长?", "設", "如有侵权"]
    for doc in cleaned.values():
        for s in noise:
            assert s not in doc.text, (doc.id, s)
        assert "\n\n" not in doc.text and not re.search(r"^\s|\s$", doc.text)


def test_spam_sites_are_corrected_with_the_original_kept(cleaned):
    doc = cleaned["shenyang-2024"]
    spam = [p for p in doc.edits() if p.reason == "spam"]
    assert [p.text for p in spam] == ["全省", "省委", "省委", "全省", "省委", "省委"]
    assert all(p.orig == SPAM and p.kind == "corr" and p.cert == "high" for p in spam)
    for phrase in ["高于全国、全省平均水平", "党中央国务院、省委省政府和市委", "全面落实省委经济工作会议",
                   "从全省看", "中共满洲省委旧址纪念馆", "在省委、省政府和市委的坚强领导下"]:
        assert phrase in doc.text
    footer = [p for p in doc.edits() if p.kind == "gap"]
    assert len(footer) == 1 and footer[0].orig.count(SPAM) == 2
    assert doc.text.startswith("沈阳市人民政府市长 吕志成\n各位代表:")


def test_rejoined_programme_and_sidebar_of_the_2025_summary(cleaned):
    doc = cleaned["shenyang-2025"]
    assert "深入实施“兴沈英才计划”，办好东北亚人才交流大会" in doc.text
    para = next(p for p in doc.paragraphs if "兴沈英才计划" in p.text)
    assert para.section == "3" and para.division == "body"
    sidebar = [p for p in doc.paragraphs if p.division == "back"]
    assert [p.text[:8] for p in sidebar] == ["今年是“十四五”", "今年沈阳市经济社", "今年全市经济社会"]
    assert "增长5.5%以上" in doc.text and sum(p.orig == "**" for p in doc.edits()) == 12
    assert "加快微控飞轮储能等重点项目建设。" in doc.text
    lost = [p for p in doc.edits() if p.reason == "lost"]
    assert len(lost) == 1 and doc.text.count("数字\n带，着力打造“稻田画之乡”") == 1


def test_heping_notes_are_linked_by_order_and_terms_match(cleaned):
    doc = cleaned["heping-2023"]
    anchors, notes = [], {}
    for block, _, where in doc.iter_blocks():
        pos = 0
        for p in block.pieces:
            if p.kind == "anchor":
                anchors.append((block.text[:pos], p.target))
            pos += len(p.text)
        if block.kind == "note":
            notes[block.xml_id] = block.text
    assert len(anchors) == 46 and len(notes) == 46
    for before, target in anchors:
        term = notes[target.lstrip("#")].split("：", 1)[0]
        assert before.endswith(term), (term, before[-20:])
    assert doc.text.startswith("政府工作报告\n——2023年12月21日在沈阳市和平区第十九届人民代表大会第三次会议上\n和平区人民政府区长 张德")
    assert "CCF沈阳联合科创中心" in doc.text and "“五工程一管理”协同铺开。" in doc.text


def test_other_recorded_edits(cleaned):
    d21 = cleaned["shenyang-2021"]
    assert "二〇三五年远景目标纲要" in d21.text
    assert "“证照分离”等528项" in d21.text and "“枫桥经验”," in d21.text
    assert [p.reason for p in d21.edits()] == ["boilerplate", "page-metadata", "stray-space", "lost-character",
                                               "stray-space"]
    hn = cleaned["hunnan-2021"]
    assert hn.text.count("众对美好生活的殷切向往、谱写浑南高质量发展的华彩篇章而不懈奋斗!") == 1
    assert "这“一条主线”" in hn.text
    head39 = [b for b, _, _ in hn.iter_blocks() if b.kind == "head" and b.cert == "low"]
    assert [b.text for b in head39] == ["(四)以扩大开放为抓手,畅通国内国际循环"]


def test_paragraph_places(cleaned):
    doc = cleaned["shenyang-2024"]
    p = next(p for p in doc.paragraphs if p.text.startswith("千方百计促进就业。"))
    assert (p.part, p.section, p.kind) == ("2", "9", "head")
    closing = doc.paragraphs[-1]
    assert closing.section == "closing" and closing.text.startswith("各位代表!")
    for d in cleaned.values():
        for p in d.paragraphs:
            assert d.text[p.start:p.end] == p.text


def test_sentences(cleaned):
    from corpus_sz.structure import split_sentences

    assert split_sentences("打造营商环境“升级版”。持续深化改革!好") == ["打造营商环境“升级版”。", "持续深化改革!", "好"]
    doc = cleaned["heping-2023"]
    assert "".join(doc.sentences) == "".join(p.text for p in doc.paragraphs)
