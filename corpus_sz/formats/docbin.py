"""spaCy DocBin (``.spacy``): one ``Doc`` per report, mentions as ``doc.ents``.

Each mention is an entity span with ``label_`` and ``kb_id_`` (the authority
record id). The document id is ``doc.user_data["doc_id"]``; unreviewed
machine annotations are listed in ``doc.user_data["machine"]`` as
``[start_char, end_char, cert]``. Tokens are single characters (as in the
Hugging Face ``ner`` config), so every span is token-aligned and
``doc.text`` is the document text exactly; offsets are code points.

spaCy is imported only when this format is used.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import CorpusError
from ..model import Document
from ..xmlutil import atomic_write
from .merge import E503, MACHINE_RESP, ToolDoc, ToolSpan, shape_error

SUFFIX = ".spacy"
USER_DATA = {
    "type": "object",
    "properties": {
        "doc_id": {"type": ["string", "null"]},
        "machine": {"type": "array",
                    "items": {"type": "array", "minItems": 3, "maxItems": 3,
                              "prefixItems": [{"type": "integer"}, {"type": "integer"},
                                              {"type": ["string", "number", "null"]}]}},
    },
}


def _spacy():
    try:
        import spacy  # noqa: F401
        from spacy.tokens import Doc, DocBin, Span
        from spacy.vocab import Vocab
    except ImportError:
        raise CorpusError(E503, "the docbin format needs spaCy", hint="pip install 'spacy>=3.8,<3.9'") from None
    return Doc, DocBin, Span, Vocab


def to_spacy(doc: Document, vocab=None):
    """The report as a spaCy ``Doc`` with one token per character."""
    Doc, _, Span, Vocab = _spacy()
    text = doc.text
    sdoc = Doc(vocab or Vocab(), words=list(text), spaces=[False] * len(text))
    ents = sorted(doc.entities, key=lambda e: (e.start, e.end))
    sdoc.ents = [Span(sdoc, e.start, e.end, label=e.label, kb_id=e.ref or "") for e in ents]
    sdoc.user_data["doc_id"] = doc.id
    machine = [[e.start, e.end, e.cert] for e in ents if e.resp == MACHINE_RESP]
    if machine:
        sdoc.user_data["machine"] = machine
    return sdoc


def read(path: Path) -> list[ToolDoc]:
    _, DocBin, _, Vocab = _spacy()
    try:
        db = DocBin(store_user_data=True).from_disk(path)
        docs = list(db.get_docs(Vocab()))
    except FileNotFoundError:
        raise CorpusError(E503, "no such file", path=str(path)) from None
    except Exception as e:  # a truncated or foreign file: zlib, msgpack or spaCy errors
        raise CorpusError(E503, f"not a spaCy DocBin file ({type(e).__name__})", path=str(path),
                          hint="give a .spacy file written by DocBin.to_disk") from None
    out = []
    for k, sdoc in enumerate(docs, 1):
        # user_data is free-form: check the two keys the import reads, as for the JSON formats
        ud = {key: _listed(sdoc.user_data[key]) for key in ("doc_id", "machine") if key in sdoc.user_data}
        problem = shape_error(ud, USER_DATA)
        if problem:
            raise CorpusError(E503, f"doc {k}: user_data.{problem}", path=str(path),
                              hint="doc.user_data[\"doc_id\"] is the document id and \"machine\" a list of "
                                   "[start_char, end_char, cert]; nothing was written")
        machine = {(m[0], m[1]): m[2] for m in ud.get("machine") or ()}
        td = ToolDoc(sdoc.text, [], ud.get("doc_id"), f"doc {k}", str(path))
        for j, ent in enumerate(sdoc.ents, 1):
            sp = ToolSpan(ent.start_char, ent.end_char, ent.label_, ent.kb_id_ or None, ent.text, f"entity {j}")
            if (ent.start_char, ent.end_char) in machine:
                cert = machine[(ent.start_char, ent.end_char)]
                sp.machine, sp.cert = True, None if cert is None else str(cert)
            td.spans.append(sp)
        out.append(td)
    return out


def _listed(v: object) -> object:
    """``v`` with tuples as lists: msgpack gives tuples, JSON Schema arrays are lists."""
    if isinstance(v, (list, tuple)):
        return [_listed(x) for x in v]
    return v


def write_docbin(docs: list[Document], path: Path) -> Path:
    _, DocBin, _, Vocab = _spacy()
    vocab = Vocab()
    db = DocBin(store_user_data=True)
    for d in docs:
        db.add(to_spacy(d, vocab))
    atomic_write(path, db.to_bytes())
    return Path(path)


def write(doc: Document, out: Path, authority=None) -> list[Path]:
    return [write_docbin([doc], Path(out) / f"{doc.id}{SUFFIX}")]


def write_config(out: Path) -> list[Path]:
    return []
