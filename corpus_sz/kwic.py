"""Concordance (key word in context) over the corpus, for strings and for authority records.

    >>> corpus.kwic("营商环境", window=10)                               # every occurrence of a string
    >>> corpus.kwic("programme-jing-shen-dui-kou-he-zuo", by="record")   # every mention of a record (by id)
    >>> corpus.kwic("京沈对口合作", by="record")                          # … or by its canonical name or an alias

Two modes, never guessed from the query:

- ``by="string"`` (the default): every occurrence of the string in the texts, annotated or not,
  overlapping occurrences included ('00' in '000' is two hits). Each hit names the mention it
  falls inside, if any (``label``, ``ref``, ``mention``).
- ``by="record"``: every annotated mention of one authority record, whatever its surface form.
  The query is a record id, a canonical name or an alias; a name that belongs to several records
  is an error listing their ids.

The DataFrame's ``attrs`` carry ``mode``, ``query``, ``ref`` (record mode) and ``summary``, the
line the CLI prints ("string '浑南区': 4 occurrences in 3 reports"). Contexts stop at paragraph
boundaries.
"""

from __future__ import annotations

import re

from .errors import E402, CorpusError
from .model import LABELS

COLUMNS = ["doc_id", "year", "start", "end", "left", "match", "right", "label", "ref", "mention", "paragraph"]
MODES = ("string", "record")


def records_named(corpus, query: str) -> list:
    """Every authority record the query names: the record with that id, else every record whose
    canonical name or one of whose aliases is the query (in authority order)."""
    auth = corpus.authority
    if query in auth:
        return [auth[query]]
    return [r for r in auth if r.name == query or query in r.aliases]


def _describe(record) -> str:
    return f"{record.id} ({record.label} {record.name})"


def resolve_record(corpus, query: str):
    """The one authority record a query names (id, canonical name or alias).

    An unknown name and an ambiguous name are both a CorpusError (E402). An ambiguous name is
    refused rather than answered with the mentions of all its records: the count a record search
    prints is cited as the mentions of *one* entity, and 中山路 the street-renewal project and
    中山路片区 the zone (or 三好街 the zone and the project) are different entities; summing them
    would repeat the silent conflation this mode exists to avoid. The error lists each record's
    id, label and canonical name, so the choice is one re-run away.
    """
    found = records_named(corpus, query)
    if not found:
        raise CorpusError(E402, f"no authority record {query!r}",
                          hint="give a record id (e.g. programme-…), a canonical name or an alias; "
                               "see corpus.authority")
    if len(found) > 1:
        listing = "; ".join(_describe(r) for r in found)
        raise CorpusError(E402, f"{query!r} names {len(found)} authority records: {listing}",
                          hint="give one of these record ids")
    return found[0]


def _paragraph_spans(doc):
    return [(p.start, p.end, p.index) for p in doc.paragraphs]


def _find_paragraph(spans, start):
    for s, e, i in spans:
        if s <= start <= e:
            return s, e, i
    return 0, 0, -1


def _finditer_overlapping(pattern, text):
    """(start, end) of the match beginning at each position where the pattern matches: every
    occurrence, overlapping ones included; empty matches are skipped."""
    pos, n = 0, len(text)
    while pos <= n:
        m = pattern.search(text, pos)
        if m is None:
            return
        if m.end() > m.start():
            yield m.start(), m.end()
        pos = m.start() + 1


