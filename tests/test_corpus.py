"""The reading API and the CLI's reading commands."""

import subprocess
import sys

import pytest

import corpus_sz
from corpus_sz.errors import CorpusError

KEYS = {"title", "issuer", "level", "admin_code", "place", "date", "speaker", "session", "source",
        "year_reviewed", "year_planned", "kind", "seed"}


def test_load_returns_five_documents(corpus):
    assert len(corpus) == 5 and corpus.version == corpus_sz.__version__
    assert corpus.fileids() == ["shenyang-2021", "shenyang-2024", "shenyang-2025", "heping-2023", "hunnan-2021"]
    assert [d.id for d in corpus] == corpus.fileids()
    for d in corpus:
        assert KEYS <= set(d.metadata)


def test_metadata_values(corpus):
    assert corpus["shenyang-2025"].metadata["kind"] == "summary"
    assert corpus["shenyang-2025"].metadata["session"] == "沈阳市第十七届人民代表大会第四次会议"
    assert corpus["shenyang-2021"].metadata["session"] is None  # the plenums are Party meetings
    assert corpus["heping-2023"].metadata["date"] == "2023-12-21"
    assert corpus["heping-2023"].metadata["admin_code"] == "210102"
    assert corpus["hunnan-2021"].metadata["admin_code"] == "210112"
    assert corpus["shenyang-2024"].metadata["speaker"] == "吕志成"


def test_unknown_id_is_a_clear_error(corpus):
    with pytest.raises(CorpusError) as e:
        corpus["shenyang-1999"]
    assert e.value.code == "E401" and "shenyang-2024" in str(e.value)


def test_entities_are_consistent_with_text(corpus):
    for d in corpus:
        for e in d.entities:
            assert d.text[e.start:e.end] == e.text
            assert e.ref in corpus.authority, e
            assert corpus.authority[e.ref].label == e.label


def test_to_pandas(corpus):
    docs, paras, ents = corpus.to_pandas()
    assert len(docs) == 5 and len(paras) == sum(len(d.paragraphs) for d in corpus)
    assert len(ents) == sum(len(d.entities) for d in corpus)
    assert set(docs["doc_id"]) == set(corpus.fileids())
    assert {"part", "section", "subsection", "text"} <= set(paras.columns)


def cli(*args):
    return subprocess.run([sys.executable, "-m", "corpus_sz.cli", *args], capture_output=True, text=True)


def test_cli_info_and_show():
    r = cli("info")
    assert r.returncode == 0 and "5 documents" in r.stdout and "heping-2023" in r.stdout
    r = cli("show", "shenyang-2025")
    assert r.returncode == 0 and "兴沈英才计划" in r.stdout
    r = cli("show", "nope-2000")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "E401" in r.stderr
    assert "Traceback" not in r.stderr


# -- a corpus folder is checked where it is loaded ------------------------------------------------

@pytest.fixture()
def ann_copy(repo_copy):
    return repo_copy / "annotations"


def _load_error(path):
    with pytest.raises(CorpusError) as e:
        corpus_sz.load(path)
    return e.value


def test_missing_or_non_corpus_folder_is_an_error(tmp_path):
    (tmp_path / "file.txt").write_text("x")
    for path in (tmp_path / "nope", tmp_path, tmp_path / "file.txt"):
        err = _load_error(path)
        assert err.code == "E405" and err.path == str(path) and "corpus.xml" in err.hint


def test_root_that_is_not_a_teicorpus_is_an_error(ann_copy):
    (ann_copy / "corpus.xml").write_bytes((ann_copy / "hunnan-2021.xml").read_bytes())
    assert _load_error(ann_copy).code == "E405"


@pytest.mark.parametrize("name", ["authority.xml", "hunnan-2021.xml"])
def test_missing_included_file_is_an_error(ann_copy, name):
    (ann_copy / name).unlink()
    err = _load_error(ann_copy)
    assert err.code == "E406" and err.path == str(ann_copy / "corpus.xml") and err.line and name in err.message


def test_root_without_the_authority_file_is_an_error(ann_copy):
    root = ann_copy / "corpus.xml"
    root.write_text(root.read_text(encoding="utf-8").replace('<xi:include href="authority.xml"/>', ""),
                    encoding="utf-8")
    err = _load_error(ann_copy)
    assert err.code == "E406" and "does not include authority.xml" in err.message


@pytest.mark.parametrize("href", ["{outside}", "../outside/hunnan-2021.xml", "file://{outside}",
                                  "http://127.0.0.1:9/hunnan-2021.xml", "sub/hunnan-2021.xml"])
def test_include_outside_the_folder_is_refused(ann_copy, tmp_path, href):
    outside = tmp_path / "outside"
    outside.mkdir()
    (ann_copy / "hunnan-2021.xml").rename(outside / "hunnan-2021.xml")
    (ann_copy / "sub").mkdir()
    (ann_copy / "sub" / "hunnan-2021.xml").write_bytes((outside / "hunnan-2021.xml").read_bytes())
    href = href.format(outside=outside / "hunnan-2021.xml")
    root = ann_copy / "corpus.xml"
    root.write_text(root.read_text(encoding="utf-8").replace('href="hunnan-2021.xml"', f'href="{href}"'),
                    encoding="utf-8")
    err = _load_error(ann_copy)
    assert err.code == "E407" and err.path == str(root) and href in err.message


