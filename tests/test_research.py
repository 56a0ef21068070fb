"""Research features: concordance, timelines, the HTML view, and their commands."""

import re
import shutil
import subprocess
import tempfile
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest
from typer.testing import CliRunner

from corpus_sz.cli import app
from corpus_sz.errors import CorpusError
from corpus_sz.kwic import COLUMNS, kwic
from corpus_sz.timeline import mentions_by_year, persistent, plot_timeline, spans
from corpus_sz.view import render_html

runner = CliRunner()
PROG = "programme-jing-shen-dui-kou-he-zuo"  # 京沈对口合作: in every report


# -- kwic ------------------------------------------------------------------------------------------
def test_kwic_string(corpus):
    df = corpus.kwic("营商环境", window=6)
    assert list(df.columns) == COLUMNS
    n = sum(d.text.count("营商环境") for d in corpus)
    assert len(df) == n > 10
    for r in df.itertuples():
        text = corpus[r.doc_id].text
        assert text[r.start:r.end] == r.match == "营商环境"
        assert text[r.start - len(r.left):r.start] == r.left and len(r.left) <= 6 and len(r.right) <= 6
        assert text[r.end:r.end + len(r.right)] == r.right and "\n" not in r.left + r.right
        assert r.year == corpus[r.doc_id].metadata["year_planned"]
        p = corpus[r.doc_id].paragraphs[r.paragraph]
        assert p.start <= r.start and r.end <= p.end
    assert list(df["doc_id"].drop_duplicates()) == [d for d in corpus.fileids() if d in set(df["doc_id"])]


def test_kwic_record_by_id_name_and_alias(corpus):
    expected = [(d.id, e.start, e.end) for d in corpus for e in sorted(d.entities, key=lambda e: e.start)
                if e.ref == PROG]
    by_id = corpus.kwic(PROG, window=10, by="record")
    assert list(zip(by_id["doc_id"], by_id["start"], by_id["end"])) == expected
    assert set(by_id["ref"]) == {PROG} and set(by_id["label"]) == {"PROGRAMME"}
    assert by_id["doc_id"].nunique() == 5  # the programme runs through every report
    by_name = corpus.kwic("京沈对口合作", window=10, by="record")
    assert by_name.equals(by_id)
    # a plain query is a string search, even when it is a canonical name
    literal = kwic(corpus, "京沈对口合作", by="string")
    assert corpus.kwic("京沈对口合作").equals(literal) and len(literal) >= len(by_id)
    # an alias works when a record is asked for explicitly
    rec = next(r for r in corpus.authority if r.aliases and any(e.ref == r.id for d in corpus for e in d.entities))
    alias = next(a for a in rec.aliases if sum(a in x.aliases for x in corpus.authority) == 1)
    assert set(kwic(corpus, alias, by="record")["ref"]) == {rec.id}


def test_kwic_mentions_have_any_surface(corpus):
    """Record mode finds mentions whatever their surface form (aliases included)."""
    counts = Counter(e.ref for d in corpus for e in d.entities)
    ref = next(r for r, n in counts.most_common() if len({e.text for d in corpus for e in d.entities if e.ref == r}) > 1)
    df = corpus.kwic(ref, window=0, by="record")
    assert len(df) == counts[ref] and df["match"].nunique() > 1
    assert (df["left"] == "").all() and (df["right"] == "").all()


def test_kwic_filters_and_errors(corpus):
    df = corpus.kwic("沈阳", label="DISTRICT")
    assert set(df["label"]) <= {"DISTRICT"}
    assert len(corpus.kwic("一网通办|一网统管", regex=True)) == sum(
        d.text.count("一网通办") + d.text.count("一网统管") for d in corpus)
    assert len(corpus.kwic("营商环境", docs=["hunnan-2021"])) == corpus["hunnan-2021"].text.count("营商环境")
    assert corpus.kwic("没有这个词组").empty
    for bad in (dict(query="", window=5), dict(query="x", window=-1), dict(query="no-such-record", by="record"),
                dict(query="(", regex=True), dict(query="x", by="sideways"), dict(query="x", label="PERSON"),
                dict(query="x", by="auto"), dict(query="三好街", by="record"), dict(query="x", by="record", regex=True)):
        with pytest.raises(CorpusError):
            kwic(corpus, **bad)

