"""corpus_sz: Chinese local-government work reports (政府工作报告) as an annotated corpus.

The data flows one way: seeds → clean text and structure (:mod:`corpus_sz.clean`)
→ annotated TEI, the source of truth (:mod:`corpus_sz.tei`, ``annotations/``)
→ reading API (:mod:`corpus_sz.corpus`) and exports.

    >>> import corpus_sz
    >>> corpus = corpus_sz.load()
    >>> corpus["shenyang-2024"].metadata["speaker"]
    '吕志成'
"""

from .corpus import Corpus, load
from .errors import CorpusError
from .model import LABELS, Document, Entity, Paragraph
from .version import __version__

__all__ = ["load", "Corpus", "Document", "Entity", "Paragraph", "CorpusError", "LABELS", "__version__"]
