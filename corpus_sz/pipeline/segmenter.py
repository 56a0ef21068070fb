"""Word segmentation: a pkuseg model trained offline on silver jieba segmentation.

No pretrained pkuseg model can be downloaded, so the pipeline trains its own:

1. the corpus text is segmented with jieba (MIT licence, ships its dictionary);
2. the silver tokens are split wherever a gold entity starts or ends, so every
   gold boundary is a token boundary in the training data (:func:`force_boundaries`);
3. spacy_pkuseg's CRF trainer learns from one sentence per line, with a fixed
   seed (:func:`train_pkuseg`); rare features are trimmed and near-zero weights
   pruned to keep the model small; the weights file is rewritten with fixed zip
   timestamps so that the same input gives the same bytes.

:func:`boundary_alignment` measures the share of gold entity boundaries that fall
on token boundaries, the quantity that bounds the recall of a token-level tagger.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import random
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from ..model import Document
from ..structure import split_sentences

Progress = Callable[[str], None]

# pkuseg's own preprocessing treats these as one class (keyword_rename); they are
# also the characters its training-file format cannot carry inside a word.
_WS = set(" \t\r\n\u3000\u00a0\u2002\u2003\u2009\u200b")


def _quiet() -> Progress:
    return lambda _msg: None


# -- silver segmentation ------------------------------------------------------
_JIEBA = None


def jieba_tokenizer():
    """A private jieba tokenizer with its shipped dictionary (no network, deterministic)."""
    global _JIEBA
    if _JIEBA is None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        tok = jieba.Tokenizer()
        with contextlib.redirect_stderr(io.StringIO()):
            tok.initialize()
        _JIEBA = tok
    return _JIEBA


def silver_words(text: str) -> list[str]:
    """jieba's segmentation of ``text`` (HMM on); concatenated, the words give ``text`` back."""
    return jieba_tokenizer().lcut(text, HMM=True)


def force_boundaries(words: Sequence[str], cuts: Iterable[int]) -> list[str]:
    """Split ``words`` so that each offset in ``cuts`` (into ``"".join(words)``) is a boundary."""
    cuts = sorted(set(cuts))
    out: list[str] = []
    pos, k = 0, 0
    for w in words:
        end = pos + len(w)
        while k < len(cuts) and cuts[k] <= pos:
            k += 1
        start = pos
        while k < len(cuts) and cuts[k] < end:
            out.append(w[start - pos: cuts[k] - pos])
            start = cuts[k]
            k += 1
        out.append(w[start - pos:])
        pos = end
    return [w for w in out if w]


def _split_ws(words: Iterable[str]) -> list[str]:
    """Drop whitespace: pkuseg's files separate words by it and its cut() splits on it."""
    out: list[str] = []
    for w in words:
        cur = ""
        for ch in w:
            if ch in _WS or ch.isspace():
                if cur:
                    out.append(cur)
                cur = ""
            else:
                cur += ch
        if cur:
            out.append(cur)
    return out


_SOFT_BREAKS = set("，；、：,;:　 ")


