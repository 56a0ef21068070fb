"""`corpus-sz encode` regenerates the TEI files and never loses an annotation."""

import os
import subprocess
import sys

import pytest

from corpus_sz.encode import reencode
from corpus_sz.errors import CorpusError

from conftest import REPO


def _snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_encode_keeps_every_annotation(repo_copy):
    ann = repo_copy / "annotations"
    before = _snapshot(ann)
    # spoil what encode regenerates (headers, layout) so that doing nothing cannot pass
    xml = sorted(name for name in before if name.endswith(".xml"))
    for name in xml:
        raw = (ann / name).read_text(encoding="utf-8")
        spoiled = raw.replace("<editionStmt>", "<editionStmt>\n<!-- stale -->").replace("\n      <", "\n<")
        assert spoiled != raw
        (ann / name).write_text(spoiled, encoding="utf-8")
    written = reencode(ann)
    assert sorted(p.name for p in written) == xml
    assert _snapshot(ann) == before  # the shipped files are what encode writes, annotations included


@pytest.mark.parametrize("name,code", [("corpus.xml", "E405"), ("hunnan-2021.xml", "E406"),
                                       ("authority.xml", "E406")])
def test_encode_refuses_a_missing_file_and_writes_nothing(repo_copy, name, code):
    ann = repo_copy / "annotations"
    (ann / name).unlink()
    before = _snapshot(ann)
    with pytest.raises(CorpusError) as e:
        reencode(ann)
    assert e.value.code == code and e.value.hint
    assert _snapshot(ann) == before


def test_encode_refuses_to_overwrite_a_report_the_root_omits(repo_copy):
    ann = repo_copy / "annotations"
    root = ann / "corpus.xml"
    root.write_text(root.read_text(encoding="utf-8").replace('<xi:include href="hunnan-2021.xml"/>', ""),
                    encoding="utf-8")
    before = _snapshot(ann)
    with pytest.raises(CorpusError) as e:
        reencode(ann)
    assert e.value.code == "E408" and e.value.path == str(ann / "hunnan-2021.xml")
    assert _snapshot(ann) == before


def test_encode_refuses_to_drop_a_report_without_a_seed(repo_copy):
    import json

    man = repo_copy / "seeds" / "manifest.json"
    data = json.loads(man.read_text(encoding="utf-8"))
    data["seeds"] = [s for s in data["seeds"] if s["id"] != "hunnan-2021"]
    man.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    ann = repo_copy / "annotations"
    before = _snapshot(ann)
    with pytest.raises(CorpusError) as e:
        reencode(ann)
    assert e.value.code == "E408" and "hunnan-2021" in e.value.message
    assert _snapshot(ann) == before


def test_cli_encode_outside_the_repository_creates_nothing(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    r = subprocess.run([sys.executable, "-m", "corpus_sz.cli", "encode"], capture_output=True, text=True,
                       cwd=tmp_path, env=env)
    assert r.returncode == 2 and "Traceback" not in r.stderr and "[E405]" in r.stderr
    assert list(tmp_path.iterdir()) == []