def _occurrences(corpus, s):
    """Every position of s in the texts, overlapping ones included."""
    return [(d.id, i) for d in corpus for i in range(len(d.text)) if d.text.startswith(s, i)]


@pytest.mark.parametrize("query", ["中山路", "浑南区", "和平区", "浑南", "京沈对口合作", PROG])
def test_kwic_plain_query_is_always_a_string(corpus, query):
    """A plain query never switches to record mode, whether it is a name, an alias or an id."""
    df = corpus.kwic(query, window=3)
    assert list(zip(df["doc_id"], df["start"])) == sorted(
        _occurrences(corpus, query), key=lambda x: (corpus.fileids().index(x[0]), x[1]))
    assert (df["match"] == query).all() and df.attrs["mode"] == "string"
    n, reports = len(df), df["doc_id"].nunique()
    assert df.attrs["summary"].startswith(f"string {query!r}: {n} occurrence")
    assert f" in {reports} report" in df.attrs["summary"] and "--ref" in df.attrs["summary"]


def test_kwic_string_hits_name_their_mention(corpus):
    df = corpus.kwic("中山路", window=3)
    assert len(df) == 7  # 中山路 is annotated as a zone, a project and inside longer names
    got = {(r.doc_id, r.start): (r.ref, r.mention) for r in df.itertuples()}
    assert got[("shenyang-2021", 15297)][0] == got[("shenyang-2025", 329)][0] == "zone-zhong-shan-lu-pian-qu"
    assert {r for r, _ in got.values()} >= {"zone-zhong-shan-lu-pian-qu", "project-zhong-shan-lu"}
    for r in df.itertuples():
        ents = [e for e in corpus[r.doc_id].entities if e.start <= r.start and r.end <= e.end]
        assert (r.ref, r.mention) == ((ents[0].ref, ents[0].text) if ents else (None, None))


def test_kwic_string_counts_overlapping_occurrences(corpus):
    df = corpus.kwic("00", window=2)
    expected = _occurrences(corpus, "00")
    assert len(df) == len(expected) == 183
    assert set(zip(df["doc_id"], df["start"])) == set(expected)
    assert df.attrs["summary"].startswith("string '00': 183 occurrences in 5 reports")
    # a regular expression gets a hit at every position where it matches
    assert len(corpus.kwic("0{2}", regex=True)) == 183


def test_kwic_record_by_alias_and_ambiguous_names(corpus):
    alias = corpus.kwic("浑南", by="record")
    assert alias.equals(corpus.kwic("district-hun-nan", by="record")) and alias.equals(corpus.kwic("浑南区", by="record"))
    n = sum(e.ref == "district-hun-nan" for d in corpus for e in d.entities)
    assert len(alias) == n == 15 and alias.attrs["mode"] == "record"
    assert alias.attrs["summary"] == f"record district-hun-nan (DISTRICT 浑南区): {n} mentions in 2 reports"
    # a name of several records (canonical name of both, or canonical of one and alias of another)
    for name, ids in (("三好街", ["zone-san-hao-jie", "project-san-hao-jie"]),
                      ("中山路", ["zone-zhong-shan-lu-pian-qu", "project-zhong-shan-lu"])):
        with pytest.raises(CorpusError) as err:
            corpus.kwic(name, by="record")
        assert err.value.code == "E402" and all(i in str(err.value) for i in ids)
        for i in ids:  # each id still works
            assert set(corpus.kwic(i, by="record")["ref"]) == {i}


# -- timeline ----------------------------------------------------------------------------------------
def test_mentions_by_year(corpus):
    df = corpus.timeline()
    assert df.columns.names == ["year", "doc_id"] and df.index.names == ["label", "ref", "name"]
    years = [y for y, _ in df.columns]
    assert years == sorted(years) and set(df.columns.get_level_values("doc_id")) == set(corpus.fileids())
    counts = Counter((d.id, e.ref) for d in corpus for e in d.entities)
    assert int(df.values.sum()) == sum(counts.values())
    for (label, ref, name), row in df.head(30).iterrows():
        for (year, doc_id), v in row.items():
            assert v == counts[(doc_id, ref)]
        assert name == corpus.authority[ref].name and label == corpus.authority[ref].label
    prog = mentions_by_year(corpus, "PROGRAMME")
    assert set(prog.index.get_level_values("label")) == {"PROGRAMME"}
    assert prog.xs(PROG, level="ref").gt(0).all(axis=None)
    with pytest.raises(CorpusError):
        mentions_by_year(corpus, "PERSON")


