"""``corpus-sz diff OLD NEW``: what a pull request changes in the annotations.

OLD and NEW are each a TEI file, a folder of TEI files, or a git revision
(``main``, ``HEAD~1``, ``origin/main``; ``REV:path`` for another folder or
one file), read with ``git show`` without touching the work tree. NEW
defaults to the corpus folder (``annotations/``).

For every document: mentions added, removed, relabelled (same span, other
label) and relinked (same span and label, other record), review changes
(machine annotations confirmed), text changes paragraph by paragraph and
metadata changes; and for the authority file, records added, removed or
changed. Mentions are matched across text changes through the unchanged
stretches of text. The report is Markdown, for a pull-request comment:
document id, offsets, and each mention in its context (【…】 marks the span).
"""

from __future__ import annotations

import difflib
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .errors import E506, CorpusError
from .model import Document, Entity


SKIP_FILES = ("corpus.xml",)


@dataclass
class Side:
    name: str
    docs: dict[str, Document] = field(default_factory=dict)
    authority: object | None = None  # Authority, when the side has an authority file


# -- reading the two sides -----------------------------------------------------------
def _parse(raw: bytes, name: str, side: Side) -> None:
    from .authority import authority_from_tei
    from .tei import document_from_tree
    from .xmlutil import XML_ID, local, parse_bytes

    tree = parse_bytes(raw, name)
    root = tree.getroot()
    if local(root) == "teiCorpus":
        return
    if root.get(XML_ID) == "authority":
        side.authority = authority_from_tei(root)
        return
    doc = document_from_tree(tree, name)
    side.docs[doc.id] = doc


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, timeout=60)
    except FileNotFoundError:
        raise CorpusError(E506, "git is not installed", hint="give two files or folders instead") from None


def _git_top(repo: Path | None) -> Path | None:
    r = _git(Path(repo or "."), "rev-parse", "--show-toplevel")
    return Path(r.stdout.decode().strip()) if r.returncode == 0 else None


def load_side(spec: str | Path, repo: Path | None = None, under: str | None = None) -> Side:
    """One side of the diff: a TEI file, a folder, or a git revision (``REV`` or ``REV:path``)."""
    p = Path(spec)
    if p.exists():
        side = Side(str(spec))
        files = sorted(f for f in p.glob("*.xml") if f.name not in SKIP_FILES) if p.is_dir() else [p]
        for f in files:
            _parse(f.read_bytes(), str(f), side)
        return side
    spec = str(spec)
    top = _git_top(repo)
    if top is None:
        raise CorpusError(E506, f"{spec!r} is neither a file, a folder, nor a git revision (not in a git "
                                f"repository)", hint="give paths, or run inside the repository (or --repo)")
    rev, _, path = spec.partition(":")
    if not path:
        path = under or _default_under(top)
    path = path.strip("/") or "."
    kind = _git(top, "cat-file", "-t", f"{rev}:{path}")
    if kind.returncode != 0:
        raise CorpusError(E506, f"{spec!r} is neither a file, a folder, nor a git revision with {path}/",
                          hint=f"check the name: git rev-parse {rev}")
    side = Side(f"{rev}:{path}")
    if kind.stdout.decode().strip() == "blob":
        names = [path]
    else:
        ls = _git(top, "ls-tree", "--name-only", f"{rev}:{path}")
        names = [f"{path}/{n}" for n in sorted(ls.stdout.decode("utf-8").splitlines())
                 if n.endswith(".xml") and n not in SKIP_FILES]
    for n in names:
        r = _git(top, "show", f"{rev}:{n}")
        if r.returncode != 0:
            raise CorpusError(E506, f"cannot read {n} at {rev}: {r.stderr.decode().strip()}")
        _parse(r.stdout, f"{rev}:{n}", side)
    return side


def _default_under(top: Path) -> str:
    from .paths import annotations_dir

    try:
        return str(annotations_dir().resolve().relative_to(top.resolve()))
    except ValueError:
        return "annotations"


# -- comparing ------------------------------------------------------------------------
@dataclass
class Change:
    kind: str  # added | removed | relabelled | relinked | reviewed
    old: Entity | None
    new: Entity | None
    context: str


@dataclass
class DocDiff:
    doc_id: str
    status: str = "changed"  # changed | added | removed
    changes: list[Change] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    metadata: list[str] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)

    @property
    def empty(self) -> bool:
        return not (self.changes or self.text or self.metadata) and self.status == "changed"


@dataclass
class Diff:
    old: str
    new: str
    docs: list[DocDiff] = field(default_factory=list)
    authority: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return all(d.empty for d in self.docs) and not self.authority


