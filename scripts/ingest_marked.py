#!/usr/bin/env python3
"""Ingest adjudicated gold annotations in inline markup into the TEI corpus.

Used once per annotation round (it is how version 0.1.0's gold entered
``annotations/``); kept for provenance. Input: a folder with, per document,
``<id>.marked.txt`` (``B###<TAB>[[surface|LABEL|canonical]]…`` lines, one per
text block) and ``<id>.records.tsv`` (LABEL, canonical, level, aliases, note).
``MERGE`` below maps variant canonical names to one record (decided when the
union of all records was reviewed; see docs/annotation-report.md).

Usage: python scripts/ingest_marked.py FOLDER [IDS...]
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path

from corpus_sz.authority import LEVELS, Authority, Record, mint_id, read_authority
from corpus_sz.clean import clean_all
from corpus_sz.encode import with_entities, write_corpus
from corpus_sz.formats.inline import parse_marked
from corpus_sz.model import Entity
from corpus_sz.paths import annotations_dir

# (label, variant canonical name) -> canonical name of the record it belongs to
MERGE: dict[tuple[str, str], str] = {
    ("PROGRAMME", "放管服改革"): "“放管服”改革",
    ("PROGRAMME", "民法典"): "《民法典》",
    ("PROGRAMME", "扫黑除恶"): "“扫黑除恶”",
    ("ZONE", "自贸区"): "自贸区沈阳片区",
    ("PROGRAMME", "“证照分离”"): "“证照分离”改革",
    ("ZONE", "中韩科技园"): "启迪中韩科技园",
    ("ZONE", "中日产业园"): "万科中日产业园",
    ("PROGRAMME", "“两国双城双园”"): "“两国双城双园合作”",
    ("PROGRAMME", "“深化商事制度改革”"): "商事制度改革",
    ("PROJECT", "沈丹铁路外迁"): "沈丹铁路外迁工程",
    ("PROJECT", "深部工程灾害物理模拟"): "超大型深部工程灾害物理模拟设施",
    ("PROJECT", "沈飞机场"): "沈飞机场迁建",
    ("PROGRAMME", "健康沈阳"): "健康沈阳工程",
    ("PROGRAMME", "“带土移植”"): "“带土移植”工程",
    ("PROGRAMME", "结构调整“三篇大文章”"): "产业结构调整“三篇大文章”",
    ("PROGRAMME", "五篇大文章"): "金融“五篇大文章”",
    ("PROGRAMME", "“评理说事点”"): "“村(居)民评理说事点”",
    ("ZONE", "浑南科技城"): "沈阳(浑南)科技城",
    ("ZONE", "浑南科学城"): "沈阳(浑南)科技城",
    ("ZONE", "北市场"): "北市场片区",
    ("ZONE", "中山路"): "中山路片区",
    ("PROGRAMME", "碳达峰行动"): "“碳达峰”行动",
    ("PROGRAMME", "“万件化访行动”"): "“万件化访”行动",
    ("PROGRAMME", "“舒心就业”"): "舒心就业工程",
    ("PROGRAMME", "“幸福教育”"): "幸福教育工程",
    ("PROGRAMME", "“品质养老”"): "品质养老工程",
    ("PROGRAMME", "“数据要素×”"): "“数据要素×”行动",
    ("PROGRAMME", "“五社”"): "“五社联动”",
    ("PROGRAMME", "“双减”"): "“双减”改革",
    ("PROGRAMME", "职工医保门诊共济保障机制"): "职工医保门诊共济保障机制改革",
    ("PROGRAMME", "“十大行动”"): "城市精细化管理“十大行动”",
    ("PROGRAMME", "巩固增势“20条”"): "《巩固增势推动经济持续回升向好若干政策举措》",
    ("ZONE", "沈阳都市圈"): "沈阳现代化都市圈",
    ("PROGRAMME", "宅基地改革试点"): "国家宅基地制度改革试点",
    ("PROJECT", "宝马新工厂"): "华晨宝马铁西新工厂",
}
# districts of other cities: GB/T 2260 code and city (checked against cpca in tests/test_authority.py)
OTHER_DISTRICTS = {"明山区": ("210504", "本溪市明山区 (a district of 本溪市, not of 沈阳市)")}
# programme levels decided at adjudication where annotators disagreed or left it empty
LEVEL: dict[str, str] = {"省自贸区总体方案": "provincial"}


def load_marked(folder: Path, doc_id: str):
    lines = (folder / f"{doc_id}.marked.txt").read_text(encoding="utf-8").splitlines()
    return [(bid, *parse_marked(m, f"{doc_id}:{bid}")) for bid, _, m in (l.partition("\t") for l in lines if l.strip())]


def load_records(folder: Path, doc_id: str):
    path = folder / f"{doc_id}.records.tsv"
    out = []
    if path.exists():
        for row in csv.reader(path.open(encoding="utf-8"), delimiter="\t"):
            if len(row) >= 2 and row[0] in ("DISTRICT", "ZONE", "PROJECT", "PROGRAMME"):
                out.append((row + ["", "", ""])[:5])
    return out


def main(folder: Path, ids: list[str]) -> None:
    ann = annotations_dir()
    old = read_authority(ann / "authority.xml")
    docs = {d.id: d for d in clean_all()}
    ids = ids or [d for d in docs if (folder / f"{d}.marked.txt").exists()]

    district_by_name = {r.name: r for r in old.by_label("DISTRICT")}
    surfaces: dict[tuple[str, str], set[str]] = defaultdict(set)
    levels: dict[tuple[str, str], set[str]] = defaultdict(set)
    notes: dict[tuple[str, str], list[str]] = defaultdict(list)
    spans_by_doc: dict[str, list] = {}
    for doc_id in ids:
        doc = docs[doc_id]
        blocks = doc.block_offsets()
        marked = load_marked(folder, doc_id)
        if len(marked) != len(blocks):
            raise SystemExit(f"{doc_id}: {len(marked)} marked lines for {len(blocks)} blocks")
        spans = []
        for (bid, plain, sp), (block, start, end) in zip(marked, blocks):
            if plain != block.text:
                raise SystemExit(f"{doc_id}:{bid}: marked text differs from the block text")
            for s, e, label, canon in sp:
                key = (label, MERGE.get((label, canon.strip()), canon.strip()))
                surfaces[key].add(plain[s:e])
                spans.append((start + s, start + e, key))
        spans_by_doc[doc_id] = spans
        for label, canon, level, aliases, note in load_records(folder, doc_id):
            key = (label, MERGE.get((label, canon.strip()), canon.strip()))
            if level.strip() in LEVELS:
                levels[key].add(level.strip())

    # records: districts keep their ids; others get ids minted from the canonical name
    records: dict[tuple[str, str], Record] = {}
    for r in old.by_label("DISTRICT"):  # the district list is fixed; other records come from the mentions
        records[(r.label, r.name)] = Record(r.id, r.label, r.name, [], r.code, r.level, r.note)
    taken = {r.id for r in old.by_label("DISTRICT")}
    for key in sorted(surfaces):
        label, canon = key
        if key not in records:
            rid = mint_id(label, canon, taken)
            taken.add(rid)
            records[key] = Record(rid, label, canon, [])

        rec = records[key]
        rec.aliases = sorted(s for s in surfaces[key] if s != rec.name)
        if label == "PROGRAMME":
            lv = LEVEL.get(canon) or (sorted(levels[key])[0] if len(levels[key]) == 1 else None)
            rec.level = lv
            if len(levels[key]) > 1 and canon not in LEVEL:
                rec.note = f"annotators gave levels {sorted(levels[key])}"
    for (label, canon), rec in records.items():
        if label == "DISTRICT" and canon in OTHER_DISTRICTS:
            rec.code, rec.note = OTHER_DISTRICTS[canon]
    auth = Authority(sorted(records.values(), key=lambda r: r.id))

    out_docs = []
    for doc_id, doc in docs.items():
        if doc_id in spans_by_doc:
            ents = [Entity(s, e, key[0], records[key].id) for s, e, key in spans_by_doc[doc_id]]
        else:  # keep what the TEI already has
            from corpus_sz.tei import read_document

            ents = read_document(ann / f"{doc_id}.xml").entities
        out_docs.append(with_entities(doc, ents))
    for p in write_corpus(ann, out_docs, auth):
        print("wrote", p)


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:])
