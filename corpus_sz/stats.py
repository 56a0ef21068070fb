"""Corpus statistics: mentions per label per document, records, top records."""

from __future__ import annotations

from collections import Counter

from .corpus import Corpus
from .model import LABELS


def stats_markdown(corpus: Corpus, top: int = 10, level: int = 2) -> str:
    """The statistics as markdown tables, each under a heading of ``level`` (3 inside a card's section).

    A mention without a record (a machine suggestion not yet reviewed, ``ref`` None) counts as a
    mention but not as a record; a line under the first table says how many there are.
    """
    h = "#" * level
    lines = ["| document | " + " | ".join(LABELS) + " | total | records |",
             "|---|" + "---:|" * (len(LABELS) + 2)]
    totals: Counter = Counter()
    all_refs: set = set()
    for d in corpus:
        c = Counter(e.label for e in d.entities)
        totals.update(c)
        refs = {e.ref for e in d.entities if e.ref is not None}
        all_refs |= refs
        lines.append(f"| {d.id} | " + " | ".join(str(c[l]) for l in LABELS) + f" | {sum(c.values())} | {len(refs)} |")
    lines.append("| **all** | " + " | ".join(str(totals[l]) for l in LABELS)
                 + f" | {sum(totals.values())} | {len(all_refs)} |")
    out = [f"{h} Mentions per label and document", "", *lines, ""]
    unlinked = sum(e.ref is None for d in corpus for e in d.entities)
    if unlinked:
        out += [f"{unlinked} of the mentions have no authority record yet (unreviewed machine suggestions).", ""]
    linked = [(d.id, e.ref) for d in corpus for e in d.entities if e.ref is not None]
    recs = Counter(ref for _, ref in linked)
    docs_per: dict[str, set] = {}
    for doc_id, ref in linked:
        docs_per.setdefault(ref, set()).add(doc_id)
    out += [f"{h} Distinct records per label", "", "| label | records used | records in authority |", "|---|---:|---:|"]
    for l in LABELS:
        used = {e.ref for d in corpus for e in d.entities if e.label == l and e.ref is not None}
        out.append(f"| {l} | {len(used)} | {len(corpus.authority.by_label(l))} |")
    ranked = sorted(recs.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = top_with_ties(ranked, top)
    out += ["", f"{h} Top {top} records", ""]
    if len(shown) > top:
        # cutting through a tie would pick among equals by id, which means nothing: list them all
        cut = shown[-1][1]
        out += [f"{len(shown)} records: the {sum(n == cut for _, n in shown)} with {cut} mentions are tied "
                "at the cut and all listed.", ""]
    out += ["| record | label | name | mentions | documents |", "|---|---|---|---:|---:|"]
    for ref, n in shown:
        r = corpus.authority.records.get(ref)
        out.append(f"| {ref} | {r.label if r else '?'} | {r.name if r else '?'} | {n} | {len(docs_per[ref])} |")
    return "\n".join(out) + "\n"


def top_with_ties(ranked: list[tuple[str, int]], top: int) -> list[tuple[str, int]]:
    """The first ``top`` of ``ranked`` (count descending), plus every later item tied with the last one."""
    if top <= 0 or len(ranked) <= top:
        return ranked[:max(top, 0)]
    cut = ranked[top - 1][1]
    return ranked[:top] + [kv for kv in ranked[top:] if kv[1] == cut]