def context(doc: Document, e: Entity, width: int = 12) -> str:
    """The mention in its paragraph, 【marked】, with up to ``width`` characters either side."""
    text = doc.text
    ps = text.rfind("\n", 0, e.start) + 1
    pe = text.find("\n", e.end)
    pe = len(text) if pe < 0 else pe
    a, b = max(ps, e.start - width), min(pe, e.end + width)
    return ("…" if a > ps else "") + text[a:e.start] + "【" + text[e.start:e.end] + "】" + text[e.end:b] + \
        ("…" if b < pe else "")


def _segments(old: Document, new: Document, report: list[str]) -> list[tuple[int, int, int]]:
    """Stretches of unchanged text: (old start, old end, new start); text changes go to ``report``."""
    a = [b.text for b in old.text_blocks()]
    b = [b.text for b in new.text_blocks()]
    ao = [s for _, s, _ in old.block_offsets()]
    bo = [s for _, s, _ in new.block_offsets()]
    segs: list[tuple[int, int, int]] = []
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2)):
                segs.append((ao[i], ao[i] + len(a[i]), bo[j]))
        elif op == "replace" and i2 - i1 == j2 - j1:
            for i, j in zip(range(i1, i2), range(j1, j2)):
                cm = difflib.SequenceMatcher(None, a[i], b[j], autojunk=False)
                for cop, x1, x2, y1, y2 in cm.get_opcodes():
                    if cop == "equal":
                        segs.append((ao[i] + x1, ao[i] + x2, bo[j] + y1))
                    else:
                        report.append(f"¶{j + 1} at {bo[j] + y1}: {_ctx(a[i], x1, x2)} → {_ctx(b[j], y1, y2)}")
        else:
            for i in range(i1, i2):
                report.append(f"paragraph removed (was ¶{i + 1} at {ao[i]}): {_short(a[i])}")
            for j in range(j1, j2):
                report.append(f"paragraph added (¶{j + 1} at {bo[j]}): {_short(b[j])}")
    return segs


def _ctx(t: str, x1: int, x2: int, width: int = 8) -> str:
    a, b = max(0, x1 - width), min(len(t), x2 + width)
    return "“" + ("…" if a else "") + t[a:x1] + "［" + t[x1:x2] + "］" + t[x2:b] + ("…" if b < len(t) else "") + "”"


def _short(t: str, n: int = 40) -> str:
    return "“" + (t if len(t) <= n else t[:n] + "…") + "”"


def _map(e: Entity, segs: list[tuple[int, int, int]]) -> tuple[int, int] | None:
    for s, t, n in segs:
        if s <= e.start and e.end <= t:
            return (n + e.start - s, n + e.end - s)
    return None


def diff_docs(old: Document, new: Document) -> DocDiff:
    dd = DocDiff(new.id)
    if old.text == new.text:
        segs = [(0, len(old.text), 0)]
    else:
        segs = _segments(old, new, dd.text)
    by_span = {(e.start, e.end): e for e in new.entities}
    matched: set[tuple[int, int]] = set()
    for e in sorted(old.entities, key=lambda e: (e.start, e.end)):
        span = _map(e, segs)
        n = by_span.get(span) if span else None
        if n is None:
            dd.changes.append(Change("removed", e, None, context(old, e)))
            continue
        matched.add(span)
        if n.label != e.label:
            dd.changes.append(Change("relabelled", e, n, context(new, n)))
        elif n.ref != e.ref:
            dd.changes.append(Change("relinked", e, n, context(new, n)))
        elif (n.resp, n.cert) != (e.resp, e.cert):
            dd.changes.append(Change("reviewed" if n.resp is None else "attribution", e, n, context(new, n)))
    for n in sorted(new.entities, key=lambda e: (e.start, e.end)):
        if (n.start, n.end) not in matched:
            dd.changes.append(Change("added", None, n, context(new, n)))
    dd.changes.sort(key=lambda c: ((c.new or c.old).start, c.kind))
    for key in sorted(set(old.metadata) | set(new.metadata)):
        if old.metadata.get(key) != new.metadata.get(key):
            dd.metadata.append(f"{key}: {old.metadata.get(key)!r} → {new.metadata.get(key)!r}")
    return dd


def diff_authority(old, new) -> list[str]:
    if old is None and new is None:
        return []
    a = {r.id: r for r in old} if old is not None else {}
    b = {r.id: r for r in new} if new is not None else {}
    out = []
    for rid in sorted(set(a) | set(b)):
        if rid not in a:
            r = b[rid]
            out.append(f"added record `{rid}` ({r.label}) {r.name}" + (f", aliases {', '.join(r.aliases)}"
                                                                      if r.aliases else ""))
        elif rid not in b:
            out.append(f"removed record `{rid}` ({a[rid].label}) {a[rid].name}")
        elif a[rid].to_dict() != b[rid].to_dict():
            x, y = a[rid].to_dict(), b[rid].to_dict()
            parts = []
            for k in ("label", "name", "code", "level", "note"):
                if x[k] != y[k]:
                    parts.append(f"{k} {x[k]!r} → {y[k]!r}")
            plus = [s for s in y["aliases"] if s not in x["aliases"]]
            minus = [s for s in x["aliases"] if s not in y["aliases"]]
            if plus:
                parts.append("aliases +" + ", +".join(plus))
            if minus:
                parts.append("aliases −" + ", −".join(minus))
            out.append(f"changed record `{rid}`: " + "; ".join(parts))
    return out


