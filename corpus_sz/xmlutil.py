"""Safe XML parsing, canonical serialisation and atomic writes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from lxml import etree

from .errors import E201, E202, E206, E209, CorpusError

TEI_NS = "http://www.tei-c.org/ns/1.0"
XI_NS = "http://www.w3.org/2001/XInclude"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_ID = f"{{{XML_NS}}}id"
XML_LANG = f"{{{XML_NS}}}lang"

# Elements whose content is mixed (text layer): never indented.
MIXED = {"p", "head", "note", "byline", "titlePart", "salute", "dateline", "desc", "title", "edition",
         "placeName", "name", "objectName", "label", "catDesc", "resp", "publisher", "pubPlace",
         "licence", "language", "persName", "orgName", "change", "idno", "date", "measure", "item",
         "docDate", "distributor", "authority", "quote", "term", "xenoData", "author", "sic", "corr", "orig", "reg"}


def _parser() -> etree.XMLParser:
    # No entity resolution, no DTD, no network: XML from contributors is data, not instructions.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_blank_text=False)


def parse_bytes(raw: bytes, path: str) -> etree._ElementTree:
    if not raw.strip():
        raise CorpusError(E209, "empty file", path=path, line=1, col=1,
                          hint="a TEI file must contain a <TEI> document")
    head = raw[:4096]
    if b"<!DOCTYPE" in head or b"<!ENTITY" in raw:
        line = raw[: raw.find(b"<!")].count(b"\n") + 1
        raise CorpusError(E202, "DOCTYPE or entity declaration is not allowed", path=path, line=line,
                          hint="remove the <!DOCTYPE …> block; corpus files use no DTD or entities")
    try:
        return etree.ElementTree(etree.fromstring(raw, _parser()))
    except etree.XMLSyntaxError as e:
        line, col = e.position if e.position else (None, None)
        msg = e.msg.split(", line")[0] if e.msg else "not well-formed"
        if "already defined" in msg:  # libxml2 checks xml:id uniqueness while parsing
            raise CorpusError(E206, f"duplicate xml:id: {msg}", path=path, line=line, col=col,
                              hint="every xml:id must be unique across the corpus") from None
        raise CorpusError(E201, f"malformed XML: {msg}", path=path, line=line, col=col,
                          hint="fix the markup at that position (an unclosed or mismatched tag?)") from None


def parse_xml(path: Path) -> etree._ElementTree:
    try:
        raw = Path(path).read_bytes()
    except OSError as e:
        raise CorpusError(E201, f"cannot read: {e.strerror}", path=str(path)) from None
    return parse_bytes(raw, str(path))


def tei(parent: etree._Element | None, tag: str, text: str | None = None, **attrs) -> etree._Element:
    el = etree.Element(f"{{{TEI_NS}}}{tag}") if parent is None else etree.SubElement(parent, f"{{{TEI_NS}}}{tag}")
    for k, v in attrs.items():
        if v is None:
            continue
        el.set(k, str(v))
    if text is not None:
        el.text = text
    return el


def local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def indent(el: etree._Element, level: int = 0) -> None:
    """Indent element-only content; leave mixed content (the text layer) untouched."""
    if local(el) in MIXED or len(el) == 0:
        return
    pad = "\n" + "  " * (level + 1)
    el.text = pad
    for child in el:
        indent(child, level + 1)
        child.tail = pad
    el[-1].tail = "\n" + "  " * level


def to_bytes(root: etree._Element) -> bytes:
    indent(root)
    body = etree.tostring(root, encoding="UTF-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write ``path`` so that it is never half-written; raise OSError on failure.

    A regular file is replaced via a temporary file in the same folder and a rename; a symlink
    is followed (its target is replaced, the link stays); a FIFO or device (``/dev/null``,
    ``/dev/stdout``) is written directly, since renaming over it would destroy it; a folder is
    an error. See :mod:`corpus_sz.output`.
    """
    from .output import write_file  # imported here: output.py is the one place these rules live

    write_file(path, data)