def kwic(corpus, query: str, window: int = 20, by: str = "string", label: str | None = None,
         regex: bool = False, docs=None):
    """A DataFrame of matches: doc_id, year (planned), start, end, left, match, right, label, ref,
    mention, paragraph.

    ``by``: ``string`` (default; every occurrence, overlapping ones included, each with the mention
    it falls inside: ``label``, ``ref``, ``mention`` are empty when it falls inside none) or
    ``record`` (the mentions of the record whose id, canonical name or alias is the query; unknown
    or ambiguous → CorpusError). ``label`` keeps only matches of that entity label; ``regex`` reads
    a string query as a regular expression (a hit at each position where it matches); ``docs``
    restricts to some document ids. Offsets are code points of ``doc.text``. ``df.attrs["summary"]``
    states the mode, what was matched and the count.
    """
    import pandas as pd

    if not isinstance(query, str) or not query:
        raise CorpusError(E402, "empty query", hint="give a string, or a record id / name with by='record'")
    if window < 0:
        raise CorpusError(E402, f"negative window {window}", hint="the window is a number of characters, >= 0")
    if by not in MODES:
        hint = ("the automatic mode is gone: a query is a string unless by='record'" if by == "auto"
                else "string or record")
        raise CorpusError(E402, f"unknown search mode {by!r}", hint=hint)
    if label is not None and label not in LABELS:
        raise CorpusError(E402, f"unknown label {label!r}", hint=f"one of {', '.join(LABELS)}")
    if regex and by == "record":
        raise CorpusError(E402, "a regular expression cannot name a record", hint="drop regex, or use by='string'")
    record = resolve_record(corpus, query) if by == "record" else None
    pattern = None
    if record is None:
        try:
            pattern = re.compile(query if regex else re.escape(query))
        except re.error as e:
            raise CorpusError(E402, f"bad regular expression {query!r}: {e}") from None
    documents = [corpus[i] for i in docs] if docs else list(corpus)
    rows = []
    for d in documents:
        text = d.text
        spans = _paragraph_spans(d)
        year = d.metadata.get("year_planned")
        if record is not None:
            hits = [(e.start, e.end, e) for e in d.entities if e.ref == record.id]
        else:
            hits = []
            for s, t in _finditer_overlapping(pattern, text):
                inside = [e for e in d.entities if e.start <= s and t <= e.end]
                hits.append((s, t, inside[0] if inside else None))
        for s, t, ent in sorted(hits, key=lambda h: (h[0], h[1])):
            lab = ent.label if ent else None
            if label and lab != label:
                continue
            ps, pe, pi = _find_paragraph(spans, s)
            rows.append({"doc_id": d.id, "year": year, "start": s, "end": t,
                         "left": text[max(ps, s - window):s], "match": text[s:t],
                         "right": text[t:min(pe, t + window)], "label": lab, "ref": ent.ref if ent else None,
                         "mention": text[ent.start:ent.end] if ent else None, "paragraph": pi})
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["year"] = df["year"].astype("Int64")
    for col in ("start", "end", "paragraph"):
        df[col] = df[col].astype("int64")
    n, reports = len(df), df["doc_id"].nunique()
    where = f"in {reports} report{'' if reports == 1 else 's'}"
    only = f", {label} only" if label else ""
    if record is not None:
        summary = f"record {_describe(record)}{only}: {n} mention{'' if n == 1 else 's'} {where}"
    else:
        kind = "regex" if regex else "string"
        summary = f"{kind} {query!r}{only}: {n} occurrence{'' if n == 1 else 's'} {where}"
        named = [] if regex else records_named(corpus, query)
        if named:
            what = "is a record id" if query in corpus.authority else \
                f"also names record{'' if len(named) == 1 else 's'} {', '.join(r.id for r in named)}"
            summary += f", annotated or not ({query!r} {what}: --ref / by='record' for mentions)"
    df.attrs.update(mode="record" if record is not None else "string", query=query,
                    ref=record.id if record is not None else None, summary=summary)
    return df


def format_kwic(df, width: int | None = None) -> str:
    """Plain-text concordance lines: doc, year, offset, right-aligned left context, [match], right
    context, then the mention the match falls inside (label:ref, and its text if it is longer)."""
    if df.empty:
        return ""
    lw = max((len(x) for x in df["left"]), default=0) if width is None else width
    lines = []
    for r in df.itertuples(index=False):
        tag = ""
        if isinstance(r.ref, str):
            tag = f"  {r.label}:{r.ref}"
            if isinstance(r.mention, str) and r.mention != r.match:
                tag += f" 〈{r.mention}〉"
        lines.append(f"{r.doc_id:15} {r.year} {r.start:6}  {r.left:>{lw}}【{r.match}】{r.right}{tag}")
    return "\n".join(lines)
