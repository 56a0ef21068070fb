"""The cleaning engine: seed text -> blocks with recorded edits.

A recipe (one per seed, in :mod:`corpus_sz.clean.recipes`) says which spans of
the seed form which blocks, and which substitution rules apply inside them.
The engine turns that into :class:`~corpus_sz.model.Piece` runs and enforces
the central invariant of the corpus: every character of the seed is accounted
for exactly once, as kept text, as the original of a recorded edit, or as
layout (whitespace between lines and paragraphs). Non-whitespace source text
that no block and no gap covers is an error (E101), never a silent loss.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from ..errors import E101, E102, CorpusError
from ..model import Block, Div, Document, Piece

Span = tuple[int, int]


@dataclass(frozen=True)
class Rule:
    """A substitution applied inside block spans.

    ``replace`` is the new text, or a function of (match, seed text) giving it.
    ``kind`` is ``corr`` (an error corrected), ``reg`` (a declared
    normalisation), ``gap`` (source omitted) or ``anchor`` (a note anchor).
    """

    pattern: str
    kind: str
    replace: str | Callable[[re.Match, str], str] = ""
    reason: str = ""
    cert: str | None = None
    resp: str = "#corpus_sz"

    def compiled(self) -> re.Pattern:
        return re.compile(self.pattern)


class Seed:
    """A seed text with line arithmetic (1-based line numbers)."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self.line_starts = [0]
        for m in re.finditer("\n", text):
            self.line_starts.append(m.end())

    @property
    def n_lines(self) -> int:
        return len(self.line_starts)

    def line(self, n: int) -> Span:
        start = self.line_starts[n - 1]
        end = self.line_starts[n] - 1 if n < len(self.line_starts) else len(self.text)
        return (start, end)

    def line_text(self, n: int) -> str:
        s, e = self.line(n)
        return self.text[s:e]

    def lines(self, first: int, last: int) -> Span:
        """Span from the start of line ``first`` to the end of line ``last``."""
        return (self.line(first)[0], self.line(last)[1])

    def strip(self, span: Span) -> Span:
        s, e = span
        while s < e and self.text[s].isspace():
            s += 1
        while e > s and self.text[e - 1].isspace():
            e -= 1
        return (s, e)

    def find(self, needle: str, within: Span | None = None, after: int | None = None) -> Span:
        s0, e0 = within if within else (0, len(self.text))
        if after is not None:
            s0 = max(s0, after)
        i = self.text.find(needle, s0, e0)
        if i < 0:
            raise CorpusError(E102, f"anchor {needle!r} not found", path=self.name,
                              hint="the seed differs from the one the recipe was written for")
        return (i, i + len(needle))

    def lineno(self, offset: int) -> int:
        import bisect

        return bisect.bisect_right(self.line_starts, offset)


