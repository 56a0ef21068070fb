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

import hashlib
from pathlib import Path, PurePosixPath
from typing import Iterator, Sequence

from .authority import Authority, read_authority
from .errors import E401, E405, E406, E407, CorpusError
from .model import Document
from .paths import annotations_dir
from .tei import read_document
from .version import __version__
from .xmlutil import TEI_NS, XI_NS, parse_xml

ROOT_FILE = "corpus.xml"
AUTHORITY_FILE = "authority.xml"


_CORPUS_HINT = "pass --path the folder that holds corpus.xml (the annotations/ folder of a checkout)"


def _include_name(el, root_path: Path) -> str:
    """The href of an ``xi:include``, accepted only as a plain file name in the corpus folder.

    The loader reads included files itself; an absolute path, ``..`` or a URL would let a
    corpus.xml pull in files from elsewhere on the machine or the network.
    """
    href = (el.get("href") or "").strip()
    if (not href or href in (".", "..") or PurePosixPath(href).name != href or "\\" in href
            or ":" in href or el.get("parse", "xml") != "xml" or el.get("xpointer") is not None):
        raise CorpusError(E407, f"xi:include href {href!r} is not the name of a file in the corpus folder",
                          path=str(root_path), line=el.sourceline,
                          hint='use the plain file name of a file beside corpus.xml, e.g. href="shenyang-2024.xml"')
    return href


def corpus_files(folder: Path) -> tuple[Path, list[Path]]:
    """The authority file and the report files that ``corpus.xml`` includes, in its order.

    Raises :class:`CorpusError` unless ``folder`` is a corpus folder whose root includes
    authority.xml and only files that exist beside it: a missing file must never read as
    an empty corpus or a report without annotations.
    """
    folder = Path(folder)
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise CorpusError(E405, f"not a corpus folder: {folder} {what}", path=str(folder), hint=_CORPUS_HINT)
    root_path = folder / ROOT_FILE
    if not root_path.is_file():
        raise CorpusError(E405, f"not a corpus folder (no {ROOT_FILE})", path=str(folder),
                          hint=_CORPUS_HINT + f"; restore a deleted {ROOT_FILE} from git")
    root = parse_xml(root_path).getroot()
    if root.tag != f"{{{TEI_NS}}}teiCorpus":
        raise CorpusError(E405, f"{ROOT_FILE} is not a TEI <teiCorpus> root file", path=str(root_path),
                          line=root.sourceline, hint=_CORPUS_HINT)
    authority: Path | None = None
    reports: list[Path] = []
    for el in root.iter(f"{{{XI_NS}}}include"):
        name = _include_name(el, root_path)
        p = folder / name
        if not p.is_file():
            what = "is not a file" if p.exists() else "is missing"
            hint = (f"restore {p} (e.g. from git): the mentions refer to its records" if name == AUTHORITY_FILE
                    else f"restore {p} (e.g. from git) or remove its xi:include from {ROOT_FILE}")
            raise CorpusError(E406, f"{name}, included by {ROOT_FILE}, {what}", path=str(root_path),
                              line=el.sourceline, hint=hint)
        if name == AUTHORITY_FILE:
            authority = p
        else:
            reports.append(p)
    if authority is None:
        raise CorpusError(E406, f"{ROOT_FILE} does not include {AUTHORITY_FILE}", path=str(root_path),
                          line=root.sourceline,
                          hint=f'add <xi:include href="{AUTHORITY_FILE}"/> after the teiHeader; the mentions refer '
                               "to its records")
    return authority, reports


def corpus_digest(folder: Path, extra: Sequence[Path] = ()) -> str:
    """sha256 (hex) of the files a :func:`load` of ``folder`` reads, plus the files ``extra``.

    The root, the authority file and the listed reports, each as its name, byte length and bytes,
    in file-name order: any edit, added or removed report changes it, while a stray XML file that
    ``corpus.xml`` does not list (and so is never loaded) does not. A missing ``extra`` file counts
    as absent, which also changes the digest.
    """
    authority, reports = corpus_files(Path(folder))
    h = hashlib.sha256()
    for p in sorted([Path(folder) / ROOT_FILE, authority, *reports], key=lambda p: p.name) + list(extra):
        data = p.read_bytes() if p.is_file() else None
        # name and length frame each file, so that moving bytes from one file to another changes the digest
        h.update(f"{p.name}\0{-1 if data is None else len(data)}\0".encode("utf-8"))
        h.update(data or b"")
    return h.hexdigest()


def component_files(folder: Path) -> list[Path]:
    """The report files that the root ``corpus.xml`` includes, in its order (see :func:`corpus_files`)."""
    return corpus_files(folder)[1]


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
            known = f"known ids: {', '.join(self._docs)}" if self._docs else "the corpus has no documents"
            raise CorpusError(E401, f"unknown document id {doc_id!r}", hint=known) from None

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
                              "cert": p.cert, "start": p.start, "end": p.end, "text": p.text})
            for e in d.entities:
                ents.append({"doc_id": d.id, "start": e.start, "end": e.end, "label": e.label,
                             "text": e.text, "ref": e.ref,
                             "name": self.authority[e.ref].name if e.ref in self.authority else None})
        return pd.DataFrame(docs), pd.DataFrame(paras), pd.DataFrame(ents,
                                                                       columns=["doc_id", "start", "end", "label",
                                                                                "text", "ref", "name"])

    # -- research helpers (corpus_sz.kwic, corpus_sz.timeline) ---------------------------
    def kwic(self, query: str, window: int = 20, **kw):
        """Concordance of a string (default) or, with ``by="record"``, of an authority record's mentions
        (see :func:`corpus_sz.kwic.kwic`)."""
        from .kwic import kwic

        return kwic(self, query, window, **kw)

    def timeline(self, label: str | None = None):
        """Mentions of each record by document and year (see :func:`corpus_sz.timeline.mentions_by_year`)."""
        from .timeline import mentions_by_year

        return mentions_by_year(self, label)


def load(path: str | Path | None = None) -> Corpus:
    """Load the corpus from a folder of TEI files (default: the one shipped with the package).

    Raises :class:`CorpusError` if the folder is not a corpus folder or a file it lists is missing.
    """
    folder = Path(path) if path else annotations_dir()
    auth_path, reports = corpus_files(folder)
    authority = read_authority(auth_path)
    docs = [read_document(p) for p in reports]
    return Corpus(docs, authority, __version__, folder)
