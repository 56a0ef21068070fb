"""Concordance (key word in context) over the corpus, for strings and for authority records.

    >>> corpus.kwic("营商环境", window=10)                  # every occurrence of a string
    >>> corpus.kwic("programme-jing-shen-dui-kou-he-zuo")   # every mention of a record (by id)
    >>> corpus.kwic("京沈对口合作")                          # … or by its canonical name

A query that is a record id or a record's canonical name finds the record's annotated mentions
(whatever their surface form); any other query is searched as a string. ``by="string"`` or
``by="record"`` forces one reading. Contexts stop at paragraph boundaries.
"""

from __future__ import annotations

import re

from .errors import E402, CorpusError
from .model import LABELS

COLUMNS = ["doc_id", "year", "start", "end", "left", "match", "right", "label", "ref", "paragraph"]


def resolve_record(corpus, query: str, aliases: bool = True):
    """The authority record a query names (id, canonical name, or an unambiguous alias), or None."""
    auth = corpus.authority
    if query in auth:
        return auth[query]
    named = [r for r in auth if r.name == query]
    if len(named) == 1:
        return named[0]
    if aliases:
        aliased = [r for r in auth if query in r.aliases]
        if len(aliased) == 1:
            return aliased[0]
    return None


def _paragraph_spans(doc):
    return [(p.start, p.end, p.index) for p in doc.paragraphs]


def _find_paragraph(spans, start):
    for s, e, i in spans:
        if s <= start <= e:
            return s, e, i
    return 0, 0, -1


def kwic(corpus, query: str, window: int = 20, by: str = "auto", label: str | None = None,
         regex: bool = False, docs=None):
    """A DataFrame of matches: doc_id, year (planned), start, end, left, match, right, label, ref, paragraph.

    ``by``: ``auto`` (record if the query is a record id or canonical name, else string),
    ``string`` or ``record`` (id, canonical name or unambiguous alias; unknown → CorpusError).
    ``label`` keeps only matches of that entity label; ``regex`` reads a string query as a regular
    expression; ``docs`` restricts to some document ids. Offsets are code points of ``doc.text``.
    """
    import pandas as pd

    if not isinstance(query, str) or not query:
        raise CorpusError(E402, "empty query", hint="give a string, a record id or a canonical name")
    if window < 0:
        raise CorpusError(E402, f"negative window {window}", hint="the window is a number of characters, >= 0")
    if by not in ("auto", "string", "record"):
        raise CorpusError(E402, f"unknown search mode {by!r}", hint="auto, string or record")
    if label is not None and label not in LABELS:
        raise CorpusError(E402, f"unknown label {label!r}", hint=f"one of {', '.join(LABELS)}")
    record = None
    if by == "record":
        record = resolve_record(corpus, query)
        if record is None:
            raise CorpusError(E402, f"no authority record {query!r}",
                              hint="give a record id (e.g. programme-…) or a canonical name; see corpus.authority")
    elif by == "auto":
        record = resolve_record(corpus, query, aliases=False)
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
            hits = [(e.start, e.end, e.label, e.ref) for e in d.entities if e.ref == record.id]
        else:
            hits = []
            for m in pattern.finditer(text):
                if m.end() == m.start():
                    continue
                inside = [e for e in d.entities if e.start <= m.start() and m.end() <= e.end]
                e = inside[0] if inside else None
                hits.append((m.start(), m.end(), e.label if e else None, e.ref if e else None))
        for s, e, lab, ref in sorted(hits):
            if label and lab != label:
                continue
            ps, pe, pi = _find_paragraph(spans, s)
            rows.append({"doc_id": d.id, "year": year, "start": s, "end": e,
                         "left": text[max(ps, s - window):s], "match": text[s:e],
                         "right": text[e:min(pe, e + window)], "label": lab, "ref": ref, "paragraph": pi})
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["year"] = df["year"].astype("Int64")
    for col in ("start", "end", "paragraph"):
        df[col] = df[col].astype("int64")
    return df


def format_kwic(df, width: int | None = None) -> str:
    """Plain-text concordance lines: doc, year, offset, right-aligned left context, [match], right context."""
    if df.empty:
        return ""
    lw = max((len(x) for x in df["left"]), default=0) if width is None else width
    lines = []
    for r in df.itertuples(index=False):
        tag = f"  {r.label}:{r.ref}" if isinstance(r.ref, str) else ""
        lines.append(f"{r.doc_id:15} {r.year} {r.start:6}  {r.left:>{lw}}【{r.match}】{r.right}{tag}")
    return "\n".join(lines)
