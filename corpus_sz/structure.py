"""Sentence splitting and structure summaries over the cleaned text."""

from __future__ import annotations

import re

from .model import Block, Div, Document

# A sentence ends at 。！？!? (or ；; in enumerations is not an end), plus any closing quotes.
_SENT_END = re.compile(r"[^。！？!?]*(?:[。！？!?]+[”’」』）)]*|$)")


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences at full stops, question and exclamation marks."""
    out = [m.group(0) for m in _SENT_END.finditer(text) if m.group(0)]
    return out


def heading_counts(doc: Document) -> dict[int, int]:
    """Number of headed divisions per level (1 part, 2 section, 3 subsection)."""
    counts = {1: 0, 2: 0, 3: 0}

    def walk(items, depth):
        for it in items:
            if isinstance(it, Div):
                if it.children and isinstance(it.children[0], Block) and it.children[0].kind == "head" \
                        and it.type in ("part", "section", "subsection"):
                    counts[depth] += 1
                walk(it.children, depth + 1)

    walk(doc.body, 1)
    return counts


def outline(doc: Document) -> str:
    lines = []

    def walk(items, depth):
        for it in items:
            if isinstance(it, Div):
                lines.append("  " * depth + f"<div {it.type} n={it.n} {it.subtype or ''} {it.cert or ''}>")
                walk(it.children, depth + 1)
            else:
                lines.append("  " * depth + f"{it.kind}{'/' + it.type if it.type else ''}: {it.text[:30]}")

    for name in ("front", "body", "back"):
        lines.append(name)
        walk(getattr(doc, name), 1)
    return "\n".join(lines)
