"""Timelines: which records each report mentions, by document and planned year.

    >>> from corpus_sz.timeline import mentions_by_year, persistent, plot_timeline
    >>> df = mentions_by_year(corpus, label="PROGRAMME")   # rows: records; columns: (year, doc_id)
    >>> persistent(df)                                        # the records of 2+ documents
    >>> plot_timeline(corpus, "timeline.svg", label="PROGRAMME", top=30)

The plot is deterministic (Agg backend, bundled DejaVu Sans, no dates or random ids in the SVG, no
software stamp in the PNG): the same corpus gives the same bytes. Records are labelled by id
(ASCII), because the bundled font has no Chinese glyphs; pass ``font=`` a CJK font file to show
canonical names instead.
"""

from __future__ import annotations

from pathlib import Path

from .errors import E403, CorpusError
from .model import LABELS
from .xmlutil import atomic_write

COLOURS = {"DISTRICT": "#1f77b4", "ZONE": "#2ca02c", "PROJECT": "#d62728", "PROGRAMME": "#9467bd"}


def _check_label(label):
    if label is not None and label not in LABELS:
        raise CorpusError(E403, f"unknown label {label!r}", hint=f"one of {', '.join(LABELS)}")


def document_order(corpus) -> list[tuple[int | None, str]]:
    """(year_planned, doc_id) of every document, by year then id."""
    return sorted(((d.metadata.get("year_planned"), d.id) for d in corpus),
                  key=lambda t: (t[0] is None, t[0] or 0, t[1]))


def mentions_by_year(corpus, label: str | None = None):
    """Mention counts: one row per record, one column per document.

    Index: (label, ref, name); columns: a MultiIndex (year, doc_id) ordered by planned year, then
    document id; values: number of mentions (0 when absent). Rows are ordered by label, then by the
    number of documents that mention the record, then by total mentions (both descending), then id.
    """
    import pandas as pd

    _check_label(label)
    cols = document_order(corpus)
    counts: dict[str, dict[str, int]] = {}
    labels: dict[str, str] = {}
    for d in corpus:
        for e in d.entities:
            if label and e.label != label:
                continue
            ref = e.ref or f"(no ref: {e.text})"
            counts.setdefault(ref, {}).setdefault(d.id, 0)
            counts[ref][d.id] += 1
            labels[ref] = e.label

    def sort_key(ref):
        c = counts[ref]
        return (LABELS.index(labels[ref]), -len(c), -sum(c.values()), ref)

    refs = sorted(counts, key=sort_key)
    auth = corpus.authority
    index = pd.MultiIndex.from_tuples(
        [(labels[r], r, auth[r].name if r in auth else "") for r in refs], names=["label", "ref", "name"])
    columns = pd.MultiIndex.from_tuples(cols, names=["year", "doc_id"])
    data = [[counts[r].get(doc_id, 0) for _, doc_id in cols] for r in refs]
    return pd.DataFrame(data, index=index, columns=columns, dtype="int64")


def persistent(df, min_docs: int = 2):
    """The rows of :func:`mentions_by_year` mentioned in at least ``min_docs`` documents."""
    return df[(df > 0).sum(axis=1) >= min_docs]


def spans(df):
    """Per record: first and last planned year, number of documents and of years, total mentions."""
    import pandas as pd

    years = df.columns.get_level_values("year")
    rows = []
    for idx, row in df.iterrows():
        present = [y for y, v in zip(years, row.values) if v > 0]
        rows.append({"label": idx[0], "ref": idx[1], "name": idx[2], "first": min(present), "last": max(present),
                     "documents": len(present), "years": len(set(present)), "mentions": int(row.sum())})
    return pd.DataFrame(rows, columns=["label", "ref", "name", "first", "last", "documents", "years", "mentions"])


