"""The in-memory model of one report: a tree of divisions and blocks.

A *block* is a heading, a paragraph or another unit of running text. Its text
is made of *pieces*: kept source text, recorded corrections (``corr``: TEI
``<choice><sic><corr>``), normalisations (``reg``: ``<choice><orig><reg>``),
omissions (``gap``), and note anchors (``anchor``). The *text layer* of a
document is the text of its blocks in document order joined with ``"\\n"``;
every offset in the project counts code points in that string.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Union

LABELS: tuple[str, ...] = ("DISTRICT", "ZONE", "PROJECT", "PROGRAMME")

# TEI @cert values from least to most certain: the structural certainty of a paragraph is the
# least certain mark on its path. The schema also allows a number in [0, 1] (no file uses one).
CERT_ORDER: tuple[str, ...] = ("unknown", "low", "medium", "high")


def _cert_rank(cert: str) -> float:
    if cert in CERT_ORDER:
        return CERT_ORDER.index(cert)
    try:  # a probability: map [0, 1] onto the named scale (0 = unknown ... 1 = high)
        return float(cert) * (len(CERT_ORDER) - 1)
    except ValueError:
        return 0.0


def least_certain(certs) -> str | None:
    """The least certain of some TEI @cert values (None ignored); None if there are none."""
    marked = [c for c in certs if c is not None]
    return min(marked, key=_cert_rank) if marked else None


# Piece kinds that put text into the text layer.
TEXT_KINDS = ("text", "corr", "reg")


@dataclass
class Piece:
    """A run of a block: ``text`` goes into the text layer, ``orig`` is the source."""

    kind: str  # text | corr | reg | gap | anchor
    text: str
    orig: str
    reason: str | None = None
    cert: str | None = None
    resp: str | None = None
    target: str | None = None  # anchors: id of the note they point to
    src: tuple[int, int] | None = None  # seed offsets; None when read from TEI


@dataclass
class Block:
    kind: str  # head | p | title | dateline | byline | salute | note | gap
    pieces: list[Piece] = field(default_factory=list)
    type: str | None = None  # e.g. head type="runin", p type="lead"
    n: str | None = None
    xml_id: str | None = None
    cert: str | None = None

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)

    @property
    def has_text(self) -> bool:
        return self.kind != "gap"


@dataclass
class Div:
    type: str  # part | section | subsection | closing | unnumbered | glossary | sidebar | lead
    n: str | None = None
    children: list[Union["Div", Block]] = field(default_factory=list)
    cert: str | None = None
    subtype: str | None = None


@dataclass(frozen=True)
class Entity:
    """One annotated mention; offsets are code points of the document text."""

    start: int
    end: int
    label: str
    ref: str | None
    text: str = ""
    resp: str | None = None
    cert: str | None = None


@dataclass
class Paragraph:
    """A text block with its place in the structure (read-only view)."""

    index: int
    kind: str
    text: str
    start: int
    end: int
    part: str | None
    section: str | None
    subsection: str | None
    division: str  # front | body | back
    # The TEI's @cert on where this paragraph sits in the structure: the lowest of the @cert of
    # the block itself, of its enclosing divisions and of their headings; None when the TEI marks
    # none. A doubtful heading makes everything under it doubtful too (hunnan-2021's section 4 has a
    # duplicated heading whose paragraphs are about other things), so section-based analyses must
    # see it on every paragraph, not only on the heading.
    cert: str | None = None


@dataclass
class Document:
    id: str
    metadata: dict
    front: list[Union[Div, Block]] = field(default_factory=list)
    body: list[Union[Div, Block]] = field(default_factory=list)
    back: list[Union[Div, Block]] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    layout: list[tuple[int, int]] = field(default_factory=list)  # seed spans dropped as layout
    # indicator measures as read from TEI: (start, end, TEI attributes); derived, see corpus_sz.indicators
    measures: list[tuple[int, int, dict]] = field(default_factory=list)
    # Documents read from the corpus are frozen: their text and paragraphs are computed once.
    frozen: bool = field(default=False, repr=False, compare=False)
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def freeze(self) -> "Document":
        """Mark the text layer as final (as read from TEI), so derived views are cached."""
        self._cache.clear()
        self.frozen = True
        return self

    def _cached(self, key, compute):
        if not self.frozen:
            return compute()
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    # -- traversal -------------------------------------------------------
    def iter_blocks(self) -> Iterator[tuple[Block, tuple[Div, ...], str]]:
        """Yield (block, enclosing divs, 'front'|'body'|'back') in document order."""

        def walk(items, stack, where):
            for item in items:
                if isinstance(item, Div):
                    yield from walk(item.children, stack + (item,), where)
                else:
                    yield item, stack, where

        for where, items in (("front", self.front), ("body", self.body), ("back", self.back)):
            yield from walk(items, (), where)

    def text_blocks(self) -> list[Block]:
        return [b for b, _, _ in self.iter_blocks() if b.has_text]

    @property
    def text(self) -> str:
        return self._cached("text", lambda: "\n".join(b.text for b in self.text_blocks()))

    def block_offsets(self) -> list[tuple[Block, int, int]]:
        out, pos = [], 0
        for b in self.text_blocks():
            t = b.text
            out.append((b, pos, pos + len(t)))
            pos += len(t) + 1
        return out

    @property
    def paragraphs(self) -> list[Paragraph]:
        return list(self._cached("paragraphs", self._paragraphs))

    def _paragraphs(self) -> list[Paragraph]:
        paras: list[Paragraph] = []
        pos = 0
        for block, stack, where in self.iter_blocks():
            if not block.has_text:
                continue
            t = block.text
            names = {"part": None, "section": None, "subsection": None}
            certs = [block.cert]
            for div in stack:
                # a division's own @cert and that of its heading(s) apply to all of its content
                certs.append(div.cert)
                certs.extend(c.cert for c in div.children if isinstance(c, Block) and c.kind == "head")
                key = {"part": "part", "section": "section", "subsection": "subsection"}.get(div.type)
                if key:
                    names[key] = div.n or div.subtype or div.type
                elif div.type in ("unnumbered", "closing", "glossary", "sidebar", "lead"):
                    names["section"] = div.type
            paras.append(
                Paragraph(len(paras), block.kind, t, pos, pos + len(t), names["part"],
                          names["section"], names["subsection"], where, least_certain(certs))
            )
            pos += len(t) + 1
        return paras

    @property
    def sentences(self) -> list[str]:
        from .structure import split_sentences

        out: list[str] = []
        for p in self.paragraphs:
            out.extend(split_sentences(p.text))
        return out

    def edits(self) -> list[Piece]:
        """Every recorded edit (corrections, normalisations, gaps, anchors)."""
        return [p for b, _, _ in self.iter_blocks() for p in b.pieces if p.kind != "text"]
