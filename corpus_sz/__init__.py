"""corpus_sz: Chinese local-government work reports (政府工作报告) as an annotated corpus.

The data flows one way: seeds → clean text and structure (:mod:`corpus_sz.clean`)
→ annotated TEI, the source of truth (:mod:`corpus_sz.tei`, ``annotations/``)
→ reading API (:mod:`corpus_sz.corpus`) and exports.

    >>> import corpus_sz
    >>> corpus = corpus_sz.load()
    >>> corpus["shenyang-2024"].metadata["speaker"]
    '吕志成'
"""

from pathlib import Path

from .corpus import Corpus, load
from .errors import CorpusError
from .model import LABELS, Document, Entity, Paragraph
from .version import __version__



def nlp(path=None):
    """The trained spaCy pipeline (Chinese, pkuseg), loaded offline.

    Imported lazily: ``import corpus_sz`` does not import spaCy.
    """
    from .pipeline import load_pipeline

    return load_pipeline(path)


def load_dataset(config: str, repo_id: str | None = None, revision: str | None = None,
                 path: str | Path | None = None):
    """A config of the Hugging Face dataset: a Hub repo at a version tag, a built folder, or the corpus.

    Without ``repo_id`` and ``path`` the corpus that :func:`load` reads is built into a cache
    folder, ``~/.cache/corpus_sz/hf-{version}-{format}-{digest}/`` (``$CORPUS_SZ_CACHE`` replaces
    ``~/.cache/corpus_sz``), keyed on a sha256 of the corpus files: after any change to the
    annotations the next call builds again. See :func:`corpus_sz.hf.load_dataset`.
    """
    from .hf import load_dataset as _load

    return _load(config, repo_id=repo_id, revision=revision, path=path)


__all__ = ["load", "nlp", "load_dataset", "Corpus", "Document", "Entity", "Paragraph", "CorpusError", "LABELS", "__version__"]
