import hashlib
import json

import pytest

from corpus_sz.errors import CorpusError
from corpus_sz.seeds import manifest, read_seed, read_text

from conftest import REPO, shared_file


def test_manifest_matches_seed_bytes():
    recs = manifest()
    assert len(recs) == 5
    for r in recs:
        raw = (REPO / "seeds" / r.file).read_bytes()
        assert hashlib.sha256(raw).hexdigest() == r.sha256
        assert len(raw) == r.bytes


def test_seeds_are_the_shared_originals():
    shared = shared_file("seeds")  # not required in CI: the GitHub workflow fetches only the schema
    for r in manifest():
        assert (shared / r.file).read_bytes() == (REPO / "seeds" / r.file).read_bytes()


def test_changed_seed_is_refused(repo_copy):
    rec = manifest()[1]
    path = repo_copy / "seeds" / rec.file
    path.write_bytes(path.read_bytes().replace("吕志成".encode(), "某某某".encode()))
    with pytest.raises(CorpusError) as e:
        read_seed(rec)
    assert e.value.code == "E002" and rec.file in str(e.value)


def test_non_utf8_and_binary_and_missing(tmp_path):
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("第一行\n政府工作报告".encode("gb18030"))
    with pytest.raises(CorpusError) as e:
        read_text(gbk)
    assert e.value.code == "E003" and "gbk.txt" in str(e.value) and "UTF-8" in str(e.value)
    binf = tmp_path / "x.bin"
    binf.write_bytes(b"\x00\x01\x02")
    with pytest.raises(CorpusError, match="binary"):
        read_text(binf)
    with pytest.raises(CorpusError, match="no such file"):
        read_text(tmp_path / "missing.txt")


def test_metadata_records_have_every_key(corpus):
    import jsonschema

    schema = json.loads((REPO / "schemas" / "metadata.schema.json").read_text())
    keys = {"title", "issuer", "level", "admin_code", "place", "date", "speaker", "session", "source",
            "year_reviewed", "year_planned", "kind", "seed"}
    for d in corpus:
        assert keys <= set(d.metadata), d.id
        jsonschema.validate(d.metadata, schema)
        for k in keys:
            if d.metadata[k] is None:
                assert k in d.metadata["notes"], f"{d.id}: {k} is None without a note"
