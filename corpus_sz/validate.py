"""The validator contributors run before a pull request (``corpus-sz validate``).

Two layers: the project's RELAX NG schemas (``schemas/``), then semantic
checks that a schema cannot make: the text layer equals the cleaned seed,
every ``ref`` resolves to a record of the matching label, ids are unique
across the corpus, no entity is nested, the edition equals the package
version, the header metadata equals the registry, and no unreviewed machine
annotation is left in a gold file. Every problem is reported as
``FILE:LINE:COL: [CODE] message (hint: …)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lxml import etree

from .errors import (E203, E204, E205, E206, E207, E208, E210, E211, E212, E213, E215, CorpusError)
from .paths import schemas_dir
from .version import __version__
from .xmlutil import TEI_NS, XML_ID, local, parse_xml

MACHINE_RESP = "#corpus_sz_tagger"
# elements of <text> that hold one block of the text layer each (see docs/tei-encoding.md)
BLOCK_TAGS = ("titlePart", "p", "byline", "dateline", "salute", "head", "note")
ENTITY_TAGS = {f"{{{TEI_NS}}}placeName", f"{{{TEI_NS}}}name"}


@dataclass
class Report:
    errors: list[CorpusError] = field(default_factory=list)
    files: int = 0

    def add(self, err: CorpusError) -> None:
        self.errors.append(err)

    @property
    def ok(self) -> bool:
        return not self.errors


@lru_cache(maxsize=None)
def _schema(name: str) -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(schemas_dir() / f"{name}.rng")))


def _kind(root: etree._Element) -> str:
    if local(root) == "teiCorpus":
        return "corpus"
    if root.get(XML_ID) == "authority":
        return "authority"
    return "component"


def _schema_errors(path: Path, tree, kind: str, report: Report, skip_lines: set[int] = frozenset()) -> bool:
    rng = _schema(kind)
    if rng.validate(tree):
        return True
    seen = set()
    for e in rng.error_log:
        key = (e.line, e.message)
        if key in seen:
            continue
        seen.add(key)
        if e.line in skip_lines and "failed to validate attributes" in e.message:
            continue  # already reported as E210, with the allowed types
        report.add(CorpusError(E203, f"schema ({kind}.rng): {e.message}", path=str(path), line=e.line,
                               col=max(e.column, 1) if e.column else 1,
                               hint=_order_hint(tree, kind, e) or _attribute_hint(e.message) or
                               "see docs/tei-encoding.md for the allowed elements and values"))
    return False


@lru_cache(maxsize=None)
def _sequences(kind: str) -> dict[str, tuple[str, ...]]:
    """Elements whose content the schema fixes as a plain sequence of required children (the header).

    RELAX NG says only "Did not expect element extent there"; with the sequence the message can
    name the element that is missing or out of place. Names defined twice differently are left out.
    """
    rng = "{http://relaxng.org/ns/structure/1.0}"
    out: dict[str, tuple[str, ...] | None] = {}
    for name in (kind, "common"):
        for el in etree.parse(str(schemas_dir() / f"{name}.rng")).iter(f"{rng}element"):
            kids = [c for c in el if isinstance(c.tag, str) and c.tag != f"{rng}attribute"]
            if len(kids) > 1 and all(c.tag == f"{rng}element" and c.get("name") for c in kids):
                seq = tuple(c.get("name").split(":")[-1] for c in kids)
                key = el.get("name", "")
                out[key] = seq if out.get(key, seq) == seq else None
    return {k: v for k, v in out.items() if v}


def _attribute_hint(message: str) -> str | None:
    """What a mention's attributes must be, for RELAX NG's bare "failed to validate attributes"."""
    if not re.match(r"Element (name|placeName) failed to validate attributes", message):
        return None
    return ('a mention has type and ref="#<type>-…" (an authority record id), with resp and cert only on an '
            "unreviewed machine annotation; check for a missing or misspelled ref (see docs/tei-encoding.md)")


def _order_hint(tree, kind: str, err) -> str | None:
    m = re.match(r"Did not expect element (\S+) there", err.message)
    if not m:
        return None
    for el in tree.getroot().iter(f"{{{TEI_NS}}}{m.group(1)}"):
        if el.sourceline != err.line or el.getparent() is None:
            continue
        parent = el.getparent()
        seq = _sequences(kind).get(local(parent))
        if not seq:
            return None
        have = [local(c) for c in parent if isinstance(c.tag, str)]
        i = next((i for i, (a, b) in enumerate(zip(have, seq)) if a != b), min(len(have), len(seq)))
        want = f"<{seq[i]}> is missing or out of place here; " if i < len(seq) else ""
        return (f"{want}<{local(parent)}> holds " + ", ".join(f"<{c}>" for c in seq) +
                " in this order (see docs/tei-encoding.md)")
    return None


def _files(paths: list[Path], report: Report) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(p.glob("*.xml"))
            if not found:  # "ok: 0 files valid" would pass a CI job that checked nothing
                report.add(CorpusError(E215, "no XML files in this folder", path=str(p),
                                       hint="pass the annotations/ folder or the TEI files to check"))
            out.extend(found)
        elif not p.exists():
            report.add(CorpusError(E215, "no such file or folder", path=str(p),
                                   hint="run from the repository root (the default is ./annotations) "
                                        "or pass the TEI files or folders to check"))
        else:
            out.append(p)
    return out


def validate_paths(paths: list[Path] | None = None, *, check_seeds: bool = True) -> Report:
    from .authority import authority_from_tei
    from .clean import clean_seed
    from .seeds import manifest
    from .tei import document_from_tree

    report = Report()
    paths = paths or [Path("annotations")]
    files = _files([Path(p) for p in paths], report)
    parsed: dict[Path, etree._ElementTree] = {}
    for f in files:
        report.files += 1
        try:
            parsed[f] = parse_xml(f)
        except CorpusError as e:
            report.add(e)

    # the authority file: from the given files, or next to them
    authority = None
    auth_files = [f for f, t in parsed.items() if _kind(t.getroot()) == "authority"]
    candidates = auth_files or [f.parent / "authority.xml" for f in parsed if (f.parent / "authority.xml").exists()]
    for a in candidates[:1]:
        try:
            tree = parsed.get(a) or parse_xml(a)
            authority = authority_from_tei(tree.getroot())
        except CorpusError as e:
            report.add(e)

    ids: dict[str, tuple[Path, int]] = {}
    records = {m.id: m for m in manifest()} if check_seeds else {}
    for f, tree in parsed.items():
        root = tree.getroot()
        kind = _kind(root)
        typed = _unknown_types(f, root, report) if kind == "component" else set()
        schema_ok = _schema_errors(f, tree, kind, report, skip_lines=typed)
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            xid = el.get(XML_ID)
            if xid is None:
                continue
            if xid in ids and ids[xid] != (f, el.sourceline):
                first = ids[xid]
                report.add(CorpusError(E206, f"duplicate xml:id {xid!r} (first at {first[0]}:{first[1]})",
                                       path=str(f), line=el.sourceline, col=1,
                                       hint="every xml:id must be unique across the corpus"))
            else:
                ids[xid] = (f, el.sourceline)
        edition = root.find(f"{{{TEI_NS}}}teiHeader/{{{TEI_NS}}}fileDesc/{{{TEI_NS}}}editionStmt/{{{TEI_NS}}}edition")
        if edition is not None and edition.get("n") != __version__:
            report.add(CorpusError(E208, f"edition {edition.get('n')!r} differs from the package version {__version__}",
                                   path=str(f), line=edition.sourceline, col=1,
                                   hint="run `corpus-sz encode` to regenerate headers"))
        if kind != "component":
            continue
        _check_entities(f, root, authority, report)
        if not schema_ok:
            continue
        try:
            doc = document_from_tree(tree, str(f))
        except CorpusError as e:
            report.add(e)
            continue
        rec = records.get(doc.id)
        if check_seeds and rec is None:
            report.add(CorpusError(E204, f"no seed is registered for document {doc.id!r}", path=str(f),
                                   line=root.sourceline, col=1,
                                   hint="add the seed with `corpus-sz new-report`"))
        elif check_seeds:
            try:
                clean = clean_seed(rec)
            except CorpusError as e:
                report.add(e)
                continue
            _compare_text(f, tree, doc, clean, report)
            if doc.text == clean.text:
                from .tei import indicator_spans

                if sorted(doc.measures, key=_mkey) != sorted(indicator_spans(doc), key=_mkey):
                    report.add(CorpusError(E213, "indicator <measure> elements differ from those derived from the text",
                                           path=str(f), line=root.sourceline, col=1,
                                           hint="measures are generated: run `corpus-sz encode`; do not edit them"))
            if doc.metadata != clean.metadata:
                keys = sorted(k for k in set(doc.metadata) | set(clean.metadata)
                              if doc.metadata.get(k) != clean.metadata.get(k))
                xd = root.find(f"{{{TEI_NS}}}teiHeader/{{{TEI_NS}}}xenoData")
                report.add(CorpusError(E212, f"header metadata differs from seeds/metadata/{doc.id}.json in {keys}",
                                       path=str(f), line=xd.sourceline if xd is not None else None, col=1,
                                       hint="edit the metadata record, then run `corpus-sz encode`"))
    return report


def _mkey(m):
    return (m[0], m[1], sorted(m[2].items()))


def _check_entities(path: Path, root, authority, report: Report) -> None:
    from .tei import ELEMENT_LABEL, ENTITY_ELEMENT

    for el in root.iter(*ENTITY_TAGS):
        parent = el.getparent()
        while parent is not None:
            if parent.tag in ENTITY_TAGS:
                report.add(CorpusError(E207, "an entity inside another entity", path=str(path),
                                       line=el.sourceline, col=1, hint="annotate the longer name only (flat spans)"))
                break
            parent = parent.getparent()
        key = (local(el), el.get("type"))
        label = ELEMENT_LABEL.get(key)
        if label is None:
            continue  # _unknown_types reports it (E210)
        ref = (el.get("ref") or "").lstrip("#")
        surface = "".join(el.itertext())
        machine = el.get("resp") == MACHINE_RESP
        if machine and not ref:
            # the tagger found no record: the schema allows it only here, so the reviewer must link it
            report.add(CorpusError(E211, f"unreviewed machine annotation {surface!r} has no authority record",
                                   path=str(path), line=el.sourceline, col=1,
                                   hint=f'link it: add ref="#{ENTITY_ELEMENT[label][1]}-…" naming a record of '
                                        "annotations/authority.xml (add a new record if none fits), then remove "
                                        "resp and cert (or delete the element)"))
            continue
        if machine:
            report.add(CorpusError(E211, f"unreviewed machine annotation {surface!r}",
                                   path=str(path), line=el.sourceline, col=1,
                                   hint="review it, then remove resp and cert (or delete the element)"))
        if not ref:
            report.add(CorpusError(E205, f"mention {surface!r} has no ref: every reviewed mention links to an "
                                         "authority record", path=str(path), line=el.sourceline, col=1,
                                   hint=f'add ref="#{ENTITY_ELEMENT[label][1]}-…" naming a record of '
                                        "annotations/authority.xml (add a new record if none fits)"))
            continue
        if authority is None:
            continue
        if ref not in authority:
            report.add(CorpusError(E205, f"ref #{ref} does not resolve to an authority record", path=str(path),
                                   line=el.sourceline, col=1,
                                   hint="add the record to annotations/authority.xml or fix the id"))
        elif authority[ref].label != label:
            rec = authority[ref].label
            tag, typ = ENTITY_ELEMENT[rec]
            report.add(CorpusError(E205, f"ref #{ref} is a {rec} record but the mention is {label}",
                                   path=str(path), line=el.sourceline, col=1,
                                   hint=f'if the mention is a {rec}, mark it <{tag} type="{typ}">; otherwise '
                                        f"point ref at a {label} record of annotations/authority.xml"))


def _unknown_types(path: Path, root, report: Report) -> set[int]:
    """Report entity elements of the text with a type outside the four labels (E210); their lines."""
    from .tei import ENTITY_ELEMENT, ELEMENT_LABEL

    text = root.find(f"{{{TEI_NS}}}text")
    lines: set[int] = set()
    if text is None:
        return lines
    allowed = "; ".join(f'<{t} type="{v}"> for {label}' for label, (t, v) in ENTITY_ELEMENT.items())
    for el in text.iter(*ENTITY_TAGS):
        if (local(el), el.get("type")) not in ELEMENT_LABEL:
            report.add(CorpusError(E210, f"unknown entity type <{local(el)} type=\"{el.get('type')}\">",
                                   path=str(path), line=el.sourceline, col=1, hint=f"use {allowed}"))
            lines.add(el.sourceline)
    return lines


def _compare_text(path: Path, tree, doc, clean, report: Report) -> None:
    if doc.text == clean.text:
        return
    a, b = doc.text_blocks(), clean.text_blocks()
    # locate the first differing block element, for its line number
    text_el = tree.getroot().find(f"{{{TEI_NS}}}text")
    elements = list(text_el.iter(*(f"{{{TEI_NS}}}{tag}" for tag in BLOCK_TAGS))) if text_el is not None else []
    for i, (x, y) in enumerate(zip(a, b)):
        if x.text != y.text:
            k = next((j for j, (c, d) in enumerate(zip(x.text, y.text)) if c != d), min(len(x.text), len(y.text)))
            line = elements[i].sourceline if i < len(elements) else None
            report.add(CorpusError(E204, f"text layer differs from the cleaned seed in paragraph {i + 1} at "
                                         f"character {k}: {x.text[max(0, k - 8):k + 8]!r} should be "
                                         f"{y.text[max(0, k - 8):k + 8]!r}",
                                   path=str(path), line=line, col=1,
                                   hint="annotators never change the text; only add or remove markup"))
            return
    report.add(CorpusError(E204, f"text layer has {len(a)} paragraphs, the cleaned seed {len(b)}",
                           path=str(path), line=tree.getroot().sourceline, col=1,
                           hint="annotators never add or remove paragraphs"))
