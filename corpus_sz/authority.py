"""Authority records: the things that mentions refer to, shared by all reports.

Stored in ``annotations/authority.xml`` as a TEI document with a
``<standOff>``: ``listPlace`` for DISTRICT (nested under the city, with GB/T
2260 codes) and ZONE, ``listObject`` for PROJECT and ``listEvent`` for
PROGRAMME. Record ids are ASCII: a label prefix and a pinyin slug.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from .xmlutil import TEI_NS, XML_ID, parse_xml, tei

PREFIX = {"DISTRICT": "district", "ZONE": "zone", "PROJECT": "project", "PROGRAMME": "programme"}
LEVELS = ("national", "provincial", "municipal", "district")
CITY_ID = "city-shenyang"


@dataclass
class Record:
    id: str
    label: str
    name: str
    aliases: list[str] = field(default_factory=list)
    code: str | None = None  # GB/T 2260, districts only
    level: str | None = None  # issuing level, programmes only
    note: str | None = None

    def to_dict(self) -> dict:
        return {"id": self.id, "label": self.label, "name": self.name, "aliases": list(self.aliases),
                "code": self.code, "level": self.level, "note": self.note}


class Authority:
    """All records, by id."""

    def __init__(self, records: list[Record]) -> None:
        self.records = {r.id: r for r in records}

    def __getitem__(self, rid: str) -> Record:
        return self.records[rid]

    def __contains__(self, rid: object) -> bool:
        return rid in self.records

    def __iter__(self):
        return iter(self.records.values())

    def __len__(self) -> int:
        return len(self.records)

    def by_label(self, label: str) -> list[Record]:
        return [r for r in self.records.values() if r.label == label]

    def alias_index(self) -> dict[str, list[Record]]:
        """Surface form -> records (a form may be ambiguous)."""
        idx: dict[str, list[Record]] = {}
        for r in self.records.values():
            for form in dict.fromkeys([r.name, *r.aliases]):
                idx.setdefault(form, []).append(r)
        return idx


def slug(name: str) -> str:
    """ASCII slug of a Chinese name (pinyin without tones)."""
    from pypinyin import lazy_pinyin

    parts = lazy_pinyin(re.sub(r"[“”《》「」\"'（）()·、]", "", name))
    s = "-".join(p.lower() for p in parts if p.strip())
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return s or "x"


def mint_id(label: str, name: str, taken: set[str]) -> str:
    base = f"{PREFIX[label]}-{slug(name)}"
    rid, k = base, 2
    while rid in taken:
        rid, k = f"{base}-{k}", k + 1
    return rid


# -- TEI ----------------------------------------------------------------------
def _names(parent: etree._Element, tag: str, r: Record) -> None:
    tei(parent, tag, text=r.name)
    for a in r.aliases:
        tei(parent, tag, text=a, type="alias")


def authority_to_tei(auth: Authority, header: etree._Element) -> etree._Element:
    root = etree.Element(f"{{{TEI_NS}}}TEI", nsmap={None: TEI_NS})
    root.set(XML_ID, "authority")
    root.set("{http://www.w3.org/XML/1998/namespace}lang", "zh-Hans")
    root.append(header)
    so = tei(root, "standOff")
    lp = tei(so, "listPlace", type="district")
    city = tei(lp, "place", type="city", **{XML_ID: CITY_ID})
    tei(city, "placeName", text="沈阳市")
    tei(city, "idno", text="210100", type="GB2260")
    districts = sorted(auth.by_label("DISTRICT"), key=lambda r: (r.code or "", r.id))
    # districts of Shenyang nest in the city; districts of other cities follow it, with a note
    for r in [d for d in districts if (d.code or "").startswith("2101")] + \
             [d for d in districts if not (d.code or "").startswith("2101")]:
        parent = city if (r.code or "").startswith("2101") else lp
        pl = tei(parent, "place", type="district", **{XML_ID: r.id})
        _names(pl, "placeName", r)
        if r.code:
            tei(pl, "idno", text=r.code, type="GB2260")
        if r.note:
            tei(pl, "note", text=r.note)
    # TEI lists may not be empty: a list is written only when it has records
    for label, list_tag, item_tag, wrapper, name_tag in (
            ("ZONE", "listPlace", "place", None, "placeName"),
            ("PROJECT", "listObject", "object", "objectIdentifier", "objectName"),
            ("PROGRAMME", "listEvent", "event", None, "label")):
        records = sorted(auth.by_label(label), key=lambda r: r.id)
        if not records:
            continue
        typ = label.lower()
        lst = tei(so, list_tag, type=typ)
        for r in records:
            item = tei(lst, item_tag, type=typ, **{XML_ID: r.id})
            _names(tei(item, wrapper) if wrapper else item, name_tag, r)
            if r.level:
                tei(item, "note", text=r.level, type="level")
            if r.note:
                tei(item, "note", text=r.note)
    return root


def authority_from_tei(root: etree._Element) -> Authority:
    ns = {"t": TEI_NS}
    recs: list[Record] = []

    def names(el, tag):
        main = [n.text or "" for n in el.findall(f"t:{tag}", ns) if n.get("type") is None]
        alias = [n.text or "" for n in el.findall(f"t:{tag}", ns) if n.get("type") == "alias"]
        return (main[0] if main else ""), alias

    def plain_note(el):
        for n in el.findall("t:note", ns):
            if n.get("type") is None:
                return n.text
        return None

    for pl in root.iterfind(".//t:place[@type='district']", ns):
        name, alias = names(pl, "placeName")
        idno = pl.find("t:idno", ns)
        recs.append(Record(pl.get(XML_ID), "DISTRICT", name, alias,
                           code=idno.text if idno is not None else None, note=plain_note(pl)))
    for pl in root.iterfind(".//t:place[@type='zone']", ns):
        name, alias = names(pl, "placeName")
        recs.append(Record(pl.get(XML_ID), "ZONE", name, alias, note=plain_note(pl)))
    for ob in root.iterfind(".//t:object[@type='project']", ns):
        name, alias = names(ob.find("t:objectIdentifier", ns), "objectName")
        recs.append(Record(ob.get(XML_ID), "PROJECT", name, alias, note=plain_note(ob)))
    for ev in root.iterfind(".//t:event[@type='programme']", ns):
        name, alias = names(ev, "label")
        lv = ev.find("t:note[@type='level']", ns)
        recs.append(Record(ev.get(XML_ID), "PROGRAMME", name, alias,
                           level=lv.text if lv is not None else None, note=plain_note(ev)))
    return Authority(recs)


def read_authority(path: Path) -> Authority:
    return authority_from_tei(parse_xml(path).getroot())
