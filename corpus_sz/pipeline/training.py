"""Training the pipeline: segmenter, gazetteer, tagger and linker, deterministically.

:func:`fit` trains everything from a list of gold documents and returns a live
``nlp`` (used by cross-validation); :func:`train` trains on the whole corpus and
writes the model folder atomically, with the hash of its inputs and its metrics
in ``meta.json``.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import tempfile
import time
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

from ..model import LABELS, Document
from ..version import __version__
from .segmenter import (SegmenterSettings, chunk_spans, normalize_npz_files, paragraph_entities,
                        silver_lines, train_pkuseg)

Progress = Callable[[str], None]

CONFIG_PATH = Path(__file__).resolve().parent / "config.cfg"
MODEL_NAME = "corpus_sz"
# Bumped when the training procedure changes in a way that changes the model.
TRAINING_VERSION = "4"


def _quiet(_msg: str) -> None:
    pass


# -- configuration --------------------------------------------------------------
@dataclass
class Settings:
    segmenter_iterations: int = 10
    segmenter_feature_trim: int = 1
    segmenter_prune: float = 1e-3
    segmenter_user_dict: bool = False
    ruler_min_precision: float = 0.5
    max_chunk_chars: int = 300
    augment_copies: int = 0
    seed: int = 0
    epochs: int = 30
    dropout: float = 0.2

    def segmenter(self) -> SegmenterSettings:
        return SegmenterSettings(iterations=self.segmenter_iterations, feature_trim=self.segmenter_feature_trim,
                                 prune=self.segmenter_prune, seed=self.seed)


_CONFIG_HINT = "pass --config a spaCy training config; corpus_sz/pipeline/config.cfg is the shipped one"


def _unreadable_config(path: Path, e: OSError):
    from ..errors import E514, CorpusError

    return CorpusError(E514, f"cannot read the training config: {e.strerror or e}", path=str(path),
                       hint=_CONFIG_HINT)


def _read_config(path: Path):
    """spaCy's config reader, with a missing or malformed file as one CorpusError (E514)."""
    import re

    from confection import ConfigValidationError
    from spacy import util

    from ..errors import E514, CorpusError

    try:
        return util.load_config(path, interpolate=False)
    except OSError as e:
        raise _unreadable_config(path, e) from None
    except ConfigValidationError as e:
        text = str(e)
        line = re.search(r"line: (\d+)", text)
        detail = " ".join(x.strip() for x in text.splitlines() if x.strip() and not x.startswith(("file:", "'")))
        raise CorpusError(E514, f"malformed training config: {detail}", path=str(path),
                          line=int(line.group(1)) if line else None, hint=_CONFIG_HINT) from None


def load_config(path: Path | None = None):
    """(spaCy config without the [corpus_sz] section, Settings)."""
    path = path or CONFIG_PATH
    cfg = _read_config(path)
    if "corpus_sz" not in cfg:
        from ..errors import E514, CorpusError

        raise CorpusError(E514, "the training config has no [corpus_sz] section", path=str(path),
                          hint="start from corpus_sz/pipeline/config.cfg, which has the corpus_sz settings")
    own = dict(cfg["corpus_sz"])
    spacy_cfg = cfg.copy()  # a deep copy: spaCy gets the config without the project's own section
    del spacy_cfg["corpus_sz"]
    st = Settings(**{k: v for k, v in own.items() if k in Settings.__dataclass_fields__})
    st.seed = int(cfg["system"]["seed"])
    st.epochs = int(cfg["training"]["max_epochs"])
    st.dropout = float(cfg["training"]["dropout"])
    return spacy_cfg, st


