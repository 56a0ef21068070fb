"""Stage 2: Document <-> TEI P5.

The writer turns a cleaned and annotated :class:`~corpus_sz.model.Document`
into one TEI file; the reader turns the file back into the same Document.
Reading and writing a canonical file gives the same bytes (tested). Entity
mentions are inline: ``<placeName type="district|zone" ref="#id">`` and
``<name type="project|programme" ref="#id">``.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from lxml import etree

from .errors import E203, E207, E210, CorpusError
from .model import LABELS, Block, Div, Document, Entity, Piece
from .version import __release_date__, __version__, release_history
from .xmlutil import TEI_NS, XML_ID, XML_LANG, local, parse_xml, tei, to_bytes

ENTITY_ELEMENT = {"DISTRICT": ("placeName", "district"), "ZONE": ("placeName", "zone"),
                  "PROJECT": ("name", "project"), "PROGRAMME": ("name", "programme")}
ELEMENT_LABEL = {v: k for k, v in ENTITY_ELEMENT.items()}
LICENCE = "https://creativecommons.org/licenses/by/4.0/"
RESP = "#corpus_sz"

REASONS = {
    "boilerplate": "web page material that is not part of the report (site banners, navigation, "
                   "breadcrumbs, footers, contact and licence lines); kept verbatim in <gap><desc>",
    "page-metadata": "the web page's date and source line; its facts are in the header",
    "repost-headline": "the repost's own headline, which is not the report's title",
    "duplicate-byline": "a second copy of the byline at the end of the article",
    "duplicate-fragment": "a stray copy of the tail of another paragraph",
    "lost": "text lost before the seed was made (the source is truncated here)",
    "spam": "a spam string that a hijacked mirror put in place of a word; the word is restored "
            "from the fixed formula around it",
    "lost-character": "a character lost in a charset round trip",
    "stray-space": "a stray ASCII space inside Chinese text",
    "markdown": "a markdown bold marker (**)",
    "traditional-character": "a traditional character in simplified text",
    "broken-note-marker": "a footnote reference whose number was lost and replaced by '[', a line "
                          "break and ']'; replaced by a pointer to the note, numbered by order",
    "justification-spaces": "spaces used to justify a name in the byline",
    "damaged-note-label": "a note label whose number was lost ('[' U+FFFD ']')",
    "letter-spacing": "spaces between the letters of a spaced-out title",
}

LABEL_DESC = {
    "DISTRICT": "county-level administrative division (市辖区, 县, 县级市)",
    "ZONE": "named development or functional area that is not an administrative division",
    "PROJECT": "named, specific undertaking to build, renovate or invest",
    "PROGRAMME": "named government course of action: plan, strategy, policy package, campaign, "
                 "reform, pilot, initiative or titled policy document",
}

FRONT_TAGS = {"title": "titlePart", "byline": "byline", "dateline": "dateline", "p": "p"}


# -- writing ------------------------------------------------------------------
def document_to_tei(doc: Document, version: str = __version__) -> bytes:
    text_el = _text(doc)
    root = etree.Element(f"{{{TEI_NS}}}TEI", nsmap={None: TEI_NS})
    root.set(XML_ID, doc.id)
    root.set(XML_LANG, doc.metadata.get("language", "zh-Hans"))
    root.append(_header(doc, text_el, version))
    root.append(text_el)
    return to_bytes(root)


def _canonical_pieces(pieces: list[Piece]) -> list[Piece]:
    out: list[Piece] = []
    for p in pieces:
        if p.kind == "text" and not p.text:
            continue
        if p.kind == "text" and out and out[-1].kind == "text":
            out[-1] = Piece("text", out[-1].text + p.text, out[-1].orig + p.orig)
        else:
            out.append(p)
    return out


def _piece_el(p: Piece) -> etree._Element:
    if p.kind == "corr":
        ch = tei(None, "choice")
        tei(ch, "sic", text=p.orig)
        tei(ch, "corr", text=p.text or None, type=p.reason, resp=p.resp or RESP, cert=p.cert)
        return ch
    if p.kind == "reg":
        ch = tei(None, "choice")
        tei(ch, "orig", text=p.orig)
        tei(ch, "reg", text=p.text or None, type=p.reason, resp=p.resp or RESP)
        return ch
    if p.kind == "gap":
        g = tei(None, "gap", reason=p.reason, resp=p.resp or RESP)
        if p.orig:
            tei(g, "desc", text=p.orig)
        return g
    if p.kind == "anchor":
        return tei(None, "ptr", type="noteAnchor", target=p.target)
    raise ValueError(p.kind)


def _append_text(parent: etree._Element, s: str) -> None:
    if not s:
        return
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + s
    else:
        parent.text = (parent.text or "") + s


MEASURE_ATTRS = ("type", "subtype", "commodity", "unit", "quantity")


def _fill(el: etree._Element, block: Block, spans: list[tuple[int, int, object]]) -> None:
    """Write a block's pieces into ``el``, wrapping inline spans (block-local offsets).

    Spans are entities (:class:`Entity`) and indicator measures (attribute dicts); they nest
    properly (a measure may hold an entity; nothing overlaps partly). Zero-width pieces (note
    anchors) at a span boundary stay outside the span.
    """
    cuts = sorted({x for s, e, _ in spans for x in (s, e)})
    atoms: list[tuple[int, int, Piece]] = []
    pos = 0
    for p in _canonical_pieces(block.pieces):
        n = len(p.text)
        if p.kind == "text":
            bounds = [pos] + [c for c in cuts if pos < c < pos + n] + [pos + n]
            for a, b in zip(bounds, bounds[1:]):
                atoms.append((a, b, Piece("text", p.text[a - pos:b - pos], "")))
        else:
            for s, e, _ in spans:
                if s < pos + n and pos < e and not (s <= pos and pos + n <= e):
                    raise CorpusError(E207, f"span {s}-{e} cuts the edit {p.orig!r}")
            atoms.append((pos, pos + n, p))
        pos += n
    # outer spans first: earlier start, then longer, then measures before entities
    order = sorted(spans, key=lambda x: (x[0], -x[1], 0 if isinstance(x[2], dict) else 1))
    stack: list[tuple[int, etree._Element]] = []
    nxt = 0
    for a, b, piece in atoms:
        while stack and stack[-1][0] <= a and not (a == b and stack[-1][0] > a):
            stack.pop()
        if b > a:
            while nxt < len(order) and order[nxt][0] == a:
                s, e, obj = order[nxt]
                if stack and e > stack[-1][0]:
                    raise CorpusError(E207, f"span {s}-{e} overlaps another span partly")
                parent = stack[-1][1] if stack else el
                stack.append((e, _span_el(parent, obj)))
                nxt += 1
        _emit(stack[-1][1] if stack else el, piece)
    if nxt != len(order):
        raise CorpusError(E207, f"span {order[nxt][0]}-{order[nxt][1]} does not start at a piece boundary")


def _span_el(parent: etree._Element, obj) -> etree._Element:
    if isinstance(obj, dict):  # an indicator measure
        return tei(parent, "measure", **{k: obj[k] for k in MEASURE_ATTRS if k in obj})
    tag, typ = ENTITY_ELEMENT[obj.label]
    return tei(parent, tag, type=typ, ref=f"#{obj.ref}" if obj.ref else None, resp=obj.resp, cert=obj.cert)


def _emit(parent: etree._Element, p: Piece) -> None:
    if p.kind == "text":
        _append_text(parent, p.text)
    else:
        parent.append(_piece_el(p))


def indicator_spans(doc: Document) -> list[tuple[int, int, dict]]:
    """The headline indicators of a report as measure spans (derived from the text, never edited)."""
    from .indicators import extract, to_tei_measure

    return [(r.start, r.end, to_tei_measure(r)) for r in extract(doc)]


def _text(doc: Document) -> etree._Element:
    by_block: dict[int, list[tuple[int, int, Entity]]] = {}
    offsets = doc.block_offsets()
    starts = [s for _, s, _ in offsets]
    import bisect

    for start, end, obj in [(e.start, e.end, e) for e in doc.entities] + indicator_spans(doc):
        k = bisect.bisect_right(starts, start) - 1
        block, bs, be = offsets[k]
        if end > be:
            raise CorpusError(E207, f"span {start}-{end} crosses a paragraph boundary", path=doc.id)
        by_block.setdefault(id(block), []).append((start - bs, end - bs, obj))

    def block_el(parent, block: Block, where: str):
        ents = by_block.get(id(block), [])
        if block.kind == "gap":
            return parent.append(_piece_el(block.pieces[0]))
        if where == "front":
            if block.kind == "title":
                dt = tei(parent, "docTitle")
                el = tei(dt, "titlePart", type=block.type or "main")
            elif block.kind == "p":  # a lead paragraph: TEI's <p> has no @type
                el = tei(tei(parent, "argument"), "p")
            else:
                el = tei(parent, FRONT_TAGS[block.kind], type=block.type)
        elif block.kind == "salute":
            op = tei(parent, "opener")
            el = tei(op, "salute")
        elif block.kind == "note":
            el = tei(parent, "note", type=block.type, n=block.n, place="end", **{XML_ID: block.xml_id})
        else:
            el = tei(parent, block.kind, type=block.type, cert=block.cert)
        _fill(el, block, ents)

    def items(parent, xs, where):
        for x in xs:
            if isinstance(x, Div):
                d = tei(parent, "div", type=x.type, subtype=x.subtype, n=x.n, cert=x.cert)
                items(d, x.children, where)
            else:
                block_el(parent, x, where)

    text = tei(None, "text")
    for where in ("front", "body", "back"):
        xs = getattr(doc, where)
        if xs or where == "body":
            items(tei(text, where), xs, where)
    return text


def _header(doc: Document, text_el: etree._Element, version: str) -> etree._Element:
    md = doc.metadata
    h = tei(None, "teiHeader")
    fd = tei(h, "fileDesc")
    ts = tei(fd, "titleStmt")
    tei(ts, "title", text=md.get("title") or doc.id, type="main")
    tei(ts, "title", text=f"corpus_sz annotated edition, {doc.id}", type="sub")
    rs = tei(ts, "respStmt")
    tei(rs, "resp", text="cleaning, TEI encoding and entity annotation")
    tei(rs, "orgName", text="corpus_sz project")
    es = tei(fd, "editionStmt")
    tei(es, "edition", text=f"corpus_sz {version}", n=version)
    ext = tei(fd, "extent")
    tei(ext, "measure", text=f"{len(doc.text)} characters", unit="chars", quantity=len(doc.text))
    tei(ext, "measure", text=f"{len(doc.paragraphs)} paragraphs", unit="paragraphs", quantity=len(doc.paragraphs))
    counts = Counter(e.label for e in doc.entities)
    for label in LABELS:
        tei(ext, "measure", text=f"{counts[label]} {label}", unit="entities", type=label, quantity=counts[label])
    ps = tei(fd, "publicationStmt")
    tei(ps, "publisher", text="corpus_sz project")
    tei(ps, "idno", text=doc.id, type="corpus_sz")
    av = tei(ps, "availability", status="free")
    tei(av, "licence", text="Annotations and encoding: CC BY 4.0. Report text: an official government "
                            "work report, reproduced for research.", target=LICENCE)
    tei(ps, "date", text=__release_date__, when=__release_date__)
    sd = tei(fd, "sourceDesc")
    bibl = tei(sd, "bibl")
    tei(bibl, "title", text=md.get("title") or "", type="supplied" if md.get("title_supplied") else "main")
    tei(bibl, "author", text=md.get("issuer") or "")
    if md.get("source"):
        tei(bibl, "publisher", text=md["source"])
    if md.get("date"):
        tei(bibl, "date", text=md["date"], when=md["date"], type=md.get("date_type"))
    tei(bibl, "pubPlace", text=md.get("place") or "")
    tei(bibl, "idno", text=md.get("seed") or "", type="seed")
    tei(bibl, "note", text=f"kind: {md.get('kind')}", type="kind")

    enc = tei(h, "encodingDesc")
    pd = tei(enc, "projectDesc")
    tei(pd, "p", text="corpus_sz: Chinese local-government work reports (政府工作报告) with entity "
                      "annotations (DISTRICT, ZONE, PROJECT, PROGRAMME) linked to shared authority records.")
    ed = tei(enc, "editorialDecl")
    used = Counter(p.reason for p in doc.edits())
    corr = tei(ed, "correction", status="high", method="markup")
    tei(corr, "p", text="Errors of the web source are corrected in the text with "
                        "<choice><sic/><corr type cert/></choice>; normalisations with "
                        "<choice><orig/><reg type/></choice>; omitted material with <gap reason><desc/></gap>. "
                        "The text layer (corr, reg, everything outside sic, orig and gap) is what the "
                        "annotation offsets count.")
    for reason in sorted(used):
        tei(corr, "p", text=f"{reason} ({used[reason]}×): {REASONS.get(reason, reason)}", n=reason)
    norm = tei(ed, "normalization", method="markup")
    tei(norm, "p", text="Characters are kept as in the source: half-width and full-width punctuation "
                        "both occur and are not unified; no Unicode normalisation is applied.")
    seg = tei(ed, "segmentation")
    tei(seg, "p", text="One <p> or <head> per paragraph or heading of the source; line breaks inside a "
                       "paragraph caused by damage are removed, fused paragraphs are split at their "
                       "run-in headings; run-in headings are <head type=\"runin\">.")
    interp = tei(ed, "interpretation")
    tei(interp, "p", text="Entity mentions follow the corpus_sz annotation scheme, version 1.1 "
                          "(docs/guidelines.md).")
    td = tei(enc, "tagsDecl")
    ns = tei(td, "namespace", name=TEI_NS)
    gi_counts = Counter(local(e) for e in text_el.iter() if isinstance(e.tag, str))
    for gi in sorted(gi_counts):
        tei(ns, "tagUsage", gi=gi, occurs=gi_counts[gi])
    cd = tei(enc, "classDecl")
    tx = tei(cd, "taxonomy", **{XML_ID: f"{doc.id}-labels"})
    for label in LABELS:
        cat = tei(tx, "category", **{XML_ID: f"{doc.id}-{label}"})
        tei(cat, "catDesc", text=f"{label}: {LABEL_DESC[label]}")

    prof = tei(h, "profileDesc")
    lu = tei(prof, "langUsage")
    tei(lu, "language", text="Chinese (simplified script)", ident=md.get("language", "zh-Hans"))
    sdesc = tei(prof, "settingDesc")
    st = tei(sdesc, "setting")
    tei(st, "name", text=md.get("place") or "", type="place")
    if md.get("admin_code"):
        tei(st, "name", text=md["admin_code"], type="admin_code")
    tei(st, "name", text=md.get("level") or "", type="level")
    if md.get("session"):
        tei(st, "name", text=md["session"], type="session")
    if md.get("speaker"):
        tei(st, "persName", text=md["speaker"], role="speaker")
    if md.get("date"):
        tei(st, "date", text=md["date"], when=md["date"], type=md.get("date_type"))
    xd = tei(h, "xenoData")
    xd.text = json.dumps(md, ensure_ascii=False, sort_keys=True)
    revision_desc(h, version)
    return h


def revision_desc(header: etree._Element, version: str) -> etree._Element:
    """<revisionDesc>: one <change> per release up to ``version``, newest first."""
    rd = tei(header, "revisionDesc")
    for n, when, what in release_history(version):
        tei(rd, "change", text=f"corpus_sz {n}: {what}.", when=when, n=n)
    return rd


def write_document(doc: Document, path: Path, version: str = __version__) -> None:
    from .xmlutil import atomic_write

    atomic_write(path, document_to_tei(doc, version))


# -- reading ------------------------------------------------------------------
class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path
        self.blocks_text: list[str] = []
        self.entities: list[Entity] = []
        self.measures: list[tuple[int, int, dict]] = []
        self.pos = 0  # offset of the current block start in the doc text

    def fail(self, el, code, msg, hint=None):
        raise CorpusError(code, msg, path=self.path, line=getattr(el, "sourceline", None), hint=hint)

    def block(self, el, kind: str, **attrs) -> Block:
        pieces: list[Piece] = []
        local_ents: list[tuple[int, int, str, str | None, str | None, str | None]] = []
        self.measures_local: list[tuple[int, int, dict]] = []
        self._content(el, pieces, local_ents, inside=False)
        b = Block(kind, _canonical_pieces(pieces), **attrs)
        base = self.pos
        for s, e, label, ref, resp, cert in local_ents:
            self.entities.append(Entity(base + s, base + e, label, ref, "", resp, cert))
        for s, e, measure in self.measures_local:
            self.measures.append((base + s, base + e, measure))
        self.pos += len(b.text) + 1
        return b

    def _content(self, el, pieces, ents, inside: bool) -> None:
        def cur():
            return sum(len(p.text) for p in pieces)

        if el.text:
            pieces.append(Piece("text", el.text, el.text))
        for ch in el:
            if not isinstance(ch.tag, str):  # comments, processing instructions
                pass
            else:
                name = local(ch)
                if name in ("placeName", "name"):
                    key = (name, ch.get("type"))
                    if key not in ELEMENT_LABEL:
                        self.fail(ch, E210, f"unknown entity type <{name} type=\"{ch.get('type')}\">",
                                  hint="use placeName district|zone or name project|programme")
                    if inside:
                        self.fail(ch, E207, "an entity inside another entity",
                                  hint="annotate the longer name only (flat spans)")
                    start = cur()
                    self._content(ch, pieces, ents, inside=True)
                    ref = ch.get("ref")
                    ents.append((start, cur(), ELEMENT_LABEL[key], ref[1:] if ref and ref.startswith("#") else ref,
                                 ch.get("resp"), ch.get("cert")))
                elif name == "measure":
                    start = cur()
                    self._content(ch, pieces, ents, inside=inside)
                    self.measures_local.append((start, cur(), {k: ch.get(k) for k in MEASURE_ATTRS
                                                               if ch.get(k) is not None}))
                elif name == "choice":
                    parts = {local(c): c for c in ch if isinstance(c.tag, str)}
                    if "sic" in parts and "corr" in parts:
                        c = parts["corr"]
                        pieces.append(Piece("corr", c.text or "", parts["sic"].text or "", c.get("type"),
                                            c.get("cert"), c.get("resp")))
                    elif "orig" in parts and "reg" in parts:
                        r = parts["reg"]
                        pieces.append(Piece("reg", r.text or "", parts["orig"].text or "", r.get("type"),
                                            None, r.get("resp")))
                    else:
                        self.fail(ch, E203, "<choice> must hold sic+corr or orig+reg")
                elif name == "gap":
                    d = ch.find(f"{{{TEI_NS}}}desc")
                    pieces.append(Piece("gap", "", d.text or "" if d is not None else "", ch.get("reason"),
                                        None, ch.get("resp")))
                elif name == "ptr":
                    pieces.append(Piece("anchor", "", "", "broken-note-marker", None, None, ch.get("target")))
                else:
                    self.fail(ch, E203, f"unexpected element <{name}> in running text")
            if ch.tail:
                pieces.append(Piece("text", ch.tail, ch.tail))


def read_document(path: Path) -> Document:
    tree = parse_xml(path)
    return document_from_tree(tree, str(path))


def document_from_tree(tree, path: str) -> Document:
    root = tree.getroot()
    t = f"{{{TEI_NS}}}"
    if root.tag != f"{t}TEI":
        raise CorpusError(E203, f"root element is <{local(root)}>, expected <TEI>", path=path, line=root.sourceline)
    xd = root.find(f"{t}teiHeader/{t}xenoData")
    if xd is None or not (xd.text or "").strip():
        raise CorpusError(E203, "teiHeader has no <xenoData> metadata record", path=path, line=root.sourceline)
    try:
        md = json.loads(xd.text)
    except json.JSONDecodeError as e:
        raise CorpusError(E203, f"metadata record is not JSON: {e.msg}", path=path, line=xd.sourceline) from None
    r = _Reader(path)
    text = root.find(f"{t}text")
    if text is None:
        raise CorpusError(E203, "no <text> element", path=path, line=root.sourceline)
    doc = Document(root.get(XML_ID) or md.get("id"), md)

    def gap_block(el):
        d = el.find(f"{t}desc")
        return Block("gap", [Piece("gap", "", (d.text or "") if d is not None else "", el.get("reason"), None,
                                   el.get("resp"))])

    def front_items(el):
        out = []
        for ch in el:
            if not isinstance(ch.tag, str):
                continue
            name = local(ch)
            if name == "docTitle":
                for tp in ch:
                    if isinstance(tp.tag, str):
                        out.append(r.block(tp, "title", type=tp.get("type")))
            elif name == "gap":
                out.append(gap_block(ch))
            elif name == "argument":
                for p in ch:
                    if isinstance(p.tag, str):
                        out.append(r.block(p, "p", type="lead"))
            elif name in ("byline", "dateline"):
                out.append(r.block(ch, name, type=ch.get("type")))
            else:
                r.fail(ch, E203, f"unexpected <{name}> in <front>")
        return out

    def div_items(el):
        out = []
        for ch in el:
            if not isinstance(ch.tag, str):
                continue
            name = local(ch)
            if name == "div":
                out.append(Div(ch.get("type"), ch.get("n"), div_items(ch), cert=ch.get("cert"),
                               subtype=ch.get("subtype")))
            elif name == "gap":
                out.append(gap_block(ch))
            elif name == "opener":
                for s in ch:
                    if isinstance(s.tag, str):
                        out.append(r.block(s, "salute"))
            elif name == "note":
                out.append(r.block(ch, "note", type=ch.get("type"), n=ch.get("n"), xml_id=ch.get(XML_ID)))
            elif name in ("p", "head"):
                out.append(r.block(ch, name, type=ch.get("type"), cert=ch.get("cert")))
            else:
                r.fail(ch, E203, f"unexpected <{name}> in a division")
        return out

    for ch in text:
        if not isinstance(ch.tag, str):
            continue
        name = local(ch)
        if name == "front":
            doc.front = front_items(ch)
        elif name == "body":
            doc.body = div_items(ch)
        elif name == "back":
            doc.back = div_items(ch)
    full = doc.text
    doc.entities = [Entity(e.start, e.end, e.label, e.ref, full[e.start:e.end], e.resp, e.cert)
                    for e in r.entities]
    doc.measures = r.measures
    return doc.freeze()
