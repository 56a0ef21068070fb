import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def shared_file(*parts: str, required_in_ci: bool = False) -> Path:
    """A file of ``../shared`` (the brief's shared files; ``CORPUS_SZ_SHARED`` moves it, as in .ci/run).

    Missing, the test is skipped, unless ``required_in_ci`` and ``CI`` is set: CI provides
    tei_all.rng, so there its absence is a failure, not a silent skip.
    """
    path = Path(os.environ.get("CORPUS_SZ_SHARED", REPO.parent / "shared")).joinpath(*parts)
    if not path.exists():
        message = f"{path} is missing (../shared beside the checkout, or set CORPUS_SZ_SHARED)"
        if required_in_ci and os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


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