def image_format(out: str | Path) -> str:
    """``png`` or ``svg``, from the output file's name."""
    out = Path(out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise CorpusError(E403, f"cannot write {out.name}: unknown image format", path=str(out),
                          hint="the output file must end in .png or .svg")
    return fmt


def timeline_image(corpus, fmt: str, label: str | None = None, top: int = 40, min_docs: int = 2,
                   font: str | Path | None = None) -> bytes:
    """The timeline drawing as PNG or SVG bytes (see :func:`plot_timeline`)."""
    return _render(timeline_rows(corpus, label, top, min_docs), fmt, label, font, min_docs)


def timeline_rows(corpus, label: str | None = None, top: int = 40, min_docs: int = 2):
    """The rows the timeline plots: :func:`mentions_by_year` of the records in ``min_docs``+ documents,
    the first ``top`` of them in its order. ``corpus-sz timeline --table`` writes exactly these rows,
    because the table is the data behind the plot.
    """
    _check_label(label)
    if top < 1:
        raise CorpusError(E403, f"--top must be at least 1, not {top}")
    df = persistent(mentions_by_year(corpus, label), min_docs)
    if df.empty:
        raise CorpusError(E403, f"no record is mentioned in {min_docs} or more documents"
                          + (f" with label {label}" if label else ""))
    return df.iloc[:top]


def plot_timeline(corpus, out, label: str | None = None, top: int = 40, min_docs: int = 2,
                  font: str | Path | None = None) -> Path:
    """Draw the records mentioned in ``min_docs``+ documents (at most ``top``) to a PNG or SVG file."""
    _check_label(label)
    out = Path(out)
    data = timeline_image(corpus, image_format(out), label, top, min_docs, font)
    try:
        atomic_write(out, data)
    except OSError as e:
        raise CorpusError(E403, f"cannot write {out}: {e.strerror}", path=str(out)) from None
    return out


def _render(df, fmt: str, label: str | None, font, min_docs: int = 2) -> bytes:
    import io

    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    rc = {"svg.hashsalt": "corpus_sz", "svg.fonttype": "path", "font.family": "DejaVu Sans",
          "path.simplify": True, "figure.dpi": 100, "savefig.dpi": 100}
    names = False
    if font:
        fp = Path(font)
        if not fp.is_file():
            raise CorpusError(E403, f"font file not found: {fp}", hint="give the path of a .ttf/.otf/.ttc file")
        try:
            font_manager.fontManager.addfont(str(fp))
            rc["font.family"] = font_manager.FontProperties(fname=str(fp)).get_name()
        except (RuntimeError, OSError, ValueError) as e:
            # FreeType refuses a file that is not a font (RuntimeError from FT2Font): say which file
            reason = " ".join(str(e).split())[:160]
            raise CorpusError(E403, f"not a usable font file: {fp} ({reason})", path=str(fp),
                              hint="give the path of a .ttf/.otf/.ttc font file with CJK glyphs") from None
        names = True
    cols = list(df.columns)
    n_rows, n_cols = df.shape
    with matplotlib.rc_context(rc):
        fig, ax = plt.subplots(figsize=(2.2 + 1.3 * n_cols + (3.0 if names else 4.2), 1.2 + 0.32 * n_rows))
        try:
            for y, (idx, row) in enumerate(df.iterrows()):
                lab = idx[0]
                xs = [x for x, v in enumerate(row.values) if v > 0]
                ax.plot([min(xs), max(xs)], [y, y], color=COLOURS[lab], alpha=0.35, lw=2, zorder=1)
                ax.scatter(xs, [y] * len(xs), s=[30 + 25 * row.values[x] for x in xs], color=COLOURS[lab],
                           zorder=2, edgecolors="white", linewidths=0.5)
                for x in xs:
                    if row.values[x] > 1:
                        ax.annotate(str(row.values[x]), (x, y), xytext=(7, 3), textcoords="offset points",
                                    fontsize=7, color="#333333")
            ax.set_yticks(range(n_rows))
            ax.set_yticklabels([(idx[2] or idx[1]) if names else idx[1] for idx in df.index], fontsize=8)
            ax.invert_yaxis()
            ax.set_xticks(range(n_cols))
            ax.set_xticklabels([f"{y}\n{doc}" for y, doc in cols], fontsize=8)
            ax.set_xlim(-0.5, n_cols - 0.5)
            ax.grid(axis="x", color="#dddddd", lw=0.8)
            ax.set_axisbelow(True)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            present = [l for l in LABELS if l in set(df.index.get_level_values("label"))]
            handles = [plt.Line2D([], [], marker="o", ls="", color=COLOURS[l], label=l) for l in present]
            ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
            ax.set_title(f"Records mentioned in {min_docs}+ reports{' (' + label + ')' if label else ''}: "
                         "mentions by report (planned year)", fontsize=10)
            fig.tight_layout()
            buf = io.BytesIO()
            meta = {"Date": None, "Creator": None} if fmt == "svg" else {"Software": None}
            fig.savefig(buf, format=fmt, metadata=meta)
        finally:
            plt.close(fig)
    return buf.getvalue()
