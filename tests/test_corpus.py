"""The reading API and the CLI's reading commands."""

import os
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