def test_persistent_and_spans(corpus):
    df = persistent(corpus.timeline("PROGRAMME"))
    assert len(df) and ((df > 0).sum(axis=1) >= 2).all()
    s = spans(df)
    row = s[s["ref"] == PROG].iloc[0]
    assert (row["first"], row["last"], row["documents"]) == (2021, 2025, 5)
    assert (s["first"] <= s["last"]).all() and (s["documents"] >= 2).all()


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_plot_is_deterministic(corpus, tmp_path, fmt):
    a, b = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
    plot_timeline(corpus, a, label="PROGRAMME", top=12)
    plot_timeline(corpus, b, label="PROGRAMME", top=12)
    assert a.read_bytes() == b.read_bytes() and a.stat().st_size > 10_000
    if fmt == "png":
        assert a.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and b"Software" not in a.read_bytes()
    else:
        root = ElementTree.parse(a).getroot()
        assert root.tag.endswith("svg")
        text = a.read_text()
        assert "<dc:date>" not in text and f"<!-- {PROG} -->" in text  # glyphs are paths, labelled
    assert not list(tmp_path.glob(".*.tmp"))  # atomic write left nothing behind


def test_plot_errors(corpus, tmp_path):
    for kw, reason in ((dict(out=tmp_path / "x.jpg"), "unknown image format"),
                       (dict(out=tmp_path / "x.png", label="X"), "unknown label 'X'"),
                       (dict(out=tmp_path / "x.png", top=0), "--top must be at least 1"),
                       (dict(out=tmp_path / "x.png", min_docs=99), "in 99 or more documents"),
                       (dict(out=tmp_path / "x.png", font=tmp_path / "missing.ttf"), "font file not found")):
        with pytest.raises(CorpusError) as e:
            plot_timeline(corpus, **kw)
        assert e.value.code == "E403" and reason in e.value.message, (kw, e.value)
    assert not list(tmp_path.iterdir())


