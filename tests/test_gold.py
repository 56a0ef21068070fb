"""The gold annotations: a sample of mentions verified by reading, and the consistency rules."""

from collections import Counter

import pytest

from corpus_sz.consistency import inconsistencies, read_exceptions

from conftest import REPO

# (document, mention text, label, record id, a few characters of context before it) —
# each read in its paragraph and checked against docs/guidelines.md.
SAMPLE = [
    ("shenyang-2021", "新松VR产业研究院", "PROJECT", "project-xin-song-vr-chan-ye-yan-jiu-yuan", "上线运行。"),
    ("shenyang-2021", "自贸区", "ZONE", "zone-zi-mao-qu-shen-yang-pian-qu", "推动更高水平对外开放。"),
    ("shenyang-2021", "“暖房子”工程", "PROGRAMME", "programme-nuan-fang-zi-gong-cheng", "重点实施"),
    ("shenyang-2021", "扬翔", "PROJECT", "project-yang-xiang", "推进新希望、"),
    ("shenyang-2021", "《沈阳市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要(草案)》", "PROGRAMME",
     "programme-shen-yang-shi-guo-min-jing-ji-he-she-hui-fa-zhan-di-shi-si-ge-wu-nian-gui-hua-he-er-ling-san-wu-nian-yuan-jing-mu-biao-gang-yao-cao-an",
     "编制了"),
    ("shenyang-2024", "沈河区", "DISTRICT", "district-shen-he", "国家级旅游休闲街区,"),
    ("shenyang-2024", "“四比四看”", "PROGRAMME", "programme-si-bi-si-kan", "进一步强化"),
    ("shenyang-2024", "“数据要素×”行动", "PROGRAMME", "programme-shu-ju-yao-su-xing-dong", "研究实施"),
    ("shenyang-2024", "品质养老服务创新工程", "PROGRAMME", "programme-pin-zhi-yang-lao-fu-wu-chuang-xin-gong-cheng", "推进"),
    ("shenyang-2024", "中共满洲省委旧址纪念馆", "PROJECT", "project-zhong-gong-man-zhou-sheng-wei-jiu-zhi-ji-nian-guan", "加快推进"),
    ("shenyang-2025", "“兴沈英才计划”", "PROGRAMME", "programme-xing-shen-ying-cai-ji-hua", "深入实施"),
    ("shenyang-2025", "消费品以旧换新政策", "PROGRAMME", "programme-xiao-fei-pin-yi-jiu-huan-xin-zheng-ce", "深入落实"),
    ("shenyang-2025", "“约沈阳、悦消费”", "PROGRAMME", "programme-yue-shen-yang-yue-xiao-fei", "持续打造"),
    ("shenyang-2025", "微控飞轮储能", "PROJECT", "project-wei-kong-fei-lun-chu-neng", "加快"),
    ("shenyang-2025", "自贸区提升战略三年行动", "PROGRAMME", "programme-zi-mao-qu-ti-sheng-zhan-lve-san-nian-xing-dong", "实施"),
    ("heping-2023", "和平区", "DISTRICT", "district-he-ping", "发展大会，"),
    ("heping-2023", "太原街", "ZONE", "zone-tai-yuan-jie", "老城区更新蹄疾步稳。\n"),
    ("heping-2023", "和平", "DISTRICT", "district-he-ping", "加快构建具有"),
    ("heping-2023", "南京一校光荣校区", "PROJECT", "project-nan-jing-yi-xiao-guang-rong-xiao-qu", "完成"),
    ("heping-2023", "TOD站城一体开发项目", "PROJECT", "project-tod-zhan-cheng-yi-ti-kai-fa-xiang-mu", "实施"),
    ("hunnan-2021", "闲置宅基地和农房利用改革", "PROGRAMME", "programme-xian-zhi-zhai-ji-di-he-nong-fang-li-yong-gai-ge",
     "创新型产业用地、"),
    ("hunnan-2021", "恒大新能源汽车", "PROJECT", "project-heng-da-xin-neng-yuan-qi-che", "实现落地,"),
    ("hunnan-2021", "“扫黑除恶”", "PROGRAMME", "programme-sao-hei-chu-e", "巩固提升"),
    ("hunnan-2021", "石台子山城遗址公园", "PROJECT", "project-shi-tai-zi-shan-cheng-yi-zhi-gong-yuan", "推进"),
    ("hunnan-2021", "浑南科学城", "ZONE", "zone-shen-yang-hun-nan-ke-ji-cheng", ""),
]


@pytest.mark.parametrize("doc_id,text,label,ref,before", SAMPLE)
def test_verified_mentions(corpus, doc_id, text, label, ref, before):
    doc = corpus[doc_id]
    hits = [e for e in doc.entities if e.text == text and doc.text[:e.start].endswith(before)]
    assert hits, f"{text} not annotated after {before!r}"
    assert all((e.label, e.ref) == (label, ref) for e in hits)


def test_every_report_is_annotated_with_every_label(corpus):
    for d in corpus:
        labels = Counter(e.label for e in d.entities)
        assert set(labels) == {"DISTRICT", "ZONE", "PROJECT", "PROGRAMME"}, d.id
    assert Counter(e.label for e in corpus["shenyang-2024"].entities)["PROGRAMME"] > 100


def test_entities_are_flat_and_inside_paragraphs(corpus):
    for d in corpus:
        ents = sorted(d.entities, key=lambda e: e.start)
        for a, b in zip(ents, ents[1:]):
            assert a.end <= b.start, (d.id, a, b)
        for e in ents:
            assert "\n" not in e.text and e.text == e.text.strip()


def test_same_string_same_label_and_record_or_explained(corpus):
    """The consistency rule of the guidelines, with every exception reviewed and explained."""
    exceptions = read_exceptions(REPO / "annotations" / "consistency-exceptions.tsv")
    found = {(f.doc_id, f.start, f.surface) for f in inconsistencies(corpus)}
    unexplained = found - set(exceptions)
    assert not unexplained, sorted(unexplained)[:10]
    stale = set(exceptions) - found
    assert not stale, f"exceptions that no longer apply: {sorted(stale)[:10]}"
    assert all(reason.strip() for reason in exceptions.values())
