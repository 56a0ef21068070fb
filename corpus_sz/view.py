"""An HTML reading view of one report: its structure, its entities, its records and indicators.

    corpus-sz view shenyang-2024 --out shenyang-2024.html

Headings keep their level (part → h2, section → h3, subsection → h4); every paragraph has an
anchor ``#p<index>`` (the paragraph index of the reading API). Every entity mention is a link
(``<a class="ent ent-programme" id="m<k>" href="#rec-<id>" title="PROGRAMME: name (id)">``) to its
authority record in the *Records* section at the bottom, which lists the records used, with their
aliases and links back to each mention. A table of the report's headline indicators follows. One
self-contained file: no scripts, no external resources; every string is escaped.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from string import Template

from .model import LABELS
from .xmlutil import atomic_write

COLOURS = {"DISTRICT": ("#dbe9f6", "#1f5f99"), "ZONE": ("#dcf2dc", "#1d7a1d"),
           "PROJECT": ("#fbe0dc", "#a33226"), "PROGRAMME": ("#ece3f6", "#5f3d8f")}
LABEL_ZH = {"DISTRICT": "行政区", "ZONE": "功能区", "PROJECT": "项目", "PROGRAMME": "政策与行动"}

PAGE = Template("""<!DOCTYPE html>
<html lang="zh-Hans">
<head>
<meta charset="utf-8">
<meta name="generator" content="corpus_sz $version">
<title>$title</title>
<style>
body { font-family: "Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", serif; max-width: 46em;
       margin: 2em auto; padding: 0 1em; line-height: 1.8; color: #222; background: #fff; }
h1 { font-size: 1.6em; line-height: 1.3; }
h2 { font-size: 1.3em; margin-top: 2em; border-bottom: 1px solid #ccc; }
h3 { font-size: 1.1em; margin-top: 1.5em; }
h4 { font-size: 1em; margin: 1em 0 0; }
table { border-collapse: collapse; font-size: 0.9em; }
td, th { border: 1px solid #ccc; padding: 0.15em 0.5em; text-align: left; vertical-align: top; }
.meta th { background: #f4f4f4; font-weight: normal; }
.pn { color: #999; font-size: 0.7em; text-decoration: none; margin-right: 0.4em; font-family: sans-serif; }
.front, .back { color: #444; }
.division { font-family: sans-serif; color: #888; font-size: 0.8em; text-transform: uppercase; margin-top: 2em; }
.ent { text-decoration: none; border-radius: 3px; padding: 0 1px; border-bottom: 2px solid; }
$label_css
.legend span { margin-right: 1em; }
dt { margin-top: 0.6em; }
dd { margin-left: 1.5em; font-size: 0.9em; }
code { font-size: 0.85em; color: #555; }
.indicators td:nth-child(n+3) { white-space: nowrap; }
.indicators td:last-child { white-space: normal; }
.back-links a { margin-right: 0.3em; text-decoration: none; }
.cert { font-family: sans-serif; font-size: 0.8em; color: #a33226; margin: 1em 0 0; }
[data-cert] { border-left: 3px dotted #a33226; padding-left: 0.5em; }
</style>
</head>
<body>
<header>
<h1>$title</h1>
<table class="meta">
$meta_rows
</table>
<p class="legend">$legend</p>
</header>
<main>
$body
</main>
<section id="indicators">
<h2>主要指标 Headline indicators</h2>
$indicators
</section>
<section id="authority">
<h2>规范记录 Records</h2>
$records
</section>
<footer><p><small>corpus_sz $version · $doc_id · CC BY 4.0 (annotations)</small></p></footer>
</body>
</html>
""")


def _heading_level(p) -> int:
    if p.section is None:
        return 2
    if p.subsection is None:
        return 3
    return 4


def _cert_title(cert: str) -> str:
    return (f"TEI cert={cert}: the heading or section this text is filed under is uncertain; "
            "the TEI records no reason; see the project's docs/tei-encoding.md, Divisions")


def _cert_note(p) -> str:
    if p.kind == "head":
        return f"The heading below is uncertain (TEI cert={p.cert}): the text under it may not belong to it."
    return f"The place of the text below in the structure is uncertain (TEI cert={p.cert})."


def _render_paragraph(doc, p, ents, authority, counter) -> str:
    t = doc.text
    pos = p.start
    out = []
    for e in ents:
        out.append(escape(t[pos:e.start]))
        rec = authority.records.get(e.ref) if e.ref else None
        name = rec.name if rec else ""
        title = f"{e.label}: {name} ({e.ref})" if rec else f"{e.label}: {e.ref or 'no record'}"
        counter[0] += 1
        mid = f"m{counter[0]}"
        cls = f"ent ent-{e.label.lower()}"
        if rec:
            out.append(f'<a class="{cls}" id="{mid}" href="#rec-{escape(e.ref)}" data-label="{e.label}" '
                       f'data-ref="{escape(e.ref)}" title="{escape(title)}">{escape(t[e.start:e.end])}</a>')
        else:
            out.append(f'<span class="{cls}" id="{mid}" data-label="{e.label}" title="{escape(title)}">'
                       f'{escape(t[e.start:e.end])}</span>')
        pos = e.end
    out.append(escape(t[pos:p.end]))
    return "".join(out)


def render_html(doc, authority, indicators: bool = True) -> str:
    """The HTML page of ``doc`` (a :class:`~corpus_sz.model.Document`) as a string."""
    from .version import __version__

    md = doc.metadata
    ents = sorted(doc.entities, key=lambda e: (e.start, e.end))
    body: list[str] = []
    counter = [0]
    mentions: dict[str, list[str]] = {}
    division = None
    cert = None
    ei = 0
    for p in doc.paragraphs:
        if p.division != division:
            division = p.division
            body.append(f'<p class="division">{escape(division)}</p>')
        inside = []
        while ei < len(ents) and ents[ei].start < p.end + 1:
            if ents[ei].start >= p.start and ents[ei].end <= p.end:
                inside.append(ents[ei])
            ei += 1
        first = counter[0]
        html = _render_paragraph(doc, p, inside, authority, counter)
        for k, e in enumerate(inside, start=first + 1):
            if e.ref:
                mentions.setdefault(e.ref, []).append(f"m{k}")
        anchor = f'<a class="pn" href="#p{p.index}">¶{p.index}</a>'
        cls = f' class="{escape(p.division)}"' if p.division != "body" else ""
        # A doubtful place in the structure (TEI @cert) is marked on every paragraph it covers, and
        # said in words where the doubtful run starts, so a reader does not take the heading on trust.
        marks = ""
        if p.cert:
            marks = f' data-cert="{escape(p.cert)}" title="{escape(_cert_title(p.cert))}"'
            if p.cert != cert:  # a note of its own, so that the paragraph's text stays the TEI's
                body.append(f'<p class="cert">{escape(_cert_note(p))}</p>')
        cert = p.cert
        if p.kind == "head":
            lv = _heading_level(p)
            body.append(f'<h{lv} id="p{p.index}"{cls}{marks}>{anchor}{html}</h{lv}>')
        else:
            kind = "" if p.kind == "p" else f' data-kind="{escape(p.kind)}"'
            body.append(f'<p id="p{p.index}"{cls}{kind}{marks}>{anchor}{html}</p>')

    meta_rows = []
    for key in ("title", "issuer", "level", "place", "date", "speaker", "session", "year_reviewed", "year_planned",
                "kind", "source"):
        v = md.get(key)
        if v not in (None, ""):
            meta_rows.append(f"<tr><th>{escape(key)}</th><td>{escape(str(v))}</td></tr>")
    meta_rows.append(f"<tr><th>id</th><td><code>{escape(doc.id)}</code></td></tr>")

    legend = " ".join(f'<span><span class="ent ent-{l.lower()}">{l}</span> {LABEL_ZH[l]}</span>' for l in LABELS)
    label_css = "\n".join(f".ent-{l.lower()} {{ background: {bg}; border-color: {fg}; color: #111; }}"
                          for l, (bg, fg) in COLOURS.items())

    # records used, by label, in order of first mention
    used: list[str] = []
    for e in ents:
        if e.ref and e.ref not in used:
            used.append(e.ref)
    rec_parts = []
    for l in LABELS:
        refs = [r for r in used if r in authority and authority[r].label == l]
        if not refs:
            continue
        rec_parts.append(f'<h3>{l} {LABEL_ZH[l]} ({len(refs)})</h3>\n<dl>')
        for ref in refs:
            r = authority[ref]
            extra = []
            if r.aliases:
                extra.append("aliases: " + "、".join(escape(a) for a in r.aliases))
            if r.code:
                extra.append(f"GB/T 2260: {escape(r.code)}")
            if r.level:
                extra.append(f"level: {escape(r.level)}")
            if r.note:
                extra.append(escape(r.note))
            links = " ".join(f'<a href="#{m}">↩{i}</a>' for i, m in enumerate(mentions.get(ref, []), 1))
            rec_parts.append(
                f'<dt id="rec-{escape(ref)}"><span class="ent ent-{l.lower()}">{escape(r.name)}</span> '
                f'<code>{escape(ref)}</code></dt>\n<dd>{"; ".join(extra) + "<br>" if extra else ""}'
                f'{len(mentions.get(ref, []))} mention(s): <span class="back-links">{links}</span></dd>')
        rec_parts.append("</dl>")
    unknown = [r for r in used if r not in authority]
    if unknown:
        rec_parts.append("<p>Not in the authority file: " + ", ".join(f"<code>{escape(r)}</code>" for r in unknown)
                         + "</p>")
    records = "\n".join(rec_parts) if rec_parts else "<p>No entity annotations in this report yet.</p>"

    ind_html = "<p>(not shown)</p>"
    if indicators:
        from .indicators import extract

        recs = extract(doc)
        if recs:
            rows = ["<table class=\"indicators\"><tr><th>¶</th><th>indicator</th><th>value</th><th>qualifier</th>"
                    "<th>direction</th><th>year</th><th>status</th><th>text</th></tr>"]
            for r in recs:
                val = "" if r.value is None else f"{r.value:g}{r.unit}"
                qual = " ".join(x for x in (r.hedge, r.qualifier, r.benchmark) if x)
                yr = f"{r.year}" + (f" ({r.period}, {r.basis})" if r.period else "")
                rows.append(f'<tr><td><a href="#p{r.paragraph}">{r.paragraph}</a></td><td>{escape(r.indicator)}</td>'
                            f"<td>{escape(val)}</td><td>{escape(qual)}</td><td>{escape(r.direction)}</td>"
                            f"<td>{escape(yr)}</td><td>{escape(r.status)}</td><td>{escape(r.surface)}</td></tr>")
            rows.append("</table>")
            ind_html = "\n".join(rows)
        else:
            ind_html = "<p>No headline indicators found.</p>"

    return PAGE.substitute(
        version=escape(__version__), title=escape(md.get("title") or doc.id), doc_id=escape(doc.id),
        meta_rows="\n".join(meta_rows), legend=legend, label_css=label_css, body="\n".join(body),
        indicators=ind_html, records=records)


def write_html(corpus, doc_id: str, out) -> Path:
    """Render ``corpus[doc_id]`` to ``out`` (written atomically)."""
    doc = corpus[doc_id]
    out = Path(out)
    try:
        atomic_write(out, render_html(doc, corpus.authority))
    except OSError as e:
        from .errors import CorpusError

        raise CorpusError("E404", f"cannot write {out}: {e.strerror}", path=str(out)) from None
    return out
