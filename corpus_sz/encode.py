"""Write the annotated corpus folder: components, authority file, root ``teiCorpus``.

The layout follows ParlaMint: ``corpus.xml`` is a ``teiCorpus`` whose header
describes the whole corpus and which XIncludes the authority file and one TEI
file per report. Annotations live in the component files; :func:`reencode`
regenerates every file from the seeds (text and structure) and the existing
files (entities), so a change to cleaning or to the header never loses an
annotation.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from lxml import etree

from .authority import Authority, authority_to_tei
from .clean import clean_all
from .corpus import AUTHORITY_FILE, ROOT_FILE, corpus_files
from .errors import E204, E408, CorpusError
from .model import LABELS, Document, Entity
from .tei import LICENCE, document_to_tei, read_document, revision_desc
from .version import __release_date__, __version__
from .xmlutil import TEI_NS, XI_NS, XML_ID, XML_LANG, atomic_write, tei, to_bytes


def _common_header(title: str, version: str) -> etree._Element:
    h = tei(None, "teiHeader")
    fd = tei(h, "fileDesc")
    ts = tei(fd, "titleStmt")
    tei(ts, "title", text=title, type="main")
    rs = tei(ts, "respStmt", **{XML_ID: "corpus_sz"})
    tei(rs, "resp", text="cleaning, TEI encoding, entity annotation and authority records")
    tei(rs, "orgName", text="corpus_sz project")
    es = tei(fd, "editionStmt")
    tei(es, "edition", text=f"corpus_sz {version}", n=version)
    return h


def _publication(fd: etree._Element, idno: str) -> None:
    ps = tei(fd, "publicationStmt")
    tei(ps, "publisher", text="corpus_sz project")
    tei(ps, "idno", text=idno, type="corpus_sz")
    av = tei(ps, "availability", status="free")
    tei(av, "licence", text="Annotations and encoding: CC BY 4.0. Report texts: official government "
                            "work reports, reproduced for research.", target=LICENCE)
    tei(ps, "date", text=__release_date__, when=__release_date__)


def authority_bytes(auth: Authority, version: str = __version__) -> bytes:
    h = _common_header("corpus_sz authority records: districts, zones, projects and programmes", version)
    h.find(f".//{{{TEI_NS}}}respStmt").attrib.pop(XML_ID)
    fd = h.find(f"{{{TEI_NS}}}fileDesc")
    ext = tei(None, "extent")
    fd.insert(2, ext)
    counts = Counter(r.label for r in auth)
    for label in LABELS:
        tei(ext, "measure", text=f"{counts[label]} {label} records", unit="records", type=label,
            quantity=counts[label])
    _publication(fd, "authority")
    sd = tei(fd, "sourceDesc")
    tei(sd, "p", text="Compiled from the reports of the corpus; district codes from GB/T 2260.")
    return to_bytes(authority_to_tei(auth, h))


def root_bytes(docs: list[Document], auth: Authority, version: str = __version__) -> bytes:
    root = etree.Element(f"{{{TEI_NS}}}teiCorpus", nsmap={None: TEI_NS, "xi": XI_NS})
    root.set(XML_ID, "corpus")
    root.set(XML_LANG, "zh-Hans")
    h = _common_header("corpus_sz: Chinese local-government work reports with entity annotations", version)
    root.append(h)
    fd = h.find(f"{{{TEI_NS}}}fileDesc")
    ext = tei(None, "extent")
    fd.insert(2, ext)
    tei(ext, "measure", text=f"{len(docs)} reports", unit="texts", quantity=len(docs))
    tei(ext, "measure", text=f"{sum(len(d.text) for d in docs)} characters", unit="chars",
        quantity=sum(len(d.text) for d in docs))
    counts = Counter(e.label for d in docs for e in d.entities)
    for label in LABELS:
        tei(ext, "measure", text=f"{counts[label]} {label}", unit="entities", type=label, quantity=counts[label])
    _publication(fd, "corpus_sz")
    sd = tei(fd, "sourceDesc")
    lb = tei(sd, "listBibl")
    for d in docs:
        b = tei(lb, "bibl", corresp=f"#{d.id}")
        tei(b, "title", text=d.metadata.get("title") or d.id)
        tei(b, "idno", text=d.id, type="corpus_sz")
    enc = tei(h, "encodingDesc")
    pd = tei(enc, "projectDesc")
    tei(pd, "p", text="A research corpus of Chinese local-government work reports (政府工作报告): cleaned "
                      "text, document structure, and mentions of districts, zones, projects and "
                      "programmes linked to shared authority records (authority.xml).")
    prof = tei(h, "profileDesc")
    lu = tei(prof, "langUsage")
    tei(lu, "language", text="Chinese (simplified script)", ident="zh-Hans")
    revision_desc(h, version)
    etree.SubElement(root, f"{{{XI_NS}}}include", href=AUTHORITY_FILE)
    for d in docs:
        etree.SubElement(root, f"{{{XI_NS}}}include", href=f"{d.id}.xml")
    return to_bytes(root)


def write_corpus(folder: Path, docs: list[Document], auth: Authority, version: str = __version__) -> list[Path]:
    folder = Path(folder)
    written = []
    for d in docs:
        p = folder / f"{d.id}.xml"
        atomic_write(p, document_to_tei(d, version))
        written.append(p)
    atomic_write(folder / AUTHORITY_FILE, authority_bytes(auth, version))
    atomic_write(folder / ROOT_FILE, root_bytes(docs, auth, version))
    return written + [folder / AUTHORITY_FILE, folder / ROOT_FILE]


def with_entities(doc: Document, entities: list[Entity]) -> Document:
    text = doc.text
    doc.entities = sorted((Entity(e.start, e.end, e.label, e.ref, text[e.start:e.end], e.resp, e.cert)
                           for e in entities), key=lambda e: (e.start, e.end))
    return doc


def reencode(folder: Path, auth: Authority | None = None) -> list[Path]:
    """Regenerate every file from the seeds and the entities already in ``folder``.

    ``folder`` must be a corpus folder (see :func:`corpus_sz.corpus.corpus_files`): the
    annotations are read from the files that corpus.xml includes, so a missing root, report
    or authority file would otherwise come back as a file without annotations. Every check is
    made before the first write; on a :class:`CorpusError` nothing is written.
    """
    from .authority import read_authority

    folder = Path(folder)
    auth_path, files = corpus_files(folder)
    existing: dict[str, Document] = {}
    where: dict[str, Path] = {}
    for p in files:
        d = read_document(p)
        if d.id in existing:  # only one of the two would be written back
            raise CorpusError(E408, f"document {d.id!r} is in both {where[d.id].name} and {p.name}", path=str(p),
                              hint=f"keep one file per report and remove the other's xi:include from {ROOT_FILE}")
        existing[d.id], where[d.id] = d, p
    cleaned = clean_all()
    seeded = {d.id for d in cleaned}
    for doc_id in existing:
        if doc_id not in seeded:  # write_corpus writes only seeded reports: this one would leave the corpus
            raise CorpusError(E408, f"no seed is registered for document {doc_id!r}; encoding would drop it "
                                    "from the corpus", path=str(where[doc_id]),
                              hint="add the seed with `corpus-sz new-report`, or remove the report's "
                                   f"xi:include from {ROOT_FILE}")
    docs = []
    for d in cleaned:
        old = existing.get(d.id)
        target = folder / f"{d.id}.xml"
        if old is None and target.exists():  # a file the root does not list: encoding would overwrite it
            raise CorpusError(E408, f"{target.name} is not included by {ROOT_FILE}; encoding would overwrite "
                                    "its annotations", path=str(target),
                              hint=f'add <xi:include href="{target.name}"/> to {ROOT_FILE}, or move the file away')
        if old is not None:
            if old.text != d.text:
                raise CorpusError(E204, "the text layer differs from the cleaned seed; annotations "
                                        "cannot be carried over", path=str(where[d.id]))
            with_entities(d, old.entities)
        docs.append(d)
    if auth is None:
        auth = read_authority(auth_path)
    return write_corpus(folder, docs, auth)