# -- HTML view ---------------------------------------------------------------------------------------
class Page(HTMLParser):
    """Collects ids, entity links, paragraph texts and the records' anchors of a rendered view."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.links, self.paras, self.stack = set(), [], {}, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            assert a["id"] not in self.ids, a["id"]
            self.ids.add(a["id"])
        if a.get("id", "").startswith("p") and a["id"][1:].isdigit():
            self.stack.append(("para", int(a["id"][1:]), tag))
            self.paras[int(a["id"][1:])] = ""
        elif tag == "a" and "ent" in a.get("class", "").split():
            self.links.append({**a, "text": ""})
            self.stack.append(("ent", None, tag))
        elif tag == "a" and a.get("class") == "pn":
            self.stack.append(("pn", None, tag))
        else:
            self.stack.append((None, None, tag))

    def handle_endtag(self, tag):
        while self.stack:
            kind, n, t = self.stack.pop()
            if t == tag:
                break

    def handle_data(self, data):
        kinds = [k for k, _, _ in self.stack]
        if "pn" in kinds:
            return
        para = next((n for k, n, _ in reversed(self.stack) if k == "para"), None)
        if para is not None:
            self.paras[para] += data
        if "ent" in kinds:
            self.links[-1]["text"] += data


@pytest.mark.parametrize("doc_id", ["shenyang-2024", "hunnan-2021"])
def test_view_html_structure_and_entities(corpus, doc_id):
    doc = corpus[doc_id]
    page = Page()
    page.feed(render_html(doc, corpus.authority))
    page.close()
    # every paragraph, with its exact text, under its anchor
    assert [page.paras[p.index] for p in doc.paragraphs] == [p.text for p in doc.paragraphs]
    # every entity is a link to its record, titled with label and canonical name
    ents = sorted((e for e in doc.entities if e.ref in corpus.authority), key=lambda e: e.start)
    assert len(page.links) == len(ents) > 0
    for link, e in zip(page.links, ents):
        rec = corpus.authority[e.ref]
        assert link["text"] == doc.text[e.start:e.end] == e.text
        assert link["href"] == f"#rec-{e.ref}" and f"rec-{e.ref}" in page.ids
        assert link["title"] == f"{e.label}: {rec.name} ({e.ref})"
        assert f"ent-{e.label.lower()}" in link["class"] and link["data-label"] == e.label
    # the records section lists exactly the records used, and nothing else
    recs = {i[4:] for i in page.ids if i.startswith("rec-")}
    assert recs == {e.ref for e in ents}
    assert {"authority", "indicators"} <= page.ids


def test_view_escapes_and_headings(corpus):
    doc = corpus["shenyang-2021"]
    html = render_html(doc, corpus.authority)
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html and "http://" not in html.split("<body>")[1]
    heads = [p for p in doc.paragraphs if p.kind == "head"]
    assert html.count("<h2 id=") == sum(1 for p in heads if p.section is None)
    assert f'<h2 id="p{heads[0].index}">' in html
    assert "&amp;lt;" not in html  # nothing double-escaped
    assert "国家要求" in html.split('id="indicators"')[1]  # the indicator table


def test_view_escapes_markup_in_metadata_and_records(corpus):
    """No report text holds '<', so markup is put into the title, the issuer and a record's name
    and aliases: every piece must come out escaped, once."""
    import copy

    from corpus_sz.authority import Authority

    doc = copy.deepcopy(corpus["shenyang-2025"])
    bad = '<b class="x">A & B</b>'
    doc.metadata["title"] = bad
    doc.metadata["issuer"] = bad
    ref = next(e.ref for e in doc.entities if e.ref)
    records = [copy.deepcopy(r) for r in corpus.authority]
    for r in records:
        if r.id == ref:
            r.name, r.aliases = bad, [bad]
    html = render_html(doc, Authority(records))
    assert "<b class" not in html and 'class="x"' not in html
    escaped = "&lt;b class=&quot;x&quot;&gt;A &amp; B&lt;/b&gt;"
    assert html.count(escaped) >= 4  # page title, metadata title and issuer, record name, alias
    assert "&amp;lt;" not in html and "&amp;amp;" not in html


def test_view_cli_and_errors(tmp_path):
    out = tmp_path / "v.html"
    res = runner.invoke(app, ["view", "shenyang-2025", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_text(encoding="utf-8").count('class="ent ent-') >= 56
    res = runner.invoke(app, ["view", "nowhere-2020", "--out", str(tmp_path / "n.html")])
    assert res.exit_code == 2 and res.stderr.startswith("error: [E401]") and not (tmp_path / "n.html").exists()


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="chromium is not installed")
def test_view_in_a_real_browser(corpus, tmp_path):
    """Headless Chromium renders the page; the screenshot shows the entity colours."""
    from PIL import Image

    html = tmp_path / "v.html"
    html.write_text(render_html(corpus["shenyang-2024"], corpus.authority), encoding="utf-8")
    png = tmp_path / "v.png"
    profile = tempfile.mkdtemp()
    try:
        subprocess.run(["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                        "--no-first-run", "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", f"--user-data-dir={profile}", f"--screenshot={png}",
                        "--window-size=1200,1600", html.as_uri()], capture_output=True, timeout=120, check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert png.exists()
    im = Image.open(png).convert("RGB")
    assert im.size == (1200, 1600)
    raw = im.tobytes()
    colours = Counter(raw[i:i + 3] for i in range(0, len(raw), 3))
    assert colours[b"\xff\xff\xff"] < 0.97 * im.size[0] * im.size[1]  # not blank
    assert colours[b"\xec\xe3\xf6"] > 500  # PROGRAMME highlight background


# -- commands ----------------------------------------------------------------------------------------
def test_cli_kwic():
    res = runner.invoke(app, ["kwic", "京沈对口合作", "--window", "8"])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert len(lines) == 8 and res.stderr.startswith("string '京沈对口合作': 8 occurrences in 5 reports")
    assert all("【京沈对口合作】" in x and PROG in x for x in lines)
    res = runner.invoke(app, ["kwic", "京沈对口合作", "--literal", "--format", "tsv"])
    assert res.exit_code == 0 and res.stdout.splitlines()[0].split("\t") == COLUMNS
    res = runner.invoke(app, ["kwic", PROG, "--ref", "--format", "jsonl"])
    assert res.exit_code == 0 and len(res.stdout.splitlines()) == 8
    for bad in (["kwic", "没有这个", "--ref"], ["kwic", "x", "--window", "-3"], ["kwic", "x", "--ref", "--literal"]):
        res = runner.invoke(app, bad)
        assert res.exit_code == 2 and res.stderr.startswith("error: [E40") and "Traceback" not in res.output


def test_cli_kwic_modes():
    res = runner.invoke(app, ["kwic", "中山路"])
    assert res.exit_code == 0 and len(res.stdout.splitlines()) == 7
    assert res.stderr.startswith("string '中山路': 7 occurrences in 3 reports")
    res = runner.invoke(app, ["kwic", "浑南区", "--format", "tsv"])
    assert res.exit_code == 0 and len(res.stdout.splitlines()) == 1 + 4 and res.stderr.startswith("string '浑南区': 4 ")
    res = runner.invoke(app, ["kwic", "浑南", "--ref"])
    assert res.exit_code == 0 and len(res.stdout.splitlines()) == 15
    assert res.stderr.startswith("record district-hun-nan (DISTRICT 浑南区): 15 mentions")
    res = runner.invoke(app, ["kwic", "三好街", "--ref"])
    assert res.exit_code == 2 and res.stderr.startswith("error: [E402]")
    assert "zone-san-hao-jie (ZONE 三好街)" in res.stderr and "project-san-hao-jie (PROJECT 三好街)" in res.stderr


def test_cli_timeline(tmp_path, corpus):
    out, table = tmp_path / "t.svg", tmp_path / "t.tsv"
    res = runner.invoke(app, ["timeline", "--out", str(out), "--label", "PROGRAMME", "--top", "10",
                              "--table", str(table)])
    assert res.exit_code == 0, res.output
    assert out.read_text().startswith("<?xml")
    lines = table.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    assert header[:3] == ["label", "ref", "name"] and "2021:hunnan-2021" in header
    # the table is the data behind the plot: the same --top rows, in the plot's order
    from corpus_sz.timeline import timeline_rows

    rows = timeline_rows(corpus, label="PROGRAMME", top=10)
    assert len(lines) == 1 + 10 and [l.split("\t")[1] for l in lines[1:]] == list(rows.index.get_level_values("ref"))
    res = runner.invoke(app, ["timeline", "--help"])
    assert "in the plot and in --table" in " ".join(res.output.replace("│", " ").split())
    res = runner.invoke(app, ["timeline", "--out", str(tmp_path / "t.gif")])
    assert res.exit_code == 2 and res.stderr.startswith("error:")


def test_cli_unwritable_output_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for args in (["view", "shenyang-2025", "--out", str(blocker / "v.html")],
                 ["timeline", "--out", str(blocker / "t.png")],
                 ["indicators", "--out", str(blocker / "i.jsonl")]):
        res = runner.invoke(app, args)
        assert res.exit_code == 2 and len(res.stderr.strip().splitlines()) == 1 and "cannot write" in res.stderr


def test_view_marks_an_uncertain_heading_and_its_content(corpus):
    """hunnan-2021's ¶25 is a duplicated heading (TEI cert="low"): the page must say so above it and
    mark it and ¶26-31 under it, while their text stays the TEI's."""
    doc = corpus["hunnan-2021"]
    html = render_html(doc, corpus.authority)
    note = '<p class="cert">The heading below is uncertain (TEI cert=low)'
    assert html.count('<p class="cert">') == 1 and note in html
    assert html.index('id="p24"') < html.index(note) < html.index('id="p25"')
    marked = {int(m) for m in re.findall(r'id="p(\d+)"[^>]* data-cert="low" title="TEI cert=low', html)}
    assert marked == set(range(25, 32))
    page = Page()
    page.feed(html)
    page.close()
    assert [page.paras[p.index] for p in doc.paragraphs] == [p.text for p in doc.paragraphs]
    s25 = render_html(corpus["shenyang-2025"], corpus.authority)
    assert s25.count('<p class="cert">The place of the text below in the structure is uncertain (TEI cert=medium)') == 1
    assert 'data-cert' not in render_html(corpus["shenyang-2024"], corpus.authority).split("</style>")[1]
