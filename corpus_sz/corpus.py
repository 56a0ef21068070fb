"""Stage 3: the reading API over the annotated TEI corpus.

In the spirit of NLTK's corpus readers::

    import corpus_sz
    corpus = corpus_sz.load()
    len(corpus), corpus.version, corpus.fileids()
    doc = corpus["shenyang-2024"]
    doc.metadata["year_planned"], doc.paragraphs[0].text, doc.entities[:3]
    docs, paras, ents = corpus.to_pandas()
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from .authority import Authority, read_authority
from .errors import E401, CorpusError
from .model import Document
from .paths import annotations_dir
from .tei import read_document
from .version import __version__
from .xmlutil import XI_NS, parse_xml

ROOT_FILE = "corpus.xml"
AUTHORITY_FILE = "authority.xml"


def component_files(folder: Path) -> list[Path]:
    """The report files that the root ``corpus.xml`` includes, in its order."""
    root = folder / ROOT_FILE
    if root.exists():
        tree = parse_xml(root)
        hrefs = [el.get("href") for el in tree.getroot().iter(f"{{{XI_NS}}}include")]
        return [folder / h for h in hrefs if h and h != AUTHORITY_FILE]
    return sorted(p for p in folder.glob("*.xml") if p.name not in (ROOT_FILE, AUTHORITY_FILE))


class Corpus:
    """The documents of the corpus, by id, in the order of the root file."""

    def __init__(self, documents: list[Document], authority: Authority, version: str, folder: Path | None = None):
        self._docs = {d.id: d for d in documents}
        self.authority = authority
        self.version = version
        self.folder = folder

    def __len__(self) -> int:
        return len(self._docs)

    def __iter__(self) -> Iterator[Document]:
        return iter(self._docs.values())

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._docs

    def __getitem__(self, doc_id: str) -> Document:
        try:
            return self._docs[doc_id]
        except KeyError:
            raise CorpusError(E401, f"unknown document id {doc_id!r}",
                              hint=f"known ids: {', '.join(self._docs)}") from None

    def fileids(self) -> list[str]:
        return list(self._docs)

    def __repr__(self) -> str:
        return f"<Corpus version={self.version} documents={len(self)}>"

    # -- tables ----------------------------------------------------------
    def to_pandas(self):
        """Three DataFrames: documents, paragraphs and entities."""
        import pandas as pd

        docs, paras, ents = [], [], []
        for d in self:
            docs.append({"doc_id": d.id, **{k: v for k, v in d.metadata.items() if k not in ("id", "notes")},
                         "n_chars": len(d.text), "n_paragraphs": len(d.paragraphs), "n_entities": len(d.entities)})
            for p in d.paragraphs:
                paras.append({"doc_id": d.id, "index": p.index, "kind": p.kind, "division": p.division,
                              "part": p.part, "section": p.section, "subsection": p.subsection,
                              "start": p.start, "end": p.end, "text": p.text})
            for e in d.entities:
                ents.append({"doc_id": d.id, "start": e.start, "end": e.end, "label": e.label,
                             "text": e.text, "ref": e.ref,
                             "name": self.authority[e.ref].name if e.ref in self.authority else None})
        return pd.DataFrame(docs), pd.DataFrame(paras), pd.DataFrame(ents,
                                                                       columns=["doc_id", "start", "end", "label",
                                                                                "text", "ref", "name"])

    # -- research helpers (corpus_sz.kwic, corpus_sz.timeline) ---------------------------
    def kwic(self, query: str, window: int = 20, **kw):
        """Concordance of a string or of an authority record's mentions (see :func:`corpus_sz.kwic.kwic`)."""
        from .kwic import kwic

        return kwic(self, query, window, **kw)

    def timeline(self, label: str | None = None):
        """Mentions of each record by document and year (see :func:`corpus_sz.timeline.mentions_by_year`)."""
        from .timeline import mentions_by_year

        return mentions_by_year(self, label)


def load(path: str | Path | None = None) -> Corpus:
    """Load the corpus from a folder of TEI files (default: the one shipped with the package)."""
    folder = Path(path) if path else annotations_dir()
    auth_path = folder / AUTHORITY_FILE
    authority = read_authority(auth_path) if auth_path.exists() else Authority([])
    docs = [read_document(p) for p in component_files(folder)]
    return Corpus(docs, authority, __version__, folder)
