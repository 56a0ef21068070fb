"""The corpus_sz spaCy pipeline: pkuseg segmentation, entity tagger, gazetteer and linker.

    >>> import corpus_sz
    >>> nlp = corpus_sz.nlp()                     # the model shipped in the package, offline
    >>> doc = nlp("深入实施“十四五”规划，加快浑南科技城建设。")
    >>> [(e.text, e.label_, e.kb_id_) for e in doc.ents]

The model folder is a plain spaCy pipeline: ``spacy.load(path)`` works once the
project's factories (``corpus_sz_crf``, ``corpus_sz_scheme_rules``,
``corpus_sz_linker``) are registered, which the ``spacy_factories`` entry point of
the installed package does (or ``import corpus_sz.pipeline.components``).

Modules: :mod:`.segmenter` (silver segmentation, pkuseg training, boundary
alignment), :mod:`.crf` (the character CRF tagger), :mod:`.architectures`
(character-affix features for the neural alternative, spaCy's ``ner``),
:mod:`.components` (span rules, the linker), :mod:`.training` (``corpus-sz
train``), :mod:`.tagging` (``corpus-sz tag``), :mod:`.evaluate` (``corpus-sz
evaluate``, cross-validation by document).
"""

from __future__ import annotations

import json
from pathlib import Path

from ..paths import PACKAGE_DIR

MODEL_DIR = PACKAGE_DIR / "models" / "zh_corpus_sz"


def load_pipeline(path: str | Path | None = None):
    """Load the trained pipeline (default: the one shipped in the package). Never touches the network."""
    from ..errors import E501, E511, CorpusError

    folder = Path(path) if path else MODEL_DIR
    if not (folder / "config.cfg").is_file() or not (folder / "meta.json").is_file():
        raise CorpusError(E501, "no trained pipeline here", path=str(folder),
                          hint="train one with `corpus-sz train`" + (f" --out {folder}" if path else ""))
    import spacy

    from . import components  # noqa: F401  (registers the factories and architecture without entry points)

    try:
        return spacy.load(folder)
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as e:
        # a folder with the right file names but broken or foreign contents (bad JSON in meta.json or
        # vocab/strings.json, an unknown component, a truncated weight file): spaCy raises one of these
        reason = " ".join(str(e).split())[:200] or type(e).__name__
        raise CorpusError(E511, f"{folder} is not a loadable pipeline folder: {type(e).__name__}: {reason}",
                          path=str(folder),
                          hint="use the shipped model (leave out --model) or train one with `corpus-sz train"
                               + (f" --out {folder}`" if path else "`")) from None


def model_meta(path: str | Path | None = None) -> dict:
    folder = Path(path) if path else MODEL_DIR
    try:
        return json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def pipeline_is_current(path: str | Path | None = None, corpus_path: str | Path | None = None,
                        config_path: str | Path | None = None) -> bool:
    """True when the model at ``path`` was trained from the current annotations and config.

    Cheap compared with training: it reads the corpus and hashes it. The main
    job retrains only when this is False.
    """
    from .. import load
    from .training import input_hash

    recorded = model_meta(path).get("corpus_sz", {}).get("input_hash")
    if not recorded:
        return False
    corpus = load(corpus_path)
    return recorded == input_hash(corpus, Path(config_path) if config_path else None)


__all__ = ["load_pipeline", "pipeline_is_current", "model_meta", "MODEL_DIR"]
