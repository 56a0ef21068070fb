"""The statistical entity tagger: a character CRF (CRFsuite) as a spaCy component.

Why a CRF and not spaCy's ``ner``: with five annotated reports, most mentions
of a held-out report are names never seen in training, and a linear-chain CRF
over characters with hand-chosen features (the characters around, the pkuseg
token a character is in, the gazetteer match it is part of, whether it is
inside a quoted name) generalises from so little data better than a neural
tagger trained from scratch, and trains in seconds (docs/model-selection.md
has the comparison).

The gazetteer feature is built *jackknifed* in training: the features of a
training document come from a gazetteer of the other training documents'
mentions, as at tagging time, when most names of a new report are not in it.
A gazetteer built from all training mentions would mark every training mention
and the CRF would learn to trust it blindly.

``corpus_sz_crf``
    tags characters B-/I-/E-/S-/O with the four labels and adds the spans to
    ``doc.ents`` (widened to token boundaries; entities already set are kept),
    each with its confidence in ``Span._.corpus_sz_confidence``.
"""

from __future__ import annotations

import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterable, Sequence

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

CharSpan = tuple[int, int, str]  # start, end, label (offsets into the Doc's text)
# Span._.corpus_sz_confidence: the CRF's confidence in a span it tagged (None for other spans)
CONFIDENCE_EXT = "corpus_sz_confidence"
if not Span.has_extension(CONFIDENCE_EXT):
    Span.set_extension(CONFIDENCE_EXT, default=None)
QUOTE_OPEN, QUOTE_CLOSE = "“", "”"
# The tagger reads a Doc in sentences of at most this many characters (the training chunks' limit).
MAX_PIECE_CHARS = 300


class Gazetteer:
    """Longest-match lookup of known names (two characters or more), each with its most frequent label."""

    def __init__(self, entries: Iterable[dict] = ()):
        counts: dict[str, Counter] = defaultdict(Counter)
        for e in entries:
            if len(e["form"]) >= 2:
                counts[e["form"]][e["label"]] += max(1, int(e.get("count", 0)))
        self._set_forms({f: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for f, c in sorted(counts.items())})

    @classmethod
    def from_forms(cls, forms: dict[str, str]) -> "Gazetteer":
        """A gazetteer from its stored table (form → label)."""
        gaz = cls()
        gaz._set_forms(dict(forms))
        return gaz

    def _set_forms(self, forms: dict[str, str]) -> None:
        self.forms = forms
        self.max_len = max(map(len, forms), default=0)

    def tags(self, text: str) -> list[str]:
        """'B-LABEL' / 'I-LABEL' / 'O' per character, matching left to right, longest first."""
        out = ["O"] * len(text)
        i = 0
        while i < len(text):
            for n in range(min(self.max_len, len(text) - i), 1, -1):
                label = self.forms.get(text[i:i + n])
                if label:
                    out[i] = "B-" + label
                    for k in range(i + 1, i + n):
                        out[k] = "I-" + label
                    i += n
                    break
            else:
                i += 1
        return out


def _char_class(ch: str) -> str:
    if ch.isdigit():
        return "digit"
    if "a" <= ch.lower() <= "z":
        return "latin"
    if "\u4e00" <= ch <= "\u9fff":
        return "han"
    return "mark" + ch


def _quote_depth(text: str) -> list[int]:
    depth, out = 0, []
    for ch in text:
        if ch == QUOTE_OPEN:
            depth += 1
            out.append(0)
        elif ch == QUOTE_CLOSE:
            depth = max(0, depth - 1)
            out.append(0)
        else:
            out.append(min(depth, 2))
    return out


