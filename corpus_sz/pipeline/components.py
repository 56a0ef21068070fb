"""spaCy components of the pipeline: the authority linker and its alias table.

The gazetteer is spaCy's own ``entity_ruler``, filled with token patterns built
from authority aliases (see :mod:`corpus_sz.pipeline.training`); the statistical
tagger is ``corpus_sz_crf`` (:mod:`corpus_sz.pipeline.crf`). This module registers
the span-rule step (``corpus_sz_scheme_rules``, below) and the linker:

``corpus_sz_linker``
    sets ``ent.kb_id_`` of every entity to an authority record id, by alias
    lookup. The order of evidence is: the record the gazetteer matched
    (``ent.ent_id_``), the exact surface form, the form without quotation and
    title marks, the form without a listed head noun (计划, 行动, 工程 …), the
    district name with its suffix (浑南 → 浑南区), and finally a unique record
    of the same label whose name contains the form or is contained in it. A
    form seen with several records links to the most frequent one (ties: the
    smallest id); a form that stays ambiguous or unknown gets no link
    (``kb_id_ == ""``). ``Span._.corpus_sz_link`` records how the link was made.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterable

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span

from ..model import LABELS
from . import architectures  # noqa: F401  (registers corpus_sz.ZhAffixEmbed.v1 for configs and spacy.load)
from . import crf  # noqa: F401  (registers the corpus_sz_crf factory)

LINK_EXT = "corpus_sz_link"
if not Span.has_extension(LINK_EXT):
    Span.set_extension(LINK_EXT, default=None)

# Head nouns that join a name (scheme rule 3), longest first.
HEADS = sorted(["规划", "计划", "行动", "专项行动", "工程", "战略", "改革", "政策", "措施", "试点", "攻坚战",
                "歼灭战", "项目", "专项整治", "集中整治"], key=len, reverse=True)
DISTRICT_SUFFIXES = ("区", "县", "市", "新区")
_MARKS = re.compile(r"[“”\"'‘’《》〈〉「」『』()（）\s]")


def normalize(form: str) -> str:
    """A surface form without quotation and title marks, brackets and spaces."""
    return _MARKS.sub("", form)


def core(form: str) -> str:
    """The normalized form without a trailing listed head noun (“数据要素×”行动 → 数据要素×)."""
    n = normalize(form)
    for h in HEADS:
        if n.endswith(h) and len(n) > len(h) + 1:
            return n[: -len(h)]
    return n


class AliasTable:
    """Surface forms → authority record ids, with counts, per label."""

    def __init__(self, entries: Iterable[dict] = ()):
        self.entries: list[dict] = []
        self.exact: dict[tuple[str, str], Counter] = defaultdict(Counter)
        self.norm: dict[tuple[str, str], Counter] = defaultdict(Counter)
        self.core: dict[tuple[str, str], Counter] = defaultdict(Counter)
        self.names: dict[str, dict[str, str]] = defaultdict(dict)  # label -> ref -> normalized name
        self.known: dict[str, set[str]] = defaultdict(set)  # label -> refs
        self.add(entries)

    def add(self, entries: Iterable[dict]) -> None:
        for e in entries:
            e = {"form": e["form"], "label": e["label"], "ref": e["ref"], "count": int(e.get("count", 0)),
                 "name": bool(e.get("name", False))}
            self.entries.append(e)
            self.known[e["label"]].add(e["ref"])
            w = e["count"] + 1  # authority forms never seen in text still count once
            self.exact[(e["label"], e["form"])][e["ref"]] += w
            self.norm[(e["label"], normalize(e["form"]))][e["ref"]] += w
            self.core[(e["label"], core(e["form"]))][e["ref"]] += w
            if e["name"] or e["ref"] not in self.names[e["label"]]:
                self.names[e["label"]][e["ref"]] = normalize(e["form"])

    @staticmethod
    def _best(c: Counter) -> str | None:
        if not c:
            return None
        return sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]

    def refs(self) -> set[str]:
        return {e["ref"] for e in self.entries}

    def resolve(self, form: str, label: str, hint: str | None = None) -> tuple[str | None, str | None]:
        """(record id or None, how) for a mention."""
        if hint and hint in self.known[label]:
            return hint, "gazetteer"
        if (label, form) in self.exact:
            return self._best(self.exact[(label, form)]), "exact"
        n = normalize(form)
        if (label, n) in self.norm:
            return self._best(self.norm[(label, n)]), "normalized"
        c = core(form)
        if (label, c) in self.core:
            return self._best(self.core[(label, c)]), "core"
        if label == "DISTRICT":
            for suf in DISTRICT_SUFFIXES:
                if (label, n + suf) in self.norm:
                    return self._best(self.norm[(label, n + suf)]), "suffix"
        if len(n) >= 2:
            hits = sorted({ref for ref, name in self.names[label].items()
                           if len(name) >= 2 and (n in name or name in n)})
            if len(hits) == 1:
                return hits[0], "contains"
        return None, None

    def to_list(self) -> list[dict]:
        return sorted(self.entries, key=lambda e: (e["label"], e["form"], e["ref"]))


class Linker:
    """Sets ``ent.kb_id_`` from an :class:`AliasTable` (see the module docstring)."""

    def __init__(self, vocab, name: str = "corpus_sz_linker", min_length: int = 1):
        self.vocab = vocab
        self.name = name
        self.min_length = min_length
        self.table = AliasTable()

    def initialize(self, get_examples=None, *, nlp=None, entries: list[dict] | None = None) -> None:
        if entries is not None:
            self.table = AliasTable(entries)

    def set_entries(self, entries: Iterable[dict]) -> None:
        self.table = AliasTable(entries)

    def __call__(self, doc: Doc) -> Doc:
        ents = []
        links = []
        for ent in doc.ents:
            ref, how = (None, None)
            if len(ent.text) >= self.min_length:
                ref, how = self.table.resolve(ent.text, ent.label_, ent.ent_id_ or None)
            ents.append(Span(doc, ent.start, ent.end, label=ent.label, kb_id=ref or "",
                             span_id=ent.ent_id_ or ""))
            links.append(how)
        doc.ents = ents
        for ent, how in zip(doc.ents, links):
            ent._.set(LINK_EXT, how)
        return doc

    def pipe(self, stream, batch_size: int = 128):
        for doc in stream:
            yield self(doc)

    # -- serialisation -------------------------------------------------------
    def to_bytes(self, *, exclude=tuple()) -> bytes:
        return srsly.msgpack_dumps({"entries": self.table.to_list(), "min_length": self.min_length})

    def from_bytes(self, data: bytes, *, exclude=tuple()) -> "Linker":
        msg = srsly.msgpack_loads(data)
        self.table = AliasTable(msg["entries"])
        self.min_length = msg.get("min_length", self.min_length)
        return self

    def to_disk(self, path, *, exclude=tuple()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "aliases.json", {"min_length": self.min_length, "entries": self.table.to_list()})

    def from_disk(self, path, *, exclude=tuple()) -> "Linker":
        data = srsly.read_json(Path(path) / "aliases.json")
        self.min_length = data.get("min_length", self.min_length)
        self.table = AliasTable(data["entries"])
        return self


@Language.factory("corpus_sz_linker", default_config={"min_length": 1},
                  assigns=["doc.ents", "token.ent_kb_id"])
def make_linker(nlp: Language, name: str, min_length: int) -> Linker:
    return Linker(nlp.vocab, name, min_length=min_length)


# Words that make a district name the beginning of an organisation's name (沈河区人民政府).
ORGANISATION_WORDS = ("人民政府", "政府", "人民代表大会", "人大", "政协", "区委", "县委", "市委", "法院", "检察院")
# How far a quoted name may reach around a district name inside it (“四个和平”, “浑南之夏”).
QUOTED_NAME_REACH = 12


def in_quoted_name(text: str, start: int, end: int, reach: int = QUOTED_NAME_REACH) -> bool:
    """Is text[start:end] inside a short quoted name “…” that is not a list (no 、 inside)?"""
    opening = text.rfind("“", 0, start)
    if opening < 0 or opening < start - reach or text.rfind("”", 0, start) > opening:
        return False
    closing = text.find("”", end)
    if closing < 0 or closing - end > reach or "“" in text[end:closing]:
        return False
    return "、" not in text[opening:closing]


class SchemeRules:
    """Applies span rule 1 of the annotation scheme to district names the tagger found.

    Rule 1: the whole name is annotated, and when a district name begins a longer
    name, only the longer name can be annotated. So a tagged district

    - is completed to the district's full name when the text continues with it
      (沈北 in 沈北新区, 法库 in 法库县; the full names are the DISTRICT records'
      names, stored with the component);
    - is removed when it begins an organisation's name (沈河区人民政府) or sits in a
      short quoted name (“四个和平”, “浑南之夏”). A quoted list of slogans keeps
      its districts (“新浑南、新文化、新生活” names 浑南 as a short form, rule 6).
    """

    def __init__(self, name: str = "corpus_sz_scheme_rules", district_names: Iterable[str] = ()):
        self.name = name
        self.set_district_names(district_names)

    def set_district_names(self, names: Iterable[str]) -> None:
        self.district_names = sorted(set(names))

    def _full_name_end(self, text: str, start: int, end: int) -> int | None:
        form = text[start:end]
        for full in self.district_names:
            if len(full) > len(form) and full.startswith(form) and text.startswith(full, start):
                return start + len(full)
        return None

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        ents = list(doc.ents)
        out = []
        for i, e in enumerate(ents):
            if e.label_ == "DISTRICT":
                if text.startswith(ORGANISATION_WORDS, e.end_char) or in_quoted_name(text, e.start_char, e.end_char):
                    continue
                new_end = self._full_name_end(text, e.start_char, e.end_char)
                nxt = ents[i + 1].start_char if i + 1 < len(ents) else len(text)
                if new_end is not None and new_end <= nxt:
                    full = doc.char_span(e.start_char, new_end, label=e.label, kb_id=e.kb_id,
                                         span_id=e.id, alignment_mode="strict")
                    e = full if full is not None else e
            out.append(e)
        doc.ents = out
        return doc

    # -- serialisation -------------------------------------------------------
    def to_bytes(self, *, exclude=tuple()) -> bytes:
        return srsly.msgpack_dumps({"district_names": self.district_names})

    def from_bytes(self, data: bytes, *, exclude=tuple()) -> "SchemeRules":
        self.set_district_names(srsly.msgpack_loads(data)["district_names"])
        return self

    def to_disk(self, path, *, exclude=tuple()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "rules.json", {"district_names": self.district_names})

    def from_disk(self, path, *, exclude=tuple()) -> "SchemeRules":
        self.set_district_names(srsly.read_json(Path(path) / "rules.json")["district_names"])
        return self


@Language.factory("corpus_sz_scheme_rules", assigns=["doc.ents"])
def make_scheme_rules(nlp: Language, name: str) -> SchemeRules:
    return SchemeRules(name)


def district_names(entries: Iterable[dict]) -> list[str]:
    """The full names of the DISTRICT records among gazetteer entries."""
    return sorted({e["form"] for e in entries if e["label"] == "DISTRICT" and e.get("name")})


def link_entries_from_authority(authority) -> list[dict]:
    """Alias-table entries for every record of an authority: its name and its aliases."""
    out = []
    for r in authority:
        if r.label not in LABELS:
            continue
        out.append({"form": r.name, "label": r.label, "ref": r.id, "count": 0, "name": True})
        for a in dict.fromkeys(r.aliases):
            if a != r.name:
                out.append({"form": a, "label": r.label, "ref": r.id, "count": 0, "name": False})
    return out
