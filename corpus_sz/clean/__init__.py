"""Stage 1: seed -> clean text and structure, with every edit recorded."""

from __future__ import annotations

from pathlib import Path

from ..model import Document
from ..seeds import SeedRecord, manifest, read_json, read_seed
from ..paths import seeds_dir
from .engine import Seed
from .recipes import NAMED_RECIPES, RECIPES

__all__ = ["clean_seed", "clean_all", "load_metadata"]


def load_metadata(doc_id: str, root: Path | None = None) -> dict:
    return read_json((root or seeds_dir()) / "metadata" / f"{doc_id}.json")


def clean_seed(record: SeedRecord, root: Path | None = None) -> Document:
    text = read_seed(record, root)
    seed = Seed(record.file, text)
    if record.recipe is not None:  # a report added with `corpus-sz new-report`
        return clean_named(record, seed, root)
    b, front, body, back = RECIPES[record.file](seed, record.id)
    return b.finish(record.id, load_metadata(record.id, root), front, body, back)


def clean_all(root: Path | None = None) -> list[Document]:
    return [clean_seed(r, root) for r in manifest(root)]


def clean_named(record: SeedRecord, seed: Seed, root: Path | None = None, metadata: dict | None = None) -> Document:
    """Clean a seed with the named recipe of its manifest entry (e.g. ``generic``)."""
    from ..errors import E102, CorpusError

    recipe = NAMED_RECIPES.get(record.recipe or "")
    if recipe is None:
        raise CorpusError(E102, f"unknown recipe {record.recipe!r} in the manifest entry of {record.file}",
                          path=str((root or seeds_dir()) / "manifest.json"),
                          hint=f"one of {', '.join(NAMED_RECIPES)}")
    b, front, body, back = recipe(seed, record.id)
    md = metadata if metadata is not None else load_metadata(record.id, root)
    return b.finish(record.id, md, front, body, back)