# -- input hash --------------------------------------------------------------------
def input_hash(corpus, config_path: Path | None = None) -> str:
    """sha256 of what the model is trained from: gold text and entities, authority, config.

    It is computed from content, not file bytes, so that a change of header
    (a release date, an edition number) does not call for retraining.
    """
    h = hashlib.sha256()
    h.update(f"training {TRAINING_VERSION}\n".encode())
    cfg_path = Path(config_path or CONFIG_PATH)
    try:
        h.update(cfg_path.read_bytes())
    except OSError as e:
        raise _unreadable_config(cfg_path, e) from None
    for d in sorted(corpus, key=lambda d: d.id):
        h.update(f"\ndoc {d.id}\n".encode())
        h.update(d.text.encode("utf-8"))
        for e in sorted(d.entities, key=lambda e: (e.start, e.end, e.label)):
            h.update(f"\n{e.start}\t{e.end}\t{e.label}\t{e.ref}".encode())
    for r in sorted(corpus.authority, key=lambda r: r.id):
        h.update(f"\nrecord {r.id}\t{r.label}\t{r.name}\t{'|'.join(r.aliases)}".encode("utf-8"))
    return h.hexdigest()


# -- gazetteer entries and patterns ----------------------------------------------------
def mention_entries(docs: Iterable[Document]) -> list[dict]:
    """Alias-table entries from gold mentions: each (form, label, ref) with its count."""
    c = Counter((e.text, e.label, e.ref) for d in docs for e in d.entities if e.ref)
    return [{"form": f, "label": l, "ref": r, "count": n, "name": False} for (f, l, r), n in sorted(c.items())]


def gazetteer_entries(docs: Iterable[Document], authority=None) -> list[dict]:
    """Mentions of ``docs`` plus, when given, every name and alias of the ``authority``."""
    from .components import link_entries_from_authority

    entries = mention_entries(docs)
    if authority is not None:
        seen = {(e["form"], e["label"], e["ref"]) for e in entries}
        names = {(e["form"], e["label"], e["ref"]) for e in link_entries_from_authority(authority) if e["name"]}
        for e in entries:
            e["name"] = (e["form"], e["label"], e["ref"]) in names
        for e in link_entries_from_authority(authority):
            if (e["form"], e["label"], e["ref"]) not in seen:
                entries.append(e)
    return entries


def _occurrences(text: str, form: str) -> Iterable[int]:
    i = text.find(form)
    while i >= 0:
        yield i
        i = text.find(form, i + len(form))


