"""Authority records: district codes against cpca's GB/T 2260 table, ids, linking across years."""

import csv
from pathlib import Path

import pytest

from corpus_sz.authority import read_authority

from conftest import REPO

AUTH = read_authority(REPO / "annotations" / "authority.xml")


def cpca_codes() -> dict[str, str]:
    cpca = pytest.importorskip("cpca")
    path = Path(cpca.__file__).parent / "resources" / "adcodes.csv"
    with path.open(encoding="utf-8") as f:
        return {row["adcode"][:6]: row["name"] for row in csv.DictReader(f)}


def test_district_codes_match_the_gb2260_table_in_cpca():
    codes = cpca_codes()
    districts = AUTH.by_label("DISTRICT")
    assert len([d for d in districts if d.code and d.code.startswith("2101")]) == 13
    for d in districts:
        if d.code:
            assert codes.get(d.code) == d.name, (d.id, d.code, d.name)
    assert codes["210100"] == "沈阳市"


def test_record_ids_are_stable_ascii_and_prefixed():
    for r in AUTH:
        assert r.id.isascii() and r.id.startswith(r.label.lower() + "-"), r.id
        assert r.name and r.name not in r.aliases


def test_same_programme_across_years_is_one_record(corpus):
    plan = [r for r in AUTH if r.name == "“十四五”规划"]
    assert len(plan) == 1
    docs = {d.id for d in corpus for e in d.entities if e.ref == plan[0].id}
    assert {"shenyang-2021", "shenyang-2024", "shenyang-2025"} <= docs


def test_zone_renamed_between_years_is_one_record(corpus):
    (zone,) = [r for r in AUTH if r.name == "沈阳(浑南)科技城"]
    forms = {e.text for d in corpus for e in d.entities if e.ref == zone.id}
    assert {"浑南科技城", "浑南科学城"} <= forms
    assert set(zone.aliases) >= {"浑南科技城", "浑南科学城"}


def test_aliases_are_the_forms_that_occur(corpus):
    forms: dict[str, set] = {}
    for d in corpus:
        for e in d.entities:
            forms.setdefault(e.ref, set()).add(e.text)
    for ref, fs in forms.items():
        r = AUTH[ref]
        assert fs <= {r.name, *r.aliases}, ref
