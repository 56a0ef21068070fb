"""Safe XML parsing, canonical serialisation and atomic writes."""

from __future__ import annotations

import codecs
import errno
from pathlib import Path

from lxml import etree

from .errors import E201, E202, E206, E209, E214, CorpusError

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


# Byte-order marks of the encodings libxml2 would otherwise decode silently.
_FOREIGN_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                 (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))
_ENTITY_HINT = "write the character itself (only &amp; &lt; &gt; &quot; &apos; are predefined)"
_UTF8_HINT = 'save the file as UTF-8 (and declare encoding="UTF-8", or no encoding, in its first line)'
# libxml2's codes for bytes that do not decode in the document's encoding, or an encoding it lacks
_ENCODING_ERRORS = {etree.ErrorTypes.ERR_INVALID_ENCODING, etree.ErrorTypes.ERR_UNSUPPORTED_ENCODING,
                    etree.ErrorTypes.ERR_UNKNOWN_ENCODING}


def _is_utf8(name: str | None) -> bool:
    try:
        return name is None or codecs.lookup(name).name == "utf-8"
    except LookupError:
        return False


def _line_of(raw: bytes, needle: bytes) -> int | None:
    i = raw.find(needle)
    return raw[:i].count(b"\n") + 1 if i >= 0 else None


def parse_bytes(raw: bytes, path: str) -> etree._ElementTree:
    """Parse one XML file of the corpus: UTF-8 only, no DOCTYPE, no entities.

    The checks look at what libxml2 parsed (the document info and the tree), not at a prefix
    of the bytes, so a DOCTYPE after a long comment or in another encoding cannot slip through.
    """
    if not raw.strip():
        raise CorpusError(E209, "empty file", path=path, line=1, col=1,
                          hint="a TEI file must contain a <TEI> document")
    # UTF-16/32 would parse, but every tool of the project reads and writes UTF-8 only
    for bom, name in _FOREIGN_BOMS:
        if raw.startswith(bom):
            raise CorpusError(E214, f"the file is encoded as {name}, not UTF-8", path=path, line=1, col=1,
                              hint=_UTF8_HINT)
    try:
        tree = etree.ElementTree(etree.fromstring(raw, _parser()))
    except etree.XMLSyntaxError as e:
        line, col = e.position if e.position else (None, None)
        msg = e.msg.split(", line")[0] if e.msg else "not well-formed"
        if e.code in _ENCODING_ERRORS:
            raise CorpusError(E214, f"the file is not valid UTF-8 ({msg})", path=path, line=line, col=col,
                              hint=_UTF8_HINT) from None
        if e.code == etree.ErrorTypes.ERR_UNDECLARED_ENTITY:  # "&foo;" with no DOCTYPE
            raise CorpusError(E202, f"entity reference is not allowed: {msg}", path=path, line=line, col=col,
                              hint=_ENTITY_HINT) from None
        if "already defined" in msg:  # libxml2 checks xml:id uniqueness while parsing
            raise CorpusError(E206, f"duplicate xml:id: {msg}", path=path, line=line, col=col,
                              hint="every xml:id must be unique across the corpus") from None
        raise CorpusError(E201, f"malformed XML: {msg}", path=path, line=line, col=col,
                          hint="fix the markup at that position (an unclosed or mismatched tag?)") from None
    info = tree.docinfo
    if not _is_utf8(info.encoding):  # e.g. UTF-16 without a BOM, or GBK text that happens to decode
        raise CorpusError(E214, f"the file is encoded as {info.encoding}, not UTF-8", path=path, line=1, col=1,
                          hint=_UTF8_HINT)
    # With load_dtd=False an external DTD is never fetched, so its entities would be dropped from the
    # text without a word: refuse any DOCTYPE, internal subset or entity reference instead.
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise CorpusError(E202, "DOCTYPE or entity declaration is not allowed", path=path,
                          line=_line_of(raw, b"<!DOCTYPE"),
                          hint="remove the <!DOCTYPE …> block; corpus files use no DTD or entities")
    for ent in tree.getroot().iter(etree.Entity):
        raise CorpusError(E202, f"entity reference &{ent.name}; is not allowed", path=path, line=ent.sourceline,
                          hint=_ENTITY_HINT)
    return tree


def parse_xml(path: Path) -> etree._ElementTree:
    try:
        raw = Path(path).read_bytes()
    except OSError as e:
        raise CorpusError(E201, f"cannot read: {e.strerror}", path=str(path), hint=_read_hint(e)) from None
    return parse_bytes(raw, str(path))


def _read_hint(e: OSError) -> str:
    if e.errno == errno.ENOENT:
        return "check the path: run from the repository root or pass the file or folder explicitly"
    if e.errno == errno.EISDIR:
        return "a folder was given where an XML file is expected; pass the file itself"
    return "check that the file exists and that you may read it"


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
