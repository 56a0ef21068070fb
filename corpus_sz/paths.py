"""Where the corpus data lives.

In a source checkout (and an editable install) the data folders sit next to
the package: ``seeds/``, ``annotations/``, ``schemas/``. A wheel carries the
same folders inside the package under ``corpus_sz/_data/`` (see
``pyproject.toml``). ``CORPUS_SZ_ROOT`` overrides both, for tests and for
contributors working on a copy.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def data_root() -> Path:
    env = os.environ.get("CORPUS_SZ_ROOT")
    if env:
        return Path(env)
    repo = PACKAGE_DIR.parent
    if (repo / "annotations").is_dir() and (repo / "seeds").is_dir():
        return repo
    return PACKAGE_DIR / "_data"


def seeds_dir() -> Path:
    return data_root() / "seeds"


def annotations_dir() -> Path:
    return data_root() / "annotations"


def schemas_dir() -> Path:
    return data_root() / "schemas"
