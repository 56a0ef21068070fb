"""Consistency of the gold annotations across the corpus.

The rule (guidelines): the same string in the same sense gets the same label
and the same record everywhere. :func:`inconsistencies` lists, for every
annotated surface form, the places where it is annotated differently and the
places where it occurs unannotated (outside any other mention). Each of these
must be either fixed or explained in ``annotations/consistency-exceptions.tsv``
(document, offset, surface, reason), which the tests enforce.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from .corpus import Corpus


@dataclass(frozen=True)
class Finding:
    kind: str  # "unannotated" | "different"
    doc_id: str
    start: int
    surface: str
    detail: str


def inconsistencies(corpus: Corpus, min_len: int = 2) -> list[Finding]:
    seen: dict[str, set[tuple[str, str]]] = {}
    for d in corpus:
        for e in d.entities:
            seen.setdefault(e.text, set()).add((e.label, e.ref))
    out: list[Finding] = []
    for surface, variants in sorted(seen.items()):
        if len(surface) < min_len:
            continue
        if len(variants) > 1:
            for d in corpus:
                for e in d.entities:
                    if e.text == surface:
                        out.append(Finding("different", d.id, e.start, surface, f"{e.label} {e.ref}"))
        for d in corpus:
            for m in re.finditer(re.escape(surface), d.text):
                s, t = m.start(), m.end()
                if any(e.start < t and s < e.end for e in d.entities):
                    continue  # annotated here, or part of another mention
                out.append(Finding("unannotated", d.id, s, surface,
                                   "expected " + "/".join(sorted(f"{l} {r}" for l, r in variants))))
    return out


def read_exceptions(path: Path) -> dict[tuple[str, int, str], str]:
    if not path.exists():
        return {}
    out = {}
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader((l for l in f if not l.startswith("#")), delimiter="\t"):
            out[(row["doc_id"], int(row["start"]), row["surface"])] = row["reason"]
    return out
