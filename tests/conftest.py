import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def cleaned():
    from corpus_sz.clean import clean_all

    return {d.id: d for d in clean_all()}


@pytest.fixture(scope="session")
def corpus():
    import corpus_sz

    return corpus_sz.load()


@pytest.fixture()
def repo_copy(tmp_path, monkeypatch):
    """A writable copy of the data folders, used as CORPUS_SZ_ROOT."""
    for name in ("seeds", "annotations", "schemas"):
        shutil.copytree(REPO / name, tmp_path / name)
    monkeypatch.setenv("CORPUS_SZ_ROOT", str(tmp_path))
    return tmp_path
