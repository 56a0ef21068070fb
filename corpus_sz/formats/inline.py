"""Inline bracket markup: ``[[surface|LABEL|ref]]`` inside a paragraph's text.

A compact, reviewable format used to ingest the gold annotations: one
paragraph per line, ``ID<TAB>marked text``. Stripping the markup must give
the paragraph text back exactly.
"""

from __future__ import annotations

import re

from ..errors import E501, CorpusError
from ..model import LABELS

MARK = re.compile(r"\[\[([^\[\]|]+)\|([A-Z]+)\|([^\[\]|]+)\]\]")


def parse_marked(marked: str, where: str = "") -> tuple[str, list[tuple[int, int, str, str]]]:
    """Plain text and spans (start, end, label, ref) of one marked line."""
    out: list[str] = []
    spans = []
    pos = 0
    plain_len = 0
    for m in MARK.finditer(marked):
        before = marked[pos:m.start()]
        out.append(before)
        plain_len += len(before)
        surface, label, ref = m.groups()
        if label not in LABELS:
            raise CorpusError(E501, f"unknown label {label!r}", path=where or None, hint=f"one of {LABELS}")
        spans.append((plain_len, plain_len + len(surface), label, ref))
        out.append(surface)
        plain_len += len(surface)
        pos = m.end()
    out.append(marked[pos:])
    plain = "".join(out)
    if "[[" in plain or "]]" in plain:
        raise CorpusError(E501, "malformed inline markup", path=where or None)
    return plain, spans


def to_marked(text: str, spans: list[tuple[int, int, str, str]]) -> str:
    out, pos = [], 0
    for s, e, label, ref in sorted(spans):
        out.append(text[pos:s])
        out.append(f"[[{text[s:e]}|{label}|{ref}]]")
        pos = e
    out.append(text[pos:])
    return "".join(out)