def diff(old: Side, new: Side) -> Diff:
    out = Diff(old.name, new.name)
    ids = list(new.docs) + [i for i in old.docs if i not in new.docs]
    for i in ids:
        if i not in old.docs:
            d = _whole(new.docs[i], "added")
        elif i not in new.docs:
            d = _whole(old.docs[i], "removed")
        else:
            d = diff_docs(old.docs[i], new.docs[i])
        out.docs.append(d)
    if old.authority is not None or new.authority is not None:
        out.authority = diff_authority(old.authority, new.authority)
    return out


def _whole(doc: Document, status: str) -> DocDiff:
    dd = DocDiff(doc.id, status)
    kind = "added" if status == "added" else "removed"
    for e in sorted(doc.entities, key=lambda e: (e.start, e.end)):
        dd.changes.append(Change(kind, e if kind == "removed" else None, e if kind == "added" else None,
                                 context(doc, e)))
    return dd


# -- the report -----------------------------------------------------------------------
def _ref(ref: str | None) -> str:
    # an unreviewed machine suggestion may have no record yet: say so rather than print "#None"
    return f"`#{ref}`" if ref is not None else "(no record)"


def _ent(e: Entity) -> str:
    return f"`{e.start}–{e.end}` {e.label} {_ref(e.ref)}"


def _line(c: Change) -> str:
    if c.kind == "added":
        return f"- **added** {_ent(c.new)}: {c.context}"
    if c.kind == "removed":
        return f"- **removed** {_ent(c.old)}: {c.context}"
    if c.kind == "relabelled":
        ref = f" {_ref(c.old.ref)} → {_ref(c.new.ref)}" if c.old.ref != c.new.ref else f" {_ref(c.new.ref)}"
        return f"- **relabelled** `{c.new.start}–{c.new.end}` {c.old.label} → {c.new.label}{ref}: {c.context}"
    if c.kind == "relinked":
        return (f"- **relinked** `{c.new.start}–{c.new.end}` {c.new.label} {_ref(c.old.ref)} → {_ref(c.new.ref)}: "
                f"{c.context}")
    if c.kind == "reviewed":
        return f"- **reviewed** {_ent(c.new)} (machine annotation confirmed): {c.context}"
    return (f"- **attribution** {_ent(c.new)} resp {c.old.resp!r} cert {c.old.cert!r} → resp {c.new.resp!r} "
            f"cert {c.new.cert!r}: {c.context}")


def render(d: Diff) -> str:
    lines = [f"# Annotation changes: `{d.old}` → `{d.new}`", ""]
    if d.empty:
        lines.append("No changes to annotations, text or authority records.")
        return "\n".join(lines) + "\n"
    changed = [x for x in d.docs if not x.empty]
    if changed:
        lines += ["| document | added | removed | relabelled | relinked | reviewed | text |",
                  "|---|---:|---:|---:|---:|---:|---|"]
        for x in changed:
            text = {"added": "new document", "removed": "document removed"}.get(
                x.status, f"{len(x.text)} changes" if x.text else "unchanged")
            lines.append(f"| {x.doc_id} | {x.count('added')} | {x.count('removed')} | {x.count('relabelled')} | "
                         f"{x.count('relinked')} | {x.count('reviewed')} | {text} |")
        lines.append("")
    for x in changed:
        title = {"added": " (new document)", "removed": " (document removed)"}.get(x.status, "")
        lines += [f"## {x.doc_id}{title}", ""]
        if x.text:
            lines.append("Text changes:")
            lines += [f"- {t}" for t in x.text]
            lines.append("")
        if x.metadata:
            lines.append("Metadata changes:")
            lines += [f"- {m}" for m in x.metadata]
            lines.append("")
        if x.changes:
            lines.append("Mentions:")
            lines += [_line(c) for c in x.changes]
            lines.append("")
    if d.authority:
        lines += ["## authority.xml", ""] + [f"- {a}" for a in d.authority] + [""]
    return "\n".join(lines)


def diff_specs(old: str, new: str | None = None, repo: Path | None = None, under: str | None = None) -> Diff:
    from .paths import annotations_dir

    a = load_side(old, repo, under)
    b = load_side(new if new is not None else str(annotations_dir()), repo, under)
    return diff(a, b)