def char_features(doc: Doc, gazetteer: Gazetteer, start: int = 0, end: int | None = None,
                  doc_text: str | None = None) -> list[list[str]]:
    """CRFsuite features of every character of ``doc.text[start:end]``, as if that were the whole text.

    ``doc_text`` is ``doc.text`` when the caller has it (spaCy rebuilds ``doc.text``
    from the tokens at every access).
    """
    doc_text = doc.text if doc_text is None else doc_text
    text = doc_text[start:end]
    n = len(text)
    position = ["O"] * n  # the character's place in its token: B I E or S (single)
    token = [""] * n
    piece = doc.char_span(start, start + n, alignment_mode="expand") if n else None
    for t in piece if piece is not None else ():  # only the tokens this piece touches
        lo, hi = max(t.idx, start), min(t.idx + len(t.text), start + n)
        form = doc_text[lo:hi]  # a token cut by the piece's edge counts as its part inside
        m = len(form)
        for k in range(m):
            position[lo - start + k] = "S" if m == 1 else "B" if k == 0 else "E" if k == m - 1 else "I"
            token[lo - start + k] = form
    gaz = gazetteer.tags(text)
    depth = _quote_depth(text)

    def at(i: int) -> str:
        return text[i] if 0 <= i < n else "#"

    out = []
    for i, c in enumerate(text):
        p1, p2, n1, n2 = at(i - 1), at(i - 2), at(i + 1), at(i + 2)
        out.append([
            "bias", "c=" + c, "c-1=" + p1, "c+1=" + n1, "c-2=" + p2, "c+2=" + n2,
            "c-1c=" + p1 + c, "cc+1=" + c + n1, "c-2c-1=" + p2 + p1, "c+1c+2=" + n1 + n2, "c-1c+1=" + p1 + n1,
            "class=" + _char_class(c), "tokpos=" + position[i], "tok=" + token[i],
            "tokpos_last=" + position[i] + (token[i][-1:] or "#"),
            "gaz=" + gaz[i], "gaz-1=" + (gaz[i - 1] if i else "O"), "gaz+1=" + (gaz[i + 1] if i + 1 < n else "O"),
            "quote=%d" % depth[i],
        ])
    return out


def char_labels(text: str, spans: Iterable[CharSpan]) -> list[str]:
    """BIOES tags: B- begins, I- continues, E- ends a span; S- is a one-character span.

    Why not BIO: with an E- tag the CRF learns where names end (their head
    characters, 区 园 程 …) as a tag of its own; cross-validated, BIOES is about
    0.01 strict F1 above BIO with either seed (docs/model-selection.md).
    """
    out = ["O"] * len(text)
    for s, e, label in spans:
        if e - s == 1:
            out[s] = "S-" + label
            continue
        out[s] = "B-" + label
        for k in range(s + 1, e - 1):
            out[k] = "I-" + label
        out[e - 1] = "E-" + label
    return out


def decode(tags: Sequence[str]) -> list[CharSpan]:
    """Character spans from BIOES (or BIO) tags.

    A span ends after E- or S-, before O, B- or S-, or where the label changes;
    an I- or E- that follows nothing starts a span (the CRF's transitions make
    that rare, but decoding never drops a tagged character).
    """
    out: list[CharSpan] = []
    start, label = None, None
    for i, t in enumerate([*tags, "O"]):
        kind, tag_label = (t[0], t[2:]) if t != "O" else ("O", None)
        if start is not None and (kind in "OBS" or tag_label != label):
            out.append((start, i, label))
            start = label = None
        if kind != "O" and start is None:
            start, label = i, tag_label
        if kind in "ES":
            out.append((start, i + 1, label))
            start = label = None
    return out