@pytest.mark.parametrize("args", [["info"], ["stats"], ["show", "hunnan-2021"], ["kwic", "浑南"],
                                  ["indicators"], ["export", "--format", "doccano", "--out", "{tmp}/e"],
                                  ["timeline", "--out", "{tmp}/t.png"], ["view", "hunnan-2021", "--out", "{tmp}/v.html"],
                                  ["build", "--out", "{tmp}/b"]])
def test_cli_commands_refuse_a_missing_corpus_folder(tmp_path, args):
    r = cli(*[a.format(tmp=tmp_path) for a in args], "--path", str(tmp_path / "nope"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.count("\n") == 1 and "[E405] not a corpus folder" in r.stderr


def test_build_without_the_authority_file_is_a_clear_error(ann_copy, tmp_path):
    (ann_copy / "authority.xml").unlink()
    r = cli("build", "--out", str(tmp_path / "out"), "--path", str(ann_copy))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "[E406] authority.xml, included by corpus.xml, is missing" in r.stderr


def _unlink_first_mention(ann_copy, doc_id="hunnan-2021"):
    """Make the first mention of ``doc_id`` an unreviewed machine suggestion without a record."""
    from corpus_sz.encode import with_entities
    from corpus_sz.model import Entity
    from corpus_sz.tei import read_document, write_document

    p = ann_copy / f"{doc_id}.xml"
    d = read_document(p)
    e = d.entities[0]
    ents = [Entity(e.start, e.end, e.label, None, e.text, "#corpus_sz_tagger", "low"), *d.entities[1:]]
    write_document(with_entities(d, ents), p)
    return e


def test_stats_count_unlinked_mentions_but_no_record(ann_copy):
    from corpus_sz.stats import stats_markdown

    _unlink_first_mention(ann_copy)
    c = corpus_sz.load(ann_copy)
    md = stats_markdown(c)
    refs = {e.ref for d in c for e in d.entities if e.ref is not None}
    hunnan = {e.ref for e in c["hunnan-2021"].entities if e.ref is not None}
    assert f"| {len(c['hunnan-2021'].entities)} | {len(hunnan)} |" in md  # the unlinked one still counts
    assert f"| {sum(len(d.entities) for d in c)} | {len(refs)} |" in md
    assert "1 of the mentions have no authority record yet (unreviewed machine suggestions)." in md
    assert "| None |" not in md


def test_paragraphs_carry_the_tei_doubt_about_their_place(corpus):
    """hunnan-2021's section 4 heading is cert="low" (a duplicated heading over text about jobs,
    schools and governance); shenyang-2025's truncated section 7 is a cert="medium" division. The
    doubt must reach the heading and every paragraph under it, and nothing else."""
    hunnan = corpus["hunnan-2021"].paragraphs
    assert hunnan[25].text == "(四)以扩大开放为抓手,畅通国内国际循环"
    assert {p.index: p.cert for p in hunnan if p.cert} == {i: "low" for i in range(25, 32)}
    s25 = corpus["shenyang-2025"].paragraphs
    doubtful = [p for p in s25 if p.cert]
    assert doubtful and {p.cert for p in doubtful} == {"medium"} and {p.section for p in doubtful} == {"7"}
    assert [p for p in s25 if p.section == "7" and p.part == doubtful[0].part] == doubtful
    assert all(p.cert is None for d in corpus if d.id not in ("hunnan-2021", "shenyang-2025")
               for p in d.paragraphs)


def test_least_certain_ranks_tei_values():
    from corpus_sz.model import least_certain

    assert least_certain([None, None]) is None
    assert least_certain(["high", None, "low", "medium"]) == "low"
    assert least_certain(["medium", "high"]) == "medium"


def test_to_pandas_has_the_cert_column(corpus):
    _, paras, _ = corpus.to_pandas()
    assert list(paras.columns) == ["doc_id", "index", "kind", "division", "part", "section", "subsection",
                                   "cert", "start", "end", "text"]
    low = paras[paras["cert"] == "low"]
    assert set(low["doc_id"]) == {"hunnan-2021"} and list(low["index"]) == list(range(25, 32))
    assert paras["cert"].notna().sum() == sum(1 for d in corpus for p in d.paragraphs if p.cert)


def test_stats_top_lists_every_record_tied_at_the_cut(corpus):
    """Cutting a tie would choose among equals by id: every record with the count at the cut is listed."""
    from collections import Counter

    from corpus_sz.stats import stats_markdown, top_with_ties

    assert top_with_ties([("a", 3), ("b", 2), ("c", 2), ("d", 1)], 2) == [("a", 3), ("b", 2), ("c", 2)]
    assert top_with_ties([("a", 3), ("b", 2)], 5) == [("a", 3), ("b", 2)]
    assert top_with_ties([("a", 3), ("b", 3)], 0) == []
    counts = Counter(e.ref for d in corpus for e in d.entities if e.ref)
    cut = sorted(counts.values(), reverse=True)[14]
    expected = sum(n >= cut for n in counts.values())
    table = stats_markdown(corpus, top=15).split("Top 15 records")[1]
    assert expected > 15 and table.count("\n| ") - 1 == expected  # minus the header row
    assert f"{expected} records: the {sum(n == cut for n in counts.values())} with {cut} mentions" in table