def chunk_spans(text: str, ents: Sequence[tuple[int, int]] = (), max_chars: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans of a paragraph (local offsets) that never cut through an entity.

    With ``max_chars``, a longer sentence is cut after the last comma-like mark
    within the limit (or hard at the limit), so that the tagger never sees an
    unbounded run of text.
    """
    spans, pos = [], 0
    for s in split_sentences(text):
        spans.append((pos, pos + len(s)))
        pos += len(s)
    if pos < len(text):
        spans.append((pos, len(text)))
    if max_chars:
        cut: list[tuple[int, int]] = []
        for s, e in spans:
            while e - s > max_chars:
                window = text[s:s + max_chars]
                k = max((i for i, ch in enumerate(window) if ch in _SOFT_BREAKS), default=-1)
                stop = s + (k + 1 if k >= max_chars // 3 else max_chars)
                if 0xDC00 <= ord(text[stop - 1]) <= 0xDFFF or 0xD800 <= ord(text[stop - 1]) <= 0xDBFF:
                    stop += 1  # never split a lone surrogate pair (only in badly decoded text)
                cut.append((s, stop))
                s = stop
            cut.append((s, e))
        spans = cut
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and any(a < s < b for a, b in ents):  # an entity crosses the cut: rejoin
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return [(s, e) for s, e in merged if e > s]


def paragraph_entities(doc: Document) -> list[tuple[str, int, list[tuple[int, int, str, str | None]]]]:
    """(paragraph text, paragraph start, entities in local offsets) for every paragraph."""
    out = []
    ents = sorted(doc.entities, key=lambda e: (e.start, e.end))
    i = 0
    for p in doc.paragraphs:
        local = []
        while i < len(ents) and ents[i].start < p.start:
            i += 1
        j = i
        while j < len(ents) and ents[j].end <= p.end:
            e = ents[j]
            local.append((e.start - p.start, e.end - p.start, e.label, e.ref))
            j += 1
        out.append((p.text, p.start, local))
    return out


def silver_lines(docs: Iterable[Document], extra_words: Iterable[str] = ()) -> list[str]:
    """pkuseg training lines: one sentence per line, jieba words split at gold entity boundaries.

    ``extra_words`` (gazetteer forms) are added one per line, so that they enter
    pkuseg's word list, which its CRF uses as context features (a soft dictionary,
    unlike the user dictionary, which forces matches).
    """
    lines: list[str] = []
    for doc in docs:
        for text, _, ents in paragraph_entities(doc):
            spans = [(s, e) for s, e, _, _ in ents]
            for cs, ce in chunk_spans(text, spans):
                sent = text[cs:ce]
                cuts = [x - cs for s, e in spans for x in (s, e) if cs < x < ce]
                words = _split_ws(force_boundaries(silver_words(sent), cuts))
                if words:
                    lines.append(" ".join(words))
    for w in sorted(set(extra_words)):
        words = _split_ws([w])
        if words:
            lines.append(" ".join(words))
    return lines


# -- pkuseg training ------------------------------------------------------------
@dataclass
class SegmenterSettings:
    iterations: int = 10
    feature_trim: int = 1  # drop features seen at most this often
    prune: float = 1e-3  # drop features whose weights are all below this (absolute)
    seed: int = 0
    postprocess: bool = False  # pkuseg's merge of adjacent words found in its default dictionary


def train_pkuseg(lines: Sequence[str], out_dir: Path, settings: SegmenterSettings | None = None,
                 progress: Progress | None = None) -> Path:
    """Train a pkuseg model on segmented ``lines`` into ``out_dir``; deterministic for a seed."""
    import spacy_pkuseg
    from spacy_pkuseg.config import config as pconf

    settings = settings or SegmenterSettings()
    progress = progress or _quiet()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    saved = {k: getattr(pconf, k) for k in ("featureTrim", "nThread", "modelDir")}
    with tempfile.TemporaryDirectory(prefix="corpus_sz_pkuseg_") as tmp:
        train_file = Path(tmp) / "train.txt"
        test_file = Path(tmp) / "test.txt"
        train_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        # pkuseg scores a test file after every iteration; a small sample keeps that cheap
        test_file.write_text("\n".join(lines[:: max(1, len(lines) // 50)]) + "\n", encoding="utf-8")
        random.seed(settings.seed)
        np.random.seed(settings.seed)
        pconf.featureTrim = settings.feature_trim
        buf = _ProgressWriter(progress)
        try:
            with contextlib.redirect_stdout(buf):
                spacy_pkuseg.train(str(train_file), str(test_file), str(out_dir), train_iter=settings.iterations)
        finally:
            for k, v in saved.items():
                setattr(pconf, k, v)
    prune_model(out_dir, settings.prune)
    return out_dir


class _ProgressWriter(io.TextIOBase):
    """Collects pkuseg's prints and passes on the per-iteration lines."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.buf = ""

    def write(self, s: str) -> int:
        self.buf += s
        while "\n" in self.buf:
            line, self.buf = self.buf.split("\n", 1)
            if line.startswith("iter"):
                self.progress("  segmenter " + line.split("  train-time")[0].strip())
        return len(s)