class CharCRF:
    """Character CRF tagger; trained by :meth:`fit`, not by ``nlp.update``."""

    def __init__(self, vocab, name: str = "corpus_sz_crf", c1: float = 0.1, c2: float = 0.01,
                 max_iterations: int = 300):
        self.vocab = vocab
        self.name = name
        self.params = {"c1": float(c1), "c2": float(c2), "max_iterations": int(max_iterations)}
        self.max_piece_chars = MAX_PIECE_CHARS
        self.gazetteer = Gazetteer()
        self.model = b""
        self._tagger = None

    # -- training ----------------------------------------------------------------
    def fit(self, groups: Sequence[tuple[Sequence[tuple[Doc, list[CharSpan]]], Iterable[dict]]],
            entries: Iterable[dict], max_piece_chars: int = MAX_PIECE_CHARS) -> None:
        """Train on groups of (examples, gazetteer entries for these examples).

        Each group is one training document with the jackknifed gazetteer entries
        of the other documents; ``entries`` is the gazetteer used at tagging time;
        ``max_piece_chars`` is the training chunks' length limit, kept for tagging.
        CRFsuite's L-BFGS training is deterministic.
        """
        import pycrfsuite

        trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
        for examples, group_entries in groups:
            gaz = Gazetteer(group_entries)
            for doc, spans in examples:
                trainer.append(char_features(doc, gaz), char_labels(doc.text, spans))
        trainer.set_params({**self.params, "feature.possible_transitions": True})
        with tempfile.TemporaryDirectory(prefix="corpus_sz_crf_") as tmp:
            trainer.train(str(Path(tmp) / "model.crfsuite"))
            self.model = (Path(tmp) / "model.crfsuite").read_bytes()
        self.gazetteer = Gazetteer(entries)
        self.max_piece_chars = int(max_piece_chars)
        self._tagger = None

    # -- tagging -------------------------------------------------------------------
    def _get_tagger(self):
        if self._tagger is None:
            import pycrfsuite

            if not self.model:
                raise ValueError(f"{self.name}: the CRF tagger is not trained")
            self._tagger = pycrfsuite.Tagger()
            self._tagger.open_inmemory(self.model)
        return self._tagger

    @property
    def labels(self) -> tuple[str, ...]:
        """The entity labels the trained model can assign."""
        if not self.model:
            return ()
        return tuple(sorted({t[2:] for t in self._get_tagger().labels() if t != "O"}))

    def predict(self, doc: Doc) -> list[CharSpan]:
        """Character spans of ``doc``, tagged sentence by sentence (pieces of at most
        ``max_piece_chars``), as the model was trained; memory stays bounded on a long text."""
        return [span[:3] for span in self.predict_with_confidence(doc)]

    def predict_with_confidence(self, doc: Doc) -> list[tuple[int, int, str, float]]:
        """(start, end, label, confidence): the confidence of a span is the smallest marginal
        probability of its characters' tags (docs/evaluation.md relates it to precision)."""
        from .segmenter import chunk_spans

        tagger = self._get_tagger()
        text = doc.text
        out: list[tuple[int, int, str, float]] = []
        for s, e in chunk_spans(text, max_chars=self.max_piece_chars):
            if text[s:e].strip():
                tags = tagger.tag(char_features(doc, self.gazetteer, s, e, text))
                for a, b, label in decode(tags):
                    conf = min(tagger.marginal(tags[k], k) for k in range(a, b))
                    out.append((s + a, s + b, label, round(conf, 4)))
        return out

    def __call__(self, doc: Doc) -> Doc:
        """Add the tagged spans; entities already set (by a component before this one) are kept."""
        spans, confidence = [], {}
        for s, e, label, conf in self.predict_with_confidence(doc):
            span = doc.char_span(s, e, label=label, alignment_mode="expand")
            if span is not None and span.text.strip():
                spans.append(span)
                confidence[(span.start, span.end, span.label_)] = conf
        taken = {i for ent in doc.ents for i in range(ent.start, ent.end)}
        new = [sp for sp in filter_spans(spans) if not any(i in taken for i in range(sp.start, sp.end))]
        doc.set_ents(sorted([*doc.ents, *new], key=lambda sp: sp.start))
        for sp in new:
            sp._.set(CONFIDENCE_EXT, confidence[(sp.start, sp.end, sp.label_)])
        return doc

    # -- serialisation -----------------------------------------------------------------
    def _state(self) -> dict:
        return {"params": self.params, "max_piece_chars": self.max_piece_chars, "gazetteer": self.gazetteer.forms}

    def _set_state(self, state: dict, model: bytes) -> None:
        self.params = dict(state["params"])
        self.max_piece_chars = int(state.get("max_piece_chars", MAX_PIECE_CHARS))
        self.gazetteer = Gazetteer.from_forms(state["gazetteer"])
        self.model = model
        self._tagger = None

    def to_bytes(self, *, exclude=tuple()) -> bytes:
        return srsly.msgpack_dumps({"state": self._state(), "model": self.model})

    def from_bytes(self, data: bytes, *, exclude=tuple()) -> "CharCRF":
        d = srsly.msgpack_loads(data)
        self._set_state(d["state"], d["model"])
        return self

    def to_disk(self, path, *, exclude=tuple()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "crf.json", self._state())
        (path / "model.crfsuite").write_bytes(self.model)

    def from_disk(self, path, *, exclude=tuple()) -> "CharCRF":
        path = Path(path)
        self._set_state(srsly.read_json(path / "crf.json"), (path / "model.crfsuite").read_bytes())
        return self


@Language.factory("corpus_sz_crf", assigns=["doc.ents"],
                  default_config={"c1": 0.1, "c2": 0.01, "max_iterations": 300})
def make_crf(nlp: Language, name: str, c1: float, c2: float, max_iterations: int) -> CharCRF:
    return CharCRF(nlp.vocab, name, c1, c2, max_iterations)
