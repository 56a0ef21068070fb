"""TEI writer and reader: lossless round trip, schemas, the shipped corpus."""

from lxml import etree

from corpus_sz.corpus import component_files
from corpus_sz.tei import document_from_tree, document_to_tei
from corpus_sz.version import __version__
from corpus_sz.xmlutil import parse_bytes

from conftest import REPO

ANN = REPO / "annotations"


def test_round_trip_is_byte_identical():
    files = component_files(ANN)
    assert len(files) == 5
    for f in files:
        raw = f.read_bytes()
        doc = document_from_tree(parse_bytes(raw, str(f)), str(f))
        assert document_to_tei(doc) == raw, f.name


def test_shipped_text_layer_equals_cleaned_seed(cleaned, corpus):
    for d in corpus:
        assert d.text == cleaned[d.id].text
        assert d.metadata == cleaned[d.id].metadata


def test_project_schemas_accept_the_corpus():
    for name, files in [("component", component_files(ANN)), ("corpus", [ANN / "corpus.xml"]),
                        ("authority", [ANN / "authority.xml"])]:
        rng = etree.RelaxNG(etree.parse(str(REPO / "schemas" / f"{name}.rng")))
        for f in files:
            assert rng.validate(etree.parse(str(f))), (f.name, rng.error_log)


def test_header_carries_edition_extent_and_edits(corpus):
    for f in component_files(ANN):
        root = etree.parse(str(f)).getroot()
        ns = {"t": "http://www.tei-c.org/ns/1.0"}
        assert root.find(".//t:editionStmt/t:edition", ns).get("n") == __version__
        doc = corpus[root.get("{http://www.w3.org/XML/1998/namespace}id")]
        chars = root.find(".//t:extent/t:measure[@unit='chars']", ns)
        assert int(chars.get("quantity")) == len(doc.text)
        for label in ("DISTRICT", "ZONE", "PROJECT", "PROGRAMME"):
            m = root.find(f".//t:extent/t:measure[@type='{label}']", ns)
            assert int(m.get("quantity")) == sum(e.label == label for e in doc.entities)
        n_choice = len(root.findall(".//t:text//t:choice", ns))
        assert n_choice == sum(p.kind in ("corr", "reg") for p in doc.edits())


def test_spam_corrections_in_tei():
    root = etree.parse(str(ANN / "shenyang-2024.xml")).getroot()
    ns = {"t": "http://www.tei-c.org/ns/1.0"}
    corrs = root.findall(".//t:text//t:choice/t:corr[@type='spam']", ns)
    assert [c.text for c in corrs] == ["全省", "省委", "省委", "全省", "省委", "省委"]
    assert all(c.getprevious().text == "365体育投注_365体育直播-竞猜网投" for c in corrs)


def test_every_file_lists_every_release_and_the_changelog_has_them():
    """The revision history in each header is the release list, newest (the package version) first,
    and every release has its CHANGELOG section: a release cannot be half made."""
    from corpus_sz.version import RELEASES, __release_date__

    assert RELEASES[0][:2] == (__version__, __release_date__)
    ns = {"t": "http://www.tei-c.org/ns/1.0"}
    for f in [*component_files(ANN), ANN / "corpus.xml"]:
        changes = etree.parse(str(f)).getroot().findall(".//t:revisionDesc/t:change", ns)
        assert [(c.get("n"), c.get("when")) for c in changes] == [r[:2] for r in RELEASES], f.name
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    for version, date, _ in RELEASES:
        assert f"\n## {version} — {date}\n" in changelog, version
