"""brat standoff: ``ID.txt`` (the text) and ``ID.ann`` (the annotations).

Mentions are text-bound annotations, ``T1<TAB>LABEL START END<TAB>text``,
offsets in characters (code points) of the ``.txt`` file. Authority records
are brat normalizations, ``N1<TAB>Reference T1 corpus_sz:RECORD-ID<TAB>text``;
unreviewed machine annotations carry a note,
``#1<TAB>AnnotatorNotes T1<TAB>corpus_sz_tagger cert=…``. The export writes
``annotation.conf`` (the four entity types) and ``tools.conf`` (the
``corpus_sz`` normalization database) next to the documents.

On import, the document id is the file name; discontinuous spans (``0 5;6 9``)
are refused; relations, events and attributes are ignored (the corpus has
none); normalizations to other databases are ignored.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import CorpusError
from ..model import LABELS, Document
from ..xmlutil import atomic_write
from .merge import E503, MACHINE_RESP, ToolDoc, ToolSpan

SUFFIX = ".ann"
DB = "corpus_sz"
NOTE_RE = re.compile(r"corpus_sz_tagger(?:\s+cert=(\S+))?")
ID_RE = re.compile(r"^(?:[TNREAM#]\d+|\*)$")  # the annotation ids of brat standoff (``*``: equivalence)


def read(path: Path) -> list[ToolDoc]:
    from ..seeds import read_text

    path = Path(path)
    ann = path.with_suffix(".ann")
    txt = path.with_suffix(".txt")
    if not txt.exists():
        raise CorpusError(E503, "no text file next to the annotation file", path=str(txt),
                          hint="brat keeps the text in ID.txt beside ID.ann")
    if not ann.exists():
        # never read as "no mentions": with --replace that would delete every mention of the document
        raise CorpusError(E503, "no annotation file next to the text file", path=str(ann),
                          hint="brat keeps the annotations in ID.ann beside ID.txt (an empty ID.ann means no "
                               "mentions); nothing was written")
    text = read_text(txt)
    lines = read_text(ann).splitlines()
    td = ToolDoc(text, [], path.stem, f"{ann.name}", str(ann))
    by_id: dict[str, ToolSpan] = {}
    refs: list[tuple[int, str, str]] = []
    notes: list[tuple[str, str]] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        parts = line.split("\t")
        tid = parts[0]
        if not ID_RE.match(tid) or len(parts) < 2:
            first = re.split(r"\s", line.strip(), maxsplit=1)[0]
            if ID_RE.match(first):
                raise CorpusError(E503, f"malformed annotation {first}: {line[:40]!r}", path=str(ann), line=n,
                                  hint="brat separates the id, the annotation and the text with tabs")
            # not brat standoff (another format under a .ann name): ignoring the line would import
            # nothing, and with --replace delete every mention of the document
            raise CorpusError(E503, f"not a brat annotation line: {line[:40]!r}", path=str(ann), line=n,
                              hint="each line is ID<TAB>…, the ID starting with T, N, R, E, A, M or # "
                                   "(is this a brat .ann file?)")
        if tid.startswith("T"):
            head = parts[1].split(" ", 1)
            label = head[0]
            where = f"line {n} {tid}"
            sp = ToolSpan(None, None, label, None, parts[2] if len(parts) > 2 else None, where, line=n)
            offs = head[1] if len(head) > 1 else ""
            if ";" in offs:
                sp.problem = f"discontinuous span {offs!r}; the corpus has continuous spans only"
            else:
                try:
                    a, b = offs.split()
                    sp.start, sp.end = int(a), int(b)
                except ValueError:
                    raise CorpusError(E503, f"malformed offsets {offs!r} in {tid}", path=str(ann), line=n) from None
            if tid in by_id:
                raise CorpusError(E503, f"the id {tid} is used twice", path=str(ann), line=n)
            by_id[tid] = sp
            td.spans.append(sp)
        elif tid.startswith("N"):
            # N1<TAB>Reference T1 corpus_sz:id<TAB>text
            fields = parts[1].split() if len(parts) > 1 else []
            if len(fields) == 3 and fields[0] == "Reference" and fields[2].startswith(f"{DB}:"):
                refs.append((n, fields[1], fields[2][len(DB) + 1:]))
        elif tid.startswith("#"):
            fields = parts[1].split() if len(parts) > 1 else []
            if len(fields) == 2 and fields[0] == "AnnotatorNotes" and len(parts) > 2:
                notes.append((fields[1], parts[2]))
    for n, target, ref in refs:
        sp = by_id.get(target)
        if sp is None:
            raise CorpusError(E503, f"normalization of an unknown annotation {target}", path=str(ann), line=n)
        if sp.ref is not None and sp.ref != ref:
            sp.problem = f"two corpus_sz references (#{sp.ref}, #{ref})"
        sp.ref = ref
    for target, note in notes:
        m = NOTE_RE.search(note)
        if m and target in by_id:
            by_id[target].machine = True
            by_id[target].cert = m.group(1)
    return [td]


def ann_text(doc: Document) -> str:
    text = doc.text
    lines = []
    k_note = 0
    for k, e in enumerate(sorted(doc.entities, key=lambda e: (e.start, e.end)), 1):
        surface = text[e.start:e.end]
        lines.append(f"T{k}\t{e.label} {e.start} {e.end}\t{surface}")
        if e.ref:
            lines.append(f"N{k}\tReference T{k} {DB}:{e.ref}\t{surface}")
        if e.resp == MACHINE_RESP:
            k_note += 1
            cert = f" cert={e.cert}" if e.cert else ""
            lines.append(f"#{k_note}\tAnnotatorNotes T{k}\tcorpus_sz_tagger{cert}")
    return "".join(line + "\n" for line in lines)


def write(doc: Document, out: Path, authority=None) -> list[Path]:
    out = Path(out)
    txt, ann = out / f"{doc.id}.txt", out / f"{doc.id}.ann"
    atomic_write(txt, doc.text)
    atomic_write(ann, ann_text(doc))
    return [txt, ann]


def write_config(out: Path) -> list[Path]:
    out = Path(out)
    conf = out / "annotation.conf"
    tools = out / "tools.conf"
    atomic_write(conf, "[entities]\n" + "".join(f"{l}\n" for l in LABELS) +
                 "\n[relations]\n\n[events]\n\n[attributes]\n")
    atomic_write(tools, "[normalization]\n"
                        f"{DB}\t<URL>:https://corpus-sz.example/authority#%s\n")
    return [conf, tools]