def prune_model(model_dir: Path, threshold: float) -> None:
    """Drop features whose weights are all near zero, renumber, and write deterministic files."""
    import srsly

    model_dir = Path(model_dir)
    feats = srsly.read_msgpack(model_dir / "features.msgpack")
    with np.load(model_dir / "weights.npz") as npz:
        sizes, w = npz["sizes"].copy(), npz["w"].copy()
    n_tag, n_feature = int(sizes[0]), int(sizes[1])
    node = w[: n_tag * n_feature].reshape(n_feature, n_tag)
    edge = w[n_tag * n_feature:]
    keep = np.abs(node).max(axis=1) >= threshold
    keep[0] = True  # the "$$" start feature every node has
    by_idx = sorted(feats["feature_to_idx"].items(), key=lambda kv: kv[1])
    new_map: dict[str, int] = {}
    rows = []
    for name, idx in by_idx:
        if keep[idx]:
            new_map[name] = len(rows)
            rows.append(idx)
    node = node[rows]
    feats["feature_to_idx"] = new_map
    # inference looks words up in the unigram list (a missing word turns into "**noWord" and
    # fires other features), so it stays whole; the bigram list only serves training
    feats["unigram"] = sorted(feats["unigram"])
    feats["bigram"] = []
    new_w = np.concatenate([node.reshape(-1), edge]).astype(np.float64)
    srsly.write_msgpack(model_dir / "features.msgpack", feats)
    write_npz(model_dir / "weights.npz", sizes=np.array([n_tag, len(rows)]), w=new_w)


def write_npz(path: Path, **arrays: np.ndarray) -> None:
    """Like numpy.savez, but with fixed zip timestamps (same arrays → same bytes)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(arrays):
            bio = io.BytesIO()
            np.lib.format.write_array(bio, np.asanyarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, bio.getvalue())
    os.replace(tmp, path)


def normalize_npz_files(folder: Path) -> None:
    """Rewrite every .npz below ``folder`` deterministically (spaCy saves pkuseg weights with np.savez)."""
    for p in sorted(Path(folder).rglob("*.npz")):
        with np.load(p) as npz:
            arrays = {k: npz[k].copy() for k in npz.files}
        write_npz(p, **arrays)


# -- using the model -----------------------------------------------------------
def make_tokenizer_nlp(pkuseg_dir: Path, user_dict: Iterable[str] | None = None, postprocess: bool = False):
    """A blank spaCy ``zh`` pipeline whose tokenizer is the pkuseg model in ``pkuseg_dir``."""
    from spacy.lang.zh import Chinese

    nlp = Chinese.from_config({"nlp": {"tokenizer": {"segmenter": "pkuseg"}}})
    configure_tokenizer(nlp, pkuseg_dir, user_dict, postprocess)
    return nlp


def configure_tokenizer(nlp, pkuseg_dir: Path, user_dict: Iterable[str] | None = None,
                        postprocess: bool = False) -> None:
    with contextlib.redirect_stderr(io.StringIO()):
        nlp.tokenizer.initialize(pkuseg_model=str(pkuseg_dir), pkuseg_user_dict="default")
    seg = nlp.tokenizer.pkuseg_seg
    seg.postprocesser.do_process = postprocess
    if not postprocess:
        seg.postprocesser.common_words = set()
        seg.postprocesser.other_words = set()
    if user_dict:
        nlp.tokenizer.pkuseg_update_user_dict(sorted(set(user_dict)), reset=True)


def token_boundaries(tokens, length: int) -> set[int]:
    """Offsets where a token starts or ends, plus the ends of the text."""
    out = {0, length}
    for t in tokens:
        out.add(t.idx)
        out.add(t.idx + len(t.text))
    return out


@dataclass
class Alignment:
    aligned: int = 0
    total: int = 0
    entities_ok: int = 0
    entities: int = 0
    misses: list | None = None

    @property
    def share(self) -> float:
        return self.aligned / self.total if self.total else 1.0

    @property
    def entity_share(self) -> float:
        return self.entities_ok / self.entities if self.entities else 1.0

    def add(self, other: "Alignment") -> "Alignment":
        return Alignment(self.aligned + other.aligned, self.total + other.total,
                         self.entities_ok + other.entities_ok, self.entities + other.entities,
                         (self.misses or []) + (other.misses or []))


def boundary_alignment(docs: Iterable[Document], tokenize: Callable[[str], object],
                       keep_misses: int = 20) -> Alignment:
    """Share of gold entity boundaries (starts and ends) that are token boundaries.

    Text is tokenized paragraph by paragraph, as the tagger sees it.
    """
    res = Alignment(misses=[])
    for doc in docs:
        for text, _, ents in paragraph_entities(doc):
            if not ents:
                continue
            bounds = token_boundaries(tokenize(text), len(text))
            for s, e, label, _ in ents:
                ok = (s in bounds) + (e in bounds)
                res.aligned += ok
                res.total += 2
                res.entities += 1
                res.entities_ok += ok == 2
                if ok < 2 and len(res.misses) < keep_misses:
                    res.misses.append((doc.id, text[max(0, s - 4):e + 4], text[s:e], label))
    return res
