"""Span evaluation per the scheme: strict and lenient P/R/F1 per label, linking accuracy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from .model import LABELS

Span = tuple[int, int, str]  # start, end, label (document or paragraph offsets)


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def p(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def r(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.p + self.r else 0.0


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[2] == b[2]


def score(gold: Iterable[Span], pred: Iterable[Span], lenient: bool = False) -> dict[str, PRF]:
    """Per-label and micro counts. Lenient: an overlapping span with the same label counts.

    Lenient matching is one-to-one (each gold span matches at most one prediction).
    """
    gold, pred = sorted(set(gold)), sorted(set(pred))
    out = {l: PRF() for l in LABELS}
    if not lenient:
        g, p = set(gold), set(pred)
        for s in p:
            if s in g:
                out[s[2]].tp += 1
            else:
                out[s[2]].fp += 1
        for s in g - p:
            out[s[2]].fn += 1
    else:
        # exact matches first, then overlaps, so that lenient scores are never below strict ones
        used: set[int] = set()
        index = {t: i for i, t in enumerate(gold)}
        rest = []
        for s in pred:
            if s in index:
                used.add(index[s])
                out[s[2]].tp += 1
            else:
                rest.append(s)
        for s in rest:
            match = next((i for i, t in enumerate(gold) if i not in used and _overlaps(s, t)), None)
            if match is None:
                out[s[2]].fp += 1
            else:
                used.add(match)
                out[s[2]].tp += 1
        for i, t in enumerate(gold):
            if i not in used:
                out[t[2]].fn += 1
    micro = PRF(sum(x.tp for x in out.values()), sum(x.fp for x in out.values()), sum(x.fn for x in out.values()))
    out["micro"] = micro
    return out


def linking_accuracy(gold: Sequence[tuple[int, int, str, str | None]],
                     pred: Sequence[tuple[int, int, str, str | None]]) -> tuple[int, int]:
    """(correct, total) over predicted spans that are strictly correct: does the ref match?"""
    gmap = {(s, e, l): r for s, e, l, r in gold}
    hits = [(gmap[(s, e, l)], r) for s, e, l, r in pred if (s, e, l) in gmap]
    return sum(1 for g, r in hits if g == r), len(hits)


def table(results: dict[str, PRF], title: str = "") -> str:
    rows = [f"| {title or 'label'} | P | R | F1 | tp | fp | fn |", "|---|---:|---:|---:|---:|---:|---:|"]
    for k in [*LABELS, "micro"]:
        x = results[k]
        rows.append(f"| {k} | {x.p:.3f} | {x.r:.3f} | {x.f:.3f} | {x.tp} | {x.fp} | {x.fn} |")
    return "\n".join(rows)