def ruler_patterns(nlp, entries: Sequence[dict], docs: Sequence[Document], min_precision: float,
                   max_chunk_chars: int = 300) -> tuple[list[dict], dict]:
    """Patterns for spaCy's entity_ruler: each alias as a phrase, plus its other tokenizations.

    A phrase pattern is tokenized on its own; an alias that the segmenter splits
    differently where it occurs in the training text also gets a token pattern
    for each such tokenization (phrase patterns go through the fast
    PhraseMatcher, token patterns through the slower Matcher). An alias is dropped when, in the training text, less than
    ``min_precision`` of its token-aligned occurrences are gold mentions with its
    label (和平 the district vs 和平 in a phrase). Occurrences inside a longer gold
    mention (浑南 in 浑南科技城) do not count against it: the ruler runs after the
    tagger and only fills gaps, so the tagger's longer span comes first.
    """
    by_form: dict[str, Counter] = defaultdict(Counter)  # form -> Counter((label, ref))
    for e in entries:
        by_form[e["form"]][(e["label"], e["ref"])] += e.get("count", 0) + 1
    forms = sorted(by_form)
    seqs: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    occ: Counter = Counter()
    hits: Counter = Counter()  # (form, label)
    for doc in docs:
        for text, _, ents in paragraph_entities(doc):
            gold = {(s, e): lab for s, e, lab, _ in ents}
            present = [f for f in forms if f in text]
            if not present:
                continue
            for cs, ce in chunk_spans(text, [(s, e) for s, e, _, _ in ents], max_chunk_chars):
                chunk = text[cs:ce]
                pf = [f for f in present if f in chunk]
                if not pf:
                    continue
                tdoc = nlp.make_doc(chunk)
                starts = {t.idx: t.i for t in tdoc}
                ends = {t.idx + len(t.text): t.i for t in tdoc}
                for f in pf:
                    for i in _occurrences(chunk, f):
                        j = i + len(f)
                        if i not in starts or j not in ends:
                            continue
                        seqs[f].add(tuple(t.text for t in tdoc[starts[i]:ends[j] + 1]))
                        lab = gold.get((cs + i, cs + j))
                        if lab:
                            hits[(f, lab)] += 1
                            occ[f] += 1
                        elif any(s < cs + j and cs + i < e for s, e in gold):
                            continue  # inside another mention: the tagger's span comes first
                        else:
                            occ[f] += 1
    patterns, stats = [], {"forms": len(forms), "dropped": 0, "patterns": 0}
    for f in forms:
        (label, ref), _ = sorted(by_form[f].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        if occ[f] and hits[(f, label)] / occ[f] < min_precision:
            stats["dropped"] += 1
            continue
        # the alias as a phrase (tokenized on its own, matched by the fast PhraseMatcher) and, as
        # token patterns, only the tokenizations seen in context that differ from that
        alone = tuple(t.text for t in nlp.make_doc(f))
        patterns.append({"label": label, "pattern": f, "id": ref})
        for v in sorted(set(seqs[f]) - {alone}):
            if v:
                patterns.append({"label": label, "pattern": [{"ORTH": t} for t in v], "id": ref})
    stats["patterns"] = len(patterns)
    return patterns, stats


# -- training examples -------------------------------------------------------------------
def training_chunks(docs: Iterable[Document], max_chunk_chars: int) -> list[tuple[str, list[tuple[int, int, str]]]]:
    out = []
    for doc in docs:
        for text, _, ents in paragraph_entities(doc):
            spans = [(s, e) for s, e, _, _ in ents]
            for cs, ce in chunk_spans(text, spans, max_chunk_chars):
                local = [(s - cs, e - cs, lab) for s, e, lab, _ in ents if cs <= s and e <= ce]
                if text[cs:ce].strip():
                    out.append((text[cs:ce], local))
    return out


def augment_chunks(chunks, copies: int, seed: int) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """Mention replacement: ``copies`` variants of each chunk with entities, seeded.

    Each gold mention is replaced by a mention of the same label drawn from the
    training chunks, so that the tagger learns from the context and the shape of
    names rather than from memorised forms (most mentions of an unseen report
    are themselves unseen).
    """
    if copies <= 0:
        return []
    pool: dict[str, list[str]] = defaultdict(list)
    for text, ents in chunks:
        for s, e, lab in ents:
            pool[lab].append(text[s:e])
    for lab in pool:
        pool[lab] = sorted(set(pool[lab]))
    rng = random.Random(seed)
    out = []
    for text, ents in chunks:
        if not ents:
            continue
        for _ in range(copies):
            parts, new, pos, length = [], [], 0, 0
            for s, e, lab in sorted(ents):
                form = rng.choice(pool[lab])
                parts += [text[pos:s], form]
                length += s - pos
                new.append((length, length + len(form), lab))
                length += len(form)
                pos = e
            parts.append(text[pos:])
            out.append(("".join(parts), new))
    return out


def build_examples(nlp, chunks) -> tuple[list, int]:
    """spaCy Examples; a gold span that is not token-aligned is marked unknown ("-")."""
    from spacy.training import Example, offsets_to_biluo_tags

    examples, misaligned = [], 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for text, ents in chunks:
            doc = nlp.make_doc(text)
            tags = offsets_to_biluo_tags(doc, ents)
            misaligned += sum(1 for t in tags if t == "-")
            examples.append(Example.from_dict(doc, {"entities": tags}))
    return examples, misaligned


def apply_averages(nlp, optimizer) -> None:
    """Make the optimizer's parameter averages the weights of the models (as spaCy saves them).

    Dropout is set to 0 as well: it is stored with the model, and a model saved
    right after training would otherwise differ from the same model saved after
    a prediction.
    """
    from thinc.api import set_dropout_rate

    for _, proc in nlp.pipeline:
        if getattr(proc, "model", None) is not None and hasattr(proc.model, "walk"):
            set_dropout_rate(proc.model, 0.0)
    if not getattr(optimizer, "averages", None):
        return
    for _, proc in nlp.pipeline:
        model = getattr(proc, "model", None)
        if model is None or not hasattr(model, "walk"):
            continue
        for node in model.walk():
            for name in node.param_names:
                key = (node.id, name)
                if key in optimizer.averages and node.has_param(name):
                    node.set_param(name, optimizer.averages[key].copy())


# -- fitting -------------------------------------------------------------------------------
def jackknife_entries(entries: Sequence[dict], docs: Sequence[Document], held_out: Document) -> list[dict]:
    """The gazetteer a training document's features are computed with: the other documents' mentions.

    Entries not counted from mentions (``count`` 0: district records, authority
    names never written out) are knowledge every document may use.
    """
    prior = [e for e in entries if not e.get("count")]
    return mention_entries([d for d in docs if d.id != held_out.id]) + prior


def fit_crf(nlp, docs: Sequence[Document], entries: Sequence[dict], st: Settings, progress: Progress) -> None:
    """Train the ``corpus_sz_crf`` component on ``docs`` (the tokenizer must be configured).

    Mention replacement (``augment_copies``) swaps mentions within one document,
    so that the jackknifed gazetteer of a document never knows its swapped-in names.
    """
    t0 = time.time()
    groups = []
    for doc in docs:
        chunks = training_chunks([doc], st.max_chunk_chars)
        chunks += augment_chunks(chunks, st.augment_copies, st.seed)
        examples = [(nlp.make_doc(text), ents) for text, ents in chunks]
        groups.append((examples, jackknife_entries(entries, docs, doc)))
    crf = nlp.get_pipe("corpus_sz_crf")
    progress(f"tagger: CRF on {sum(len(g[0]) for g in groups)} chunks of {len(docs)} documents "
             f"(jackknifed gazetteer), {crf.params}")
    crf.fit(groups, entries, st.max_chunk_chars)
    progress(f"tagger: CRF trained ({time.time() - t0:.0f}s)")


def fit(docs: Sequence[Document], entries: Sequence[dict], config_path: Path | None = None,
        progress: Progress | None = None, epochs: int | None = None, settings_override: dict | None = None,
        workdir: Path | None = None):
    """Train a pipeline on ``docs``; ``entries`` fill the gazetteer and the linker. Returns nlp."""
    from spacy import util
    from spacy.util import fix_random_seed, registry

    from .components import district_names
    from .segmenter import configure_tokenizer

    progress = progress or _quiet
    spacy_cfg, st = load_config(config_path)
    for k, v in (settings_override or {}).items():
        setattr(st, k, v)
    if epochs is not None:
        st.epochs = epochs
    t0 = time.time()
    fix_random_seed(st.seed)

    # 1. segmenter
    progress(f"segmenter: jieba silver segmentation of {len(docs)} documents")
    lines = silver_lines(docs)
    tmp = Path(tempfile.mkdtemp(prefix="corpus_sz_fit_", dir=workdir))
    try:
        pk_dir = tmp / "pkuseg"
        progress(f"segmenter: training pkuseg on {len(lines)} lines ({st.segmenter_iterations} iterations)")
        train_pkuseg(lines, pk_dir, st.segmenter(), progress=progress)
        user_dict = sorted({e["form"] for e in entries}) if st.segmenter_user_dict else None

        # 2. the pipeline from the config, its tokenizer on the new segmenter
        spacy_cfg["paths"]["pkuseg_model"] = str(pk_dir)
        nlp = util.load_model_from_config(spacy_cfg, auto_fill=True, validate=True)
        train_cfg = nlp.config.interpolate()["training"]
        optimizer = registry.resolve({"o": train_cfg["optimizer"]})["o"]
        batcher = registry.resolve({"b": train_cfg["batcher"]})["b"]
        # a neural tagger (spaCy's ner) trains by nlp.update on these chunks; the CRF has its own
        # (fit_crf), and spaCy's initialisation only needs some examples
        neural = [n for n, p in nlp.pipeline if getattr(p, "is_trainable", False) and hasattr(p, "update")]
        chunks = training_chunks(docs, st.max_chunk_chars)
        if neural:
            chunks += augment_chunks(chunks, st.augment_copies, st.seed)
        cache: list = []

        def get_examples():
            if not cache:
                configure_tokenizer(nlp, pk_dir, user_dict, postprocess=False)
                cache.extend(build_examples(nlp, chunks)[0])
            return cache

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nlp.initialize(get_examples, sgd=optimizer)
        examples = get_examples()
        nlp._config["paths"]["pkuseg_model"] = None
        if neural:
            progress(f"tagger: {len(examples)} training chunks, "
                     f"{sum(len(e.reference.ents) for e in examples)} gold spans")

        # 3. the CRF tagger (before the gazetteer: the entity_ruler runs the components before it on its patterns)
        if "corpus_sz_crf" in nlp.pipe_names:
            fit_crf(nlp, docs, entries, st, progress)

        # 4. gazetteer and linker
        if "entity_ruler" in nlp.pipe_names:
            patterns, stats = ruler_patterns(nlp, entries, docs, st.ruler_min_precision, st.max_chunk_chars)
            nlp.get_pipe("entity_ruler").add_patterns(patterns)
            progress(f"gazetteer: {stats['patterns']} patterns for {stats['forms'] - stats['dropped']} aliases "
                     f"({stats['dropped']} dropped as imprecise)")
        if "corpus_sz_scheme_rules" in nlp.pipe_names:
            nlp.get_pipe("corpus_sz_scheme_rules").set_district_names(district_names(entries))
        if "corpus_sz_linker" in nlp.pipe_names:
            nlp.get_pipe("corpus_sz_linker").set_entries(entries)

        # 5. a neural tagger
        rng = random.Random(st.seed)
        order = list(range(len(examples)))
        for epoch in range(st.epochs if neural else 0):
            rng.shuffle(order)
            losses: dict = {}
            for batch in batcher([examples[i] for i in order]):
                nlp.update(batch, drop=st.dropout, sgd=optimizer, losses=losses,
                           exclude=[n for n in nlp.pipe_names if n not in neural])
            progress(f"tagger: epoch {epoch + 1}/{st.epochs} loss {losses.get('ner', 0.0):.1f} "
                     f"({time.time() - t0:.0f}s)")
        apply_averages(nlp, optimizer)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return nlp


# -- the shipped model --------------------------------------------------------------------------
def train(out: Path | None = None, corpus_path: Path | None = None, config_path: Path | None = None,
          progress: Progress | None = None, epochs: int | None = None) -> Path:
    """Train on the whole corpus and write the model folder (atomically); returns its path."""
    from .. import load
    from . import MODEL_DIR

    from ..output import check_can_create

    progress = progress or _quiet
    out = check_can_create(Path(out) if out else MODEL_DIR)  # before minutes of training, not after
    corpus = load(corpus_path)
    docs = [d for d in corpus if d.entities]
    if not docs:
        from ..errors import E401, CorpusError

        raise CorpusError(E401, "no document has gold entities to train on",
                          path=str(corpus.folder) if corpus.folder else None)
    ihash = input_hash(corpus, config_path)
    progress(f"training on {len(docs)} documents with entities; input hash {ihash[:12]}")
    entries = gazetteer_entries(docs, corpus.authority)
    _, st = load_config(config_path)
    nlp = fit(docs, entries, config_path, progress, epochs=epochs)
    metrics = training_metrics(nlp, docs)
    cv = _cv_metrics(ihash)
    nlp.meta.update({
        "name": MODEL_NAME, "version": __version__, "lang": "zh",
        "description": "corpus_sz pipeline: pkuseg segmenter trained on silver jieba segmentation, "
                       "character CRF tagger and gazetteer for DISTRICT, ZONE, PROJECT, PROGRAMME, "
                       "linker to the corpus_sz authority records",
        "author": "corpus_sz project", "email": "", "url": "", "license": "MIT (code), CC BY 4.0 (annotations)",
        "requirements": ["spacy-pkuseg", "python-crfsuite", "corpus_sz"],
        "sources": [{"name": "corpus_sz annotations", "url": "", "license": "CC BY 4.0"}],
        "labels": {name: list(LABELS) for name in nlp.pipe_names if name in ("ner", "corpus_sz_crf", "entity_ruler")},
        "corpus_sz": {"input_hash": ihash, "training_version": TRAINING_VERSION,
                      "max_chunk_chars": st.max_chunk_chars, "corpus_version": corpus.version,
                      "documents": sorted(d.id for d in docs),
                      "entities": sum(len(d.entities) for d in docs),
                      "training_metrics": metrics, "cross_validation": cv},
        "performance": {"ents_p": metrics["strict"]["p"], "ents_r": metrics["strict"]["r"],
                        "ents_f": metrics["strict"]["f"]},
    })
    write_model(nlp, out)
    progress(f"wrote {out} ({folder_size(out) / 1e6:.1f} MB)")
    return out


def _cv_metrics(ihash: str) -> dict | None:
    """The cross-validation results of `corpus-sz evaluate`, if they were made from the same inputs."""
    from .evaluate import RESULTS_JSON

    try:
        data = json.loads(RESULTS_JSON.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("input_hash") != ihash:
        return None
    return {"input_hash": ihash, "strict": data["summary"]["strict"], "lenient": data["summary"]["lenient"],
            "linking": data["summary"]["linking"], "baseline_strict": data["summary"]["baseline_strict"]}


def training_metrics(nlp, docs: Sequence[Document]) -> dict:
    """Strict and lenient micro P/R/F1 of the pipeline on its own training documents."""
    from ..metrics import score
    from .tagging import predict_document

    gold, pred = [], []
    for d in docs:
        gold += [(d.id, e.start, e.end, e.label) for e in d.entities]
        pred += [(d.id, e.start, e.end, e.label) for e in predict_document(nlp, d.text)]
    out = {}
    for name, lenient in (("strict", False), ("lenient", True)):
        res = {}
        for did in sorted({g[0] for g in gold}):
            r = score([g[1:] for g in gold if g[0] == did], [p[1:] for p in pred if p[0] == did], lenient)
            for k, v in r.items():
                acc = res.setdefault(k, [0, 0, 0])
                acc[0] += v.tp
                acc[1] += v.fp
                acc[2] += v.fn
        tp, fp, fn = res["micro"]
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        out[name] = {"p": round(p, 4), "r": round(r, 4), "f": round(2 * p * r / (p + r) if p + r else 0.0, 4)}
    out["note"] = "scores on the training documents themselves (not held out); see cross_validation"
    return out


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def write_model(nlp, out: Path) -> None:
    """nlp.to_disk into a staging folder, made deterministic, then swapped in whole (corpus_sz.output)."""
    from ..output import replacing_dirs

    out = Path(out)
    with replacing_dirs(out.parent, [out.name]) as stage:
        tmp = stage / out.name
        nlp.to_disk(tmp)
        normalize_npz_files(tmp)
        _canonical_json(tmp / "meta.json")
        for p in tmp.rglob("*"):
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        os.chmod(tmp, 0o755)


def _canonical_json(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
