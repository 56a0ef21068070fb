"""The Hugging Face dataset folder: offline loading, counts, determinism, publishing."""

import hashlib
import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")


@pytest.fixture(scope="module")
def built(tmp_path_factory, corpus):
    from corpus_sz.hf import write_hf

    out = tmp_path_factory.mktemp("hf") / "hf"
    write_hf(corpus, out)
    return out


def digests(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_four_configs_load_offline_with_matching_counts(built, corpus):
    import datasets

    docs = datasets.load_dataset(str(built), "documents")["train"]
    assert len(docs) == 5 and docs["id"] == corpus.fileids()
    paras = datasets.load_dataset(str(built), "paragraphs")["train"]
    assert len(paras) == sum(len(d.paragraphs) for d in corpus)
    ents = datasets.load_dataset(str(built), "entities")["train"]
    assert len(ents) == len(corpus.authority)
    ner = datasets.load_dataset(str(built), "ner")
    assert set(ner) == {"train", "validation", "test"}
    names = ner["train"].features["ner_tags"].feature.names
    b_tags = {i for i, n in enumerate(names) if n.startswith("B-")}
    n_b = sum(sum(t in b_tags for t in row) for split in ner.values() for row in split["ner_tags"])
    assert n_b == sum(len(d.entities) for d in corpus)
    assert sum(len(s) for s in ner.values()) == len(paras)


def test_ner_spans_equal_tei_spans(built, corpus):
    import datasets

    ner = datasets.load_dataset(str(built), "ner")
    names = ner["train"].features["ner_tags"].feature.names
    got = set()
    for split in ner.values():
        for row in split:
            tags = [names[t] for t in row["ner_tags"]]
            i = 0
            while i < len(tags):
                if tags[i].startswith("B-"):
                    j = i + 1
                    while j < len(tags) and tags[j] == "I-" + tags[i][2:]:
                        j += 1
                    got.add((row["doc_id"], row["paragraph"], "".join(row["tokens"][i:j]), tags[i][2:]))
                    i = j
                else:
                    i += 1
    want = set()
    for d in corpus:
        for p in d.paragraphs:
            for e in d.entities:
                if p.start <= e.start and e.end <= p.end:
                    want.add((d.id, p.index, e.text, e.label))
    assert got == want


def test_two_builds_are_byte_identical(built, corpus, tmp_path):
    from corpus_sz.hf import write_hf

    write_hf(corpus, tmp_path / "again")
    assert digests(built) == digests(tmp_path / "again")


def test_card_declares_configs_and_metadata(built):
    import yaml

    card = (built / "README.md").read_text(encoding="utf-8")
    header = yaml.safe_load(card.split("---")[1])
    assert [c["config_name"] for c in header["configs"]] == ["documents", "paragraphs", "ner", "entities", "indicators"]
    assert header["language"] == ["zh"] and header["license"] == "cc-by-4.0"
    assert {"pretty_name", "task_categories", "size_categories", "tags", "dataset_info"} <= set(header)
    import corpus_sz

    assert f"corpus_sz {corpus_sz.__version__}" in card


class FakeHub:
    def __init__(self, fail=False):
        self.calls = []
        self.fail = fail

    def create_repo(self, repo_id, **kw):
        self.calls.append(("create_repo", repo_id, kw))

    def upload_folder(self, **kw):
        if self.fail:
            raise ConnectionError("Failed to resolve 'huggingface.co'")
        self.calls.append(("upload_folder", kw["repo_id"], sorted(p.name for p in __import__("pathlib").Path(kw["folder_path"]).rglob("*") if p.is_file())))

    def create_tag(self, repo_id, **kw):
        self.calls.append(("create_tag", repo_id, kw))


def test_publish_uploads_folder_and_tags_version(built):
    import corpus_sz
    from corpus_sz.publish import publish

    hub = FakeHub()
    tag = publish(built, "org/corpus_sz", client=hub)
    assert tag == f"v{corpus_sz.__version__}"
    assert [c[0] for c in hub.calls] == ["create_repo", "upload_folder", "create_tag"]
    assert hub.calls[0][2]["repo_type"] == "dataset"
    assert "README.md" in hub.calls[1][2] and "train-00000-of-00001.parquet" in hub.calls[1][2]
    assert hub.calls[2][2]["tag"] == tag


def test_publish_offline_fails_with_one_clear_line(built):
    from corpus_sz.errors import CorpusError
    from corpus_sz.publish import publish

    with pytest.raises(CorpusError, match="upload to org/x failed"):
        publish(built, "org/x", client=FakeHub(fail=True))
    with pytest.MonkeyPatch.context() as mp:  # whatever the developer's environment says
        mp.setenv("HF_HUB_OFFLINE", "1")
        with pytest.raises(CorpusError, match="offline"):
            publish(built, "org/x")


def test_docs_dataset_card_is_current(corpus):
    from corpus_sz.hf import card_markdown

    from conftest import REPO

    assert (REPO / "docs" / "dataset-card.md").read_text(encoding="utf-8") == card_markdown(corpus), \
        "run scripts/update_docs.py"


def test_indicators_config_loads_with_every_record(built, corpus):
    import datasets

    from corpus_sz.indicators import extract

    ind = datasets.load_dataset(str(built), "indicators")["train"]
    assert len(ind) == sum(len(extract(d)) for d in corpus)
    assert ind.features["status"].names == ["achieved", "estimate", "target"]
    row = ind[0]
    doc = corpus[row["doc_id"]]
    assert doc.text[row["start"]:row["end"]] == row["surface"]


def test_indicators_config_has_a_typed_signed_value(built):
    """signed_value is a float64 column like value, null where value is, negative for a fall."""
    import datasets

    ind = datasets.load_dataset(str(built), "indicators")["train"]
    assert ind.features["signed_value"] == datasets.Value("float64") == ind.features["value"]
    assert list(ind.features).index("signed_value") == list(ind.features).index("value") + 1
    down = ind.features["direction"].str2int("下降")
    for r in ind:
        if r["value"] is None:
            assert r["signed_value"] is None
        else:
            assert r["signed_value"] == (-r["value"] if r["direction"] == down else r["value"])
    fall = [r for r in ind if r["doc_id"] == "shenyang-2021" and r["code"] == "retail_sales" and r["paragraph"] == 5]
    assert [(r["value"], r["signed_value"]) for r in fall] == [(5.4, -5.4)]


def test_load_dataset_rebuilds_when_the_corpus_changes(repo_copy, tmp_path, monkeypatch):
    """The cache is keyed on the corpus files: an edited corpus is never served from an old build."""
    import corpus_sz

    cache = tmp_path / "cache"
    monkeypatch.setenv("CORPUS_SZ_CACHE", str(cache))
    docs = corpus_sz.load_dataset("documents")["train"]
    assert docs["id"] == corpus_sz.load().fileids() and len(docs) == 5
    builds = sorted(p.name for p in cache.iterdir())
    from corpus_sz.hf import CACHE_FORMAT

    # the cache format is part of the name: a new column is never served from an old build
    assert len(builds) == 1 and builds[0].startswith(f"hf-{corpus_sz.__version__}-{CACHE_FORMAT}-")
    # a stray file that corpus.xml does not list is not loaded: same corpus, same build
    (repo_copy / "annotations" / "draft.xml").write_text("<x/>", encoding="utf-8")
    assert len(corpus_sz.load_dataset("documents")["train"]) == 5
    assert sorted(p.name for p in cache.iterdir()) == builds
    # a report removed from the corpus: a new build, without it
    root = repo_copy / "annotations" / "corpus.xml"
    root.write_text(root.read_text(encoding="utf-8").replace('  <xi:include href="hunnan-2021.xml"/>\n', ""),
                    encoding="utf-8")
    docs = corpus_sz.load_dataset("documents")["train"]
    assert docs["id"] == corpus_sz.load().fileids() and "hunnan-2021" not in docs["id"] and len(docs) == 4
    # an edit inside a report (its title) is seen too
    f = repo_copy / "annotations" / "heping-2023.xml"
    title = corpus_sz.load()["heping-2023"].metadata["title"]
    f.write_text(f.read_text(encoding="utf-8").replace(title, title + "（修订）"), encoding="utf-8")
    docs = corpus_sz.load_dataset("documents")["train"]
    assert docs[docs["id"].index("heping-2023")]["title"] == title + "（修订）"
    names = sorted(p.name for p in cache.iterdir())
    assert len(names) == 3 and not [n for n in names if n.startswith(".")]  # no temporary folder left


def test_load_dataset_cache_is_never_half_written(repo_copy, tmp_path, monkeypatch):
    """A build that fails leaves nothing under the final name, and the next call builds again."""
    import corpus_sz
    from corpus_sz import hf

    cache = tmp_path / "cache"
    monkeypatch.setenv("CORPUS_SZ_CACHE", str(cache))
    real = hf.write_hf

    def crash(corpus, out):
        real(corpus, out)
        (out / "README.md").unlink()  # as if killed before the card was written
        raise KeyboardInterrupt

    monkeypatch.setattr(hf, "write_hf", crash)
    with pytest.raises(KeyboardInterrupt):
        corpus_sz.load_dataset("documents")
    assert list(cache.iterdir()) == []
    monkeypatch.setattr(hf, "write_hf", real)
    assert len(corpus_sz.load_dataset("documents")["train"]) == 5


def test_load_dataset_uses_a_build_another_process_finished_first(repo_copy, tmp_path, monkeypatch):
    import corpus_sz
    from corpus_sz import hf

    monkeypatch.setenv("CORPUS_SZ_CACHE", str(tmp_path / "cache"))
    real = hf.write_hf
    other: list = []

    def racing(corpus, out):
        real(corpus, out)
        if not other:  # the other process: builds the same corpus and renames it into place first
            other.append(None)
            other[0] = hf.cached_build()

    monkeypatch.setattr(hf, "write_hf", racing)
    assert len(corpus_sz.load_dataset("documents")["train"]) == 5
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [other[0].name]


def _empty_authority(folder):
    """authority.xml still there, with no record in it."""
    from lxml import etree

    from corpus_sz.xmlutil import TEI_NS

    p = folder / "authority.xml"
    tree = etree.parse(str(p))
    for lst in list(tree.find(f".//{{{TEI_NS}}}standOff")):
        for rec in list(lst):
            lst.remove(rec)
    tree.write(str(p), xml_declaration=True, encoding="UTF-8")


def _strip_mentions(folder):
    """Unwrap every mention of every report (the text is kept)."""
    from lxml import etree

    from corpus_sz.xmlutil import TEI_NS

    for p in folder.glob("*-*.xml"):
        tree = etree.parse(str(p))
        for el in tree.getroot().find(f"{{{TEI_NS}}}text").iter(f"{{{TEI_NS}}}placeName", f"{{{TEI_NS}}}name"):
            el.tag = "unwrap-me"
        etree.strip_tags(tree, "unwrap-me")
        tree.write(str(p), xml_declaration=True, encoding="UTF-8")


def _build_cli(repo_copy, out):
    from typer.testing import CliRunner

    from corpus_sz.cli import app

    res = CliRunner().invoke(app, ["build", "--path", str(repo_copy / "annotations"), "--out", str(out)])
    assert res.exit_code == 2 and "Traceback" not in res.output and "Keys mismatch" not in res.output, res.output
    (line,) = res.stderr.strip().splitlines()
    assert not out.exists()
    return line


def test_build_refuses_an_authority_file_without_records(repo_copy, tmp_path):
    """validate reports such a file (schema) and its mentions (E205): build says so in one line."""
    _empty_authority(repo_copy / "annotations")
    line = _build_cli(repo_copy, tmp_path / "out")
    assert line.startswith(f"error: {repo_copy / 'annotations' / 'authority.xml'}: [E216] authority.xml holds no "
                           "records (")
    assert "restore the records" in line
    _strip_mentions(repo_copy / "annotations")  # no mention needs a record: still no entities to export
    assert "[E216] authority.xml holds no records (0 mentions" in _build_cli(repo_copy, tmp_path / "out")


def test_build_refuses_mentions_whose_records_are_missing(repo_copy, tmp_path):
    import re

    p = repo_copy / "annotations" / "authority.xml"
    text = p.read_text(encoding="utf-8")
    record = re.search(r'\n *<place type="district" xml:id="district-hun-nan">.*?</place>', text, re.S).group(0)
    p.write_text(text.replace(record, ""), encoding="utf-8")
    line = _build_cli(repo_copy, tmp_path / "out")
    assert f"{p}: [E205]" in line and "mentions refer to records that authority.xml does not have" in line
    assert "#district-hun-nan" in line


def test_build_leaves_out_an_empty_split(repo_copy, tmp_path):
    """A corpus without the validation report builds; its ner config loads with train and test."""
    import datasets
    import yaml

    from corpus_sz.build import build

    root = repo_copy / "annotations" / "corpus.xml"
    root.write_text(root.read_text(encoding="utf-8").replace('  <xi:include href="shenyang-2025.xml"/>\n', ""),
                    encoding="utf-8")
    build(tmp_path / "out", repo_copy / "annotations")
    hf = tmp_path / "out" / "hf"
    assert set(datasets.load_dataset(str(hf), "ner")) == {"train", "test"}
    card = (hf / "README.md").read_text(encoding="utf-8")
    header = yaml.safe_load(card.split("---")[1])
    ner = next(c for c in header["configs"] if c["config_name"] == "ner")
    assert [f["split"] for f in ner["data_files"]] == ["train", "test"]
    assert "| validation | shenyang-2025 | 0 |" in card


def test_card_sections_are_not_empty_and_the_load_example_is_real(corpus):
    from corpus_sz.hf import card_markdown

    card = card_markdown(corpus)
    lines = [l for l in card.splitlines() if l.strip()]
    for a, b in zip(lines, lines[1:]):
        if a.startswith("## "):
            assert not b.startswith("#") or b.startswith("### "), f"empty section {a!r} before {b!r}"
    stats = card.split("## Statistics\n", 1)[1].split("\n## ", 1)[0]
    assert "### Mentions per label and document" in stats and "### Top 15 records" in stats
    assert "path/or/repo" not in card and 'load_dataset("ORG/NAME", "ner"' in card and "--repo-id" in card


def test_card_credits_the_project_from_its_metadata(corpus, monkeypatch):
    from corpus_sz import hf

    authors, urls = hf.project_info()
    assert (authors, urls) == ([], {})  # pyproject.toml declares neither: nothing is invented
    bib = hf.card_markdown(corpus).split("```bibtex", 1)[1].split("```", 1)[0]
    assert "author = {{corpus\\_sz contributors}}" in bib and "url" not in bib
    monkeypatch.setattr(hf, "project_info", lambda: (["Li Wei", "Anna Schmidt"],
                                                     {"Repository": "https://example.org/corpus_sz"}))
    card = hf.card_markdown(corpus)
    bib = card.split("```bibtex", 1)[1].split("```", 1)[0]
    assert "author = {Li Wei and Anna Schmidt}" in bib and "url    = {https://example.org/corpus_sz}" in bib
    assert "Project: [Repository](https://example.org/corpus_sz)." in card


def _without(ann, *ids):
    root = ann / "corpus.xml"
    text = root.read_text(encoding="utf-8")
    for doc_id in ids:
        text = text.replace(f'  <xi:include href="{doc_id}.xml"/>\n', "")
    root.write_text(text, encoding="utf-8")
    import corpus_sz

    return corpus_sz.load(ann)


@pytest.mark.parametrize("removed, scope, sources", [
    (("hunnan-2021",), "of Shenyang city and one of its districts,", "four scraped web pages"),
    (("hunnan-2021", "heping-2023"), "of Shenyang city,", "three scraped web pages"),
    (("shenyang-2021", "shenyang-2024", "shenyang-2025"), "of two districts of Shenyang,", "two scraped web pages"),
])
def test_card_counts_come_from_the_corpus(repo_copy, removed, scope, sources):
    """The card counts the reports and districts it describes (they change with new-report or a removal)."""
    from corpus_sz.hf import card_markdown

    card = card_markdown(_without(repo_copy / "annotations", *removed))
    assert f"Chinese local-government work reports (政府工作报告) {scope}\n" in card
    assert f"The sources are {sources} (kept byte for byte" in card
    assert "five" not in card.split("## Configs", 1)[0]


def test_paragraphs_config_has_a_typed_cert_column(built, corpus):
    """The TEI's doubt about a paragraph's place (hunnan-2021's duplicated section 4 heading) is in
    the export as a nullable string, so a section-based analysis on the Hub data can see it."""
    import datasets

    paras = datasets.load_dataset(str(built), "paragraphs")["train"]
    assert paras.features["cert"] == datasets.Value("string")
    got = {(r["doc_id"], r["index"]): r["cert"] for r in paras if r["cert"] is not None}
    assert got == {(d.id, p.index): p.cert for d in corpus for p in d.paragraphs if p.cert}
    assert got[("hunnan-2021", 25)] == "low" and ("hunnan-2021", 24) not in got


def test_cache_format_is_bumped_when_the_features_change():
    """Cached builds are keyed by the corpus and CACHE_FORMAT only: a new column with an old
    CACHE_FORMAT would hand users a stale cached build without it. Record the new fingerprint
    together with a bumped CACHE_FORMAT when this fails."""
    from corpus_sz.hf import CACHE_FORMAT, CONFIGS, features

    fingerprint = hashlib.sha256(repr([features(c) for c in CONFIGS]).encode()).hexdigest()[:16]
    assert (CACHE_FORMAT, fingerprint) == (3, "c19bec7a5cd4c927")