class Builder:
    """Collects blocks for one document and checks full coverage of the seed."""

    def __init__(self, seed: Seed, rules: Sequence[Rule] = ()) -> None:
        self.seed = seed
        self.rules = [(r, r.compiled()) for r in rules]
        self.covered: list[Span] = []

    # -- pieces ---------------------------------------------------------
    def pieces(self, spans: Iterable[Span], rules: bool | Sequence[Rule] = True) -> list[Piece]:
        """Pieces of ``spans`` under the document's rules (True), none (False) or the given ones."""
        compiled = self.rules if rules is True else [] if rules is False else [(r, r.compiled()) for r in rules]
        out: list[Piece] = []
        for s, e in spans:
            self.covered.append((s, e))
            out.extend(self._pieces_in(s, e, compiled))
        return _merge_text(out)

    def _pieces_in(self, s: int, e: int, rules: list[tuple[Rule, re.Pattern]]) -> list[Piece]:
        text = self.seed.text
        hits: list[tuple[int, int, Rule, re.Match]] = []
        if rules:
            for rule, rx in rules:
                for m in rx.finditer(text, s, e):
                    if m.end() > m.start() and not any(m.start() < b and a < m.end() for a, b, _, _ in hits):
                        hits.append((m.start(), m.end(), rule, m))
        hits.sort(key=lambda h: h[0])
        out: list[Piece] = []
        pos = s
        for a, b, rule, m in hits:
            if a > pos:
                out.append(Piece("text", text[pos:a], text[pos:a], src=(pos, a)))
            new = rule.replace(m, text) if callable(rule.replace) else rule.replace
            if rule.kind in ("gap", "anchor"):
                new = ""
            out.append(Piece(rule.kind, new, text[a:b], reason=rule.reason, cert=rule.cert,
                             resp=rule.resp, src=(a, b)))
            pos = b
        if pos < e:
            out.append(Piece("text", text[pos:e], text[pos:e], src=(pos, e)))
        return out

    # -- blocks ---------------------------------------------------------
    def block(self, kind: str, *spans: Span, rules: bool | Sequence[Rule] = True, strip: bool = True,
              **attrs) -> Block:
        if strip:
            spans = tuple(self.seed.strip(sp) for sp in spans)
        return Block(kind, self.pieces(spans, rules), **attrs)

    def gap(self, span: Span, reason: str, *, inline: bool = False) -> Block | Piece:
        """Omit a span of the seed, recording its text (``<gap reason>``)."""
        span = self.seed.strip(span)
        self.covered.append(span)
        s, e = span
        piece = Piece("gap", "", self.seed.text[s:e], reason=reason, resp="#corpus_sz", src=span)
        return piece if inline else Block("gap", [piece])

    def lost(self, reason: str = "lost") -> Piece:
        """A gap with no source text: material lost before the seed was made."""
        return Piece("gap", "", "", reason=reason, resp="#corpus_sz")

    # -- finishing ------------------------------------------------------
    def finish(self, doc_id: str, metadata: dict, front, body, back) -> Document:
        layout = self._check_coverage()
        doc = Document(doc_id, metadata, list(front), list(body), list(back))
        doc.layout = layout
        return doc

    def _check_coverage(self) -> list[Span]:
        spans = sorted(self.covered)
        text = self.seed.text
        layout: list[Span] = []
        pos = 0
        for s, e in spans + [(len(text), len(text))]:
            if s < pos:
                raise CorpusError(E101, f"source offsets {s}-{e} are used twice",
                                  path=self.seed.name, line=self.seed.lineno(s))
            if s > pos:
                hole = text[pos:s]
                if hole.strip():
                    bad = pos + (len(hole) - len(hole.lstrip()))
                    raise CorpusError(
                        E101, f"source text {hole.strip()[:30]!r} is neither kept nor recorded as an edit",
                        path=self.seed.name, line=self.seed.lineno(bad),
                        hint="add it to a block or record it as a gap in the recipe")
                layout.append((pos, s))
            pos = max(pos, e)
        return layout


def _merge_text(pieces: list[Piece]) -> list[Piece]:
    """Join adjacent kept-text pieces (their sources may be non-contiguous)."""
    out: list[Piece] = []
    for p in pieces:
        if not p.text and p.kind == "text":
            continue
        if out and p.kind == "text" and out[-1].kind == "text" and out[-1].src and p.src and out[-1].src[1] == p.src[0]:
            last = out[-1]
            out[-1] = Piece("text", last.text + p.text, last.orig + p.orig, src=(last.src[0], p.src[1]))
        else:
            out.append(p)
    return out


def split_runin(seed: Seed, span: Span, stop: str = "。") -> tuple[Span, Span | None]:
    """Split a line into its run-in heading (to the first ``stop``) and the rest."""
    s, e = seed.strip(span)
    i = seed.text.find(stop, s, e)
    if i < 0:
        return (s, e), None
    cut = i + len(stop)
    # a closing quote right after the full stop belongs to the heading
    if cut < e and seed.text[cut] == "”":
        cut += 1
    rest = (cut, e) if cut < e else None
    return (s, cut), rest


def split_at(seed: Seed, span: Span, heads: Sequence[str]) -> list[Span]:
    """Split a fused line before each of ``heads`` (in order)."""
    s, e = span
    cuts = []
    pos = s
    for h in heads:
        a, _ = seed.find(h, (pos, e))
        cuts.append(a)
        pos = a + 1
    bounds = [s] + [c for c in cuts if c > s] + [e]
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if a < b]


def div(type_: str, n: str | None = None, children=None, **kw) -> Div:
    return Div(type_, n, list(children or []), **kw)
