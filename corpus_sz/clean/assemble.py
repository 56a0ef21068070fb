"""Turn a flat sequence of headings and blocks into nested TEI-shaped divisions.

TEI allows paragraphs before the child divisions of a ``<div>`` but not after
them. Paragraphs that follow the last child division of a level (the
untitled runs after the last numbered section: other work, thanks, problems)
are therefore wrapped in a division of their own, ``type="unnumbered"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Block, Div

LEVEL_TYPES = {1: "part", 2: "section", 3: "subsection"}


@dataclass
class Open:
    """Start a division at ``level`` (1 part, 2 section, 3 subsection)."""

    level: int
    head: Block | None = None
    n: str | None = None
    type: str | None = None
    cert: str | None = None
    subtype: str | None = None
    lead: list[Block] = field(default_factory=list)


def assemble(entries: list) -> list:
    """Build the body from ``Open`` markers and blocks, in order."""
    root = Div("root")
    stack: list[tuple[int, Div]] = [(0, root)]

    for entry in entries:
        if isinstance(entry, Open):
            while stack[-1][0] >= entry.level:
                stack.pop()
            parent = stack[-1][1]
            d = Div(entry.type or LEVEL_TYPES[entry.level], entry.n, cert=entry.cert, subtype=entry.subtype)
            if entry.head is not None:
                d.children.append(entry.head)
            d.children.extend(entry.lead)
            parent.children.append(d)
            stack.append((entry.level, d))
        else:
            level, container = stack[-1]
            if entry.kind != "gap" and any(isinstance(c, Div) for c in container.children):
                d = Div("unnumbered")
                container.children.append(d)
                stack.append((level + 1, d))
                container = d
            container.children.append(entry)
    return root.children


CN_NUMS = "一二三四五六七八九十"


def cn_to_int(s: str) -> int:
    """Chinese numerals up to 99 (一 .. 九十九)."""
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + CN_NUMS.index(s[1]) + 1
    if "十" in s:
        a, _, b = s.partition("十")
        return (CN_NUMS.index(a) + 1) * 10 + (CN_NUMS.index(b) + 1 if b else 0)
    return CN_NUMS.index(s) + 1
