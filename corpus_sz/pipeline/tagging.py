"""Tagging raw text with the pipeline, in bounded memory.

The text is read whole (a report is at most a few MB), but the pipeline only
ever sees short pieces: lines, cut into sentences, and sentences longer than
the configured limit cut at a comma-like mark. Pieces go through ``nlp.pipe``
in batches and entities come out as a stream, with code-point offsets into the
text exactly as given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from ..model import Block, Document, Entity, Piece
from .segmenter import chunk_spans

TAGGER_RESP = "#corpus_sz_tagger"
# thresholds on the CRF's confidence in a span (Span._.corpus_sz_confidence) for its TEI cert
CONFIDENT, DOUBTFUL = 0.9, 0.7
DEFAULT_MAX_CHARS = 300


@dataclass(frozen=True)
class Tagged:
    start: int
    end: int
    label: str
    text: str
    ref: str | None
    source: str  # "gazetteer" | "tagger"
    link: str | None  # how the linker found the record, None when unlinked
    confidence: float | None = None  # the CRF tagger's confidence (None for a gazetteer match)

    @property
    def cert(self) -> str:
        """TEI certainty for a reviewer, by what cross-validation showed to be right most often.

        high: a tagged span the CRF is confident of (>= CONFIDENT) that links to a record;
        low: a tagged span the CRF doubts (< DOUBTFUL), or an unlinked gazetteer match;
        medium: the rest (the gazetteer fills gaps after the tagger, where it is less
        precise than the tagger's confident spans). The precision of each level is
        measured in docs/evaluation.md.
        """
        if self.confidence is None:
            return "medium" if self.ref else "low"
        if self.confidence < DOUBTFUL:
            return "low"
        return "high" if self.ref and self.confidence >= CONFIDENT else "medium"

    def to_entity(self, shift: int = 0) -> Entity:
        return Entity(self.start - shift, self.end - shift, self.label, self.ref, self.text, TAGGER_RESP, self.cert)


def max_chars_of(nlp) -> int:
    return int(nlp.meta.get("corpus_sz", {}).get("max_chunk_chars", DEFAULT_MAX_CHARS))


def iter_pieces(text: str, max_chars: int = DEFAULT_MAX_CHARS) -> Iterator[tuple[str, int]]:
    """(piece, offset) for the non-blank pieces of ``text``: lines cut into sentence chunks."""
    pos = 0
    n = len(text)
    while pos <= n:
        nl = text.find("\n", pos)
        end = n if nl < 0 else nl
        line = text[pos:end]
        if line.strip():
            for s, e in chunk_spans(line, (), max_chars):
                piece = line[s:e]
                if piece.strip():
                    yield piece, pos + s
        if nl < 0:
            break
        pos = nl + 1


def _ents(doc, offset: int) -> Iterator[Tagged]:
    from .components import LINK_EXT
    from .crf import CONFIDENCE_EXT

    for ent in doc.ents:
        link = ent._.get(LINK_EXT) if ent.has_extension(LINK_EXT) else None
        yield Tagged(offset + ent.start_char, offset + ent.end_char, ent.label_, ent.text,
                     ent.kb_id_ or None, "gazetteer" if ent.ent_id_ else "tagger", link if ent.kb_id_ else None,
                     ent._.get(CONFIDENCE_EXT))


def tag_stream(nlp, text: str, batch_size: int = 64, max_chars: int | None = None) -> Iterator[Tagged]:
    """Entities of ``text`` in document order, streamed; offsets count code points of ``text``."""
    max_chars = max_chars or max_chars_of(nlp)
    pieces = iter_pieces(text, max_chars)
    for doc, offset in nlp.pipe(pieces, as_tuples=True, batch_size=batch_size):
        yield from _ents(doc, offset)


def predict_document(nlp, text: str, batch_size: int = 64) -> list[Tagged]:
    return list(tag_stream(nlp, text, batch_size=batch_size))


# -- TEI for review ------------------------------------------------------------------------
_YEAR = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])")


def doc_id_for(path: Path, text: str = "") -> str:
    """A document id of the corpus's form (letters, a year: ``hunnan-2021``) for a tagged file.

    Letters come from the file name (pinyin for Chinese), the year from the
    file name or else the first line of the text; ``0000`` when there is none.
    """
    from ..authority import slug

    stem = Path(path).stem
    letters = "".join(re.findall(r"[a-z]+", slug(re.sub(r"[0-9]+", " ", stem)))) or "report"
    m = _YEAR.search(stem) or _YEAR.search(text[:200])
    return f"{letters[:40]}-{m.group(0) if m else '0000'}"


def tagged_document(path: Path, text: str, ents: Iterable[Tagged]) -> Document:
    """A Document of the file's non-blank lines as paragraphs, with the machine entities.

    Lines are taken as they are except for a trailing carriage return; offsets
    are moved from the file text to the document text (lines joined by "\\n").
    """
    blocks: list[Block] = []
    shifts: list[tuple[int, int, int]] = []  # file start, file end, doc start of each kept line
    pos, dpos = 0, 0
    for raw in text.split("\n"):
        line = raw[:-1] if raw.endswith("\r") else raw
        if line.strip():
            blocks.append(Block("p", [Piece("text", line, line)]))
            shifts.append((pos, pos + len(line), dpos))
            dpos += len(line) + 1
        pos += len(raw) + 1
    entities = []
    k = 0
    for t in sorted(ents, key=lambda t: (t.start, t.end)):
        while k < len(shifts) and shifts[k][1] < t.end:
            k += 1
        if k == len(shifts) or t.start < shifts[k][0]:
            continue  # crosses a line (cannot happen: pieces never span lines)
        delta = shifts[k][0] - shifts[k][2]
        entities.append(t.to_entity(delta))
    md = {"id": doc_id_for(path, text), "title": Path(path).name, "language": "zh-Hans", "kind": "unreviewed",
          "source": str(path)}
    return Document(id=md["id"], metadata=md, body=blocks, entities=entities)


def tei_bytes(path: Path, text: str, ents: Iterable[Tagged]) -> bytes:
    from ..tei import document_to_tei

    return document_to_tei(tagged_document(path, text, ents))
