"""Cross-validation by document, segmentation alignment and speed: ``corpus-sz evaluate``.

For each document with gold entities, a pipeline is trained on the others
(segmenter, tagger, gazetteer and linker all from the training folds only) and
scored on it. Several ways of combining the gazetteer (entity_ruler) and the
statistical tagger (``corpus_sz_crf``, or spaCy's ``ner`` in a config that uses it) are scored from the same trained models, next to a
gazetteer-only baseline, so that the order in ``config.cfg`` is an empirical
choice. Scores are pooled over the folds (micro over all held-out mentions).
Everything in the written report is measured by this module.
"""

from __future__ import annotations

import json
import platform
import time
from collections import Counter
from pathlib import Path
from typing import Callable, Iterable, Sequence

from ..metrics import PRF, linking_accuracy, score
from ..model import LABELS, Document
from ..paths import PACKAGE_DIR
from .segmenter import Alignment, boundary_alignment, paragraph_entities

Progress = Callable[[str], None]

DOCS_DIR = PACKAGE_DIR.parent / "docs"
REPORT_MD = DOCS_DIR / "evaluation.md"
RESULTS_JSON = DOCS_DIR / "evaluation.json"

# name -> (components in order, ruler overwrites?)
VARIANTS: dict[str, tuple[tuple[str, ...], bool]] = {
    "gazetteer only (baseline)": (("ruler_all",), False),
    "gazetteer only, filtered": (("entity_ruler",), False),
    "tagger only": (("tagger",), False),
    "ruler → tagger": (("entity_ruler", "tagger"), False),
    "tagger → ruler (fills gaps)": (("tagger", "entity_ruler"), False),
    "tagger → ruler (overwrites)": (("tagger", "entity_ruler"), True),
}
# statistical taggers a config may use, in order of preference
TAGGERS = ("corpus_sz_crf", "ner")


def tagger_name(pipe_names: Sequence[str]) -> str | None:
    """The statistical tagger of a pipeline (None for a gazetteer-only one)."""
    return next((t for t in TAGGERS if t in pipe_names), None)
BASELINE = "gazetteer only (baseline)"


def _quiet(_msg: str) -> None:
    pass


def district_prior(authority) -> list[dict]:
    """The districts of the annotation scheme (GB/T 2260 records), with rule-made short forms.

    This is knowledge that precedes annotation (the scheme lists the 13 districts
    and their codes), so every fold may use it; nothing else of the authority
    file is used in cross-validation.
    """
    from .components import DISTRICT_SUFFIXES

    out = []
    for r in sorted(authority, key=lambda r: r.id):
        if r.label != "DISTRICT" or not r.code:
            continue
        out.append({"form": r.name, "label": "DISTRICT", "ref": r.id, "count": 0, "name": True})
        for suf in sorted(DISTRICT_SUFFIXES, key=len, reverse=True):
            if r.name.endswith(suf) and len(r.name) - len(suf) >= 2:
                out.append({"form": r.name[: -len(suf)], "label": "DISTRICT", "ref": r.id, "count": 0,
                            "name": False})
                break
    return out


def _merge(entries: Iterable[dict], extra: Iterable[dict]) -> list[dict]:
    """``entries`` plus the ``extra`` ones not among them; a form that either side marks as a record's name stays one."""
    out = [dict(e) for e in entries]
    index = {(e["form"], e["label"], e["ref"]): e for e in out}
    for e in extra:
        key = (e["form"], e["label"], e["ref"])
        if key in index:
            index[key]["name"] = bool(index[key].get("name") or e.get("name"))
        else:
            index[key] = dict(e)
            out.append(index[key])
    return out


def _prf_dict(x: PRF) -> dict:
    return {"p": round(x.p, 4), "r": round(x.r, 4), "f": round(x.f, 4), "tp": x.tp, "fp": x.fp, "fn": x.fn}


def _add(acc: dict[str, PRF], res: dict[str, PRF]) -> None:
    for k, v in res.items():
        a = acc.setdefault(k, PRF())
        a.tp += v.tp
        a.fp += v.fp
        a.fn += v.fn


def _predict_variants(nlp, ruler_all, text: str, linker_sets: dict, max_chars: int) -> dict:
    """Predicted (start, end, label, ref) per variant and linker, for one document text."""
    from .tagging import iter_pieces

    ruler = nlp.get_pipe("entity_ruler")
    ner = nlp.get_pipe(tagger_name(nlp.pipe_names))
    rules = nlp.get_pipe("corpus_sz_scheme_rules") if "corpus_sz_scheme_rules" in nlp.pipe_names else None
    pieces = list(iter_pieces(text, max_chars))
    base = [(nlp.make_doc(p), off) for p, off in pieces]
    ner_docs = {}
    out: dict[str, dict[str, list]] = {}
    for name, (steps, overwrite) in VARIANTS.items():
        ruler.overwrite = overwrite
        spans_by_linker: dict[str, list] = {k: [] for k in linker_sets}
        for i, (doc0, off) in enumerate(base):
            doc = doc0.copy()
            for step in steps:
                if step == "tagger":
                    if len(steps) == 1 or steps[0] == "tagger":
                        if i not in ner_docs:
                            ner_docs[i] = ner(doc0.copy())
                        doc = ner_docs[i].copy()
                    else:
                        doc = ner(doc)
                elif step == "entity_ruler":
                    doc = ruler(doc)
                elif step == "ruler_all":
                    doc = ruler_all(doc)
            if rules is not None:  # the scheme's span rules, applied to every variant alike
                doc = rules(doc)
            for lname, linker in linker_sets.items():
                d = linker(doc.copy())
                spans_by_linker[lname] += [(off + e.start_char, off + e.end_char, e.label_, e.kb_id_ or None)
                                           for e in d.ents]
        out[name] = spans_by_linker
    ruler.overwrite = False
    return out


def cross_validate(corpus, config_path: Path | None = None, epochs: int | None = None,
                   progress: Progress | None = None, docs: Sequence[str] | None = None) -> dict:
    """Train on all documents but one, test on it, for each; returns the results as a dict."""
    from spacy.pipeline import EntityRuler

    from .components import Linker, link_entries_from_authority
    from .tagging import predict_document
    from .training import fit, input_hash, load_config, mention_entries, ruler_patterns

    progress = progress or _quiet
    _, st = load_config(config_path)
    all_docs = [d for d in corpus if d.entities]
    test_ids = list(docs) if docs else [d.id for d in all_docs]
    prior = district_prior(corpus.authority)
    closed_kb = link_entries_from_authority(corpus.authority)
    pooled: dict[str, dict[str, dict[str, PRF]]] = {}
    linking: dict[str, dict[str, list[int]]] = {}
    folds = []
    align = {"plain": Alignment(), "user_dict": Alignment()}
    dict_stats = Counter()
    certs: dict[str, list[int]] = {}
    t_start = time.time()
    for k, test_id in enumerate(test_ids):
        test = corpus[test_id]
        train = [d for d in all_docs if d.id != test_id]
        t0 = time.time()
        progress(f"fold {k + 1}/{len(test_ids)}: test {test_id}, train {', '.join(d.id for d in train)}")
        entries = _merge(mention_entries(train), prior)
        nlp = fit(train, entries, config_path, progress=lambda m: progress("  " + m), epochs=epochs)
        # segmentation: alignment of the held-out gold boundaries, without and with a user dictionary
        a_plain = boundary_alignment([test], nlp.make_doc)
        forms = sorted({e["form"] for e in entries})
        seg = nlp.tokenizer.pkuseg_seg
        saved_pre = seg.preprocesser
        nlp.tokenizer.pkuseg_update_user_dict(forms, reset=True)
        a_dict = boundary_alignment([test], nlp.make_doc)
        dict_stats += _user_dict_matches(nlp, test, set(forms))
        seg.preprocesser = saved_pre
        align["plain"] = align["plain"].add(a_plain)
        align["user_dict"] = align["user_dict"].add(a_dict)
        # the unfiltered gazetteer of the baseline
        patterns, _ = ruler_patterns(nlp, entries, train, 0.0, st.max_chunk_chars)
        ruler_all = EntityRuler(nlp, name="ruler_all", overwrite_ents=False)
        ruler_all.add_patterns(patterns)
        fold_linker = nlp.get_pipe("corpus_sz_linker")
        kb_linker = Linker(nlp.vocab)
        kb_linker.set_entries(closed_kb)
        preds = _predict_variants(nlp, ruler_all, test.text, {"fold": fold_linker, "authority": kb_linker},
                                  st.max_chunk_chars)
        gold = [(e.start, e.end, e.label, e.ref) for e in test.entities]
        g3 = [g[:3] for g in gold]
        # how often a span of each TEI cert level (what `corpus-sz tag --format tei` writes) is right
        g3set = set(g3)
        for t in predict_document(nlp, test.text):
            acc = certs.setdefault(t.cert, [0, 0])
            acc[0] += (t.start, t.end, t.label) in g3set
            acc[1] += 1
        fold = {"test": test_id, "train": [d.id for d in train], "gold": len(gold),
                "alignment": {"plain": [a_plain.aligned, a_plain.total], "user_dict": [a_dict.aligned, a_dict.total]},
                "variants": {}, "seconds": round(time.time() - t0, 1)}
        for name, by_linker in preds.items():
            p3 = [p[:3] for p in by_linker["fold"]]
            strict, lenient = score(g3, p3), score(g3, p3, lenient=True)
            _add(pooled.setdefault(name, {}).setdefault("strict", {}), strict)
            _add(pooled[name].setdefault("lenient", {}), lenient)
            lk = {}
            for lname, spans in by_linker.items():
                c, n = linking_accuracy(gold, spans)
                acc = linking.setdefault(name, {}).setdefault(lname, [0, 0])
                acc[0] += c
                acc[1] += n
                lk[lname] = [c, n]
            fold["variants"][name] = {"strict": _prf_dict(strict["micro"]), "lenient": _prf_dict(lenient["micro"]),
                                      "linking": lk}
        folds.append(fold)
        sm = fold["variants"]
        progress(f"fold {k + 1}: strict micro F1 " + ", ".join(f"{n} {v['strict']['f']:.3f}" for n, v in sm.items())
                 + f" ({fold['seconds']:.0f}s)")
    results = {
        "input_hash": input_hash(corpus, config_path),
        "config_pipeline": _pipeline_order(config_path),
        "tagger": tagger_name(_pipeline_order(config_path)),
        "epochs": epochs or st.epochs,
        "folds": folds,
        "pooled": {name: {kind: {lab: _prf_dict(x) for lab, x in res.items()} for kind, res in kinds.items()}
                   for name, kinds in pooled.items()},
        "linking": linking,
        "alignment_heldout": {k: [v.aligned, v.total, v.entities_ok, v.entities] for k, v in align.items()},
        "alignment_misses": [list(m) for m in align["plain"].misses[:12]],
        "user_dict_matches": dict(dict_stats),
        "cert_precision": {k: certs[k] for k in ("high", "medium", "low") if k in certs},
        "seconds": round(time.time() - t_start, 1),
    }
    system = system_variant(results["config_pipeline"])
    results["system"] = system
    results["summary"] = {
        "strict": results["pooled"][system]["strict"]["micro"],
        "lenient": results["pooled"][system]["lenient"]["micro"],
        "linking": {k: v for k, v in linking[system].items()},
        "baseline_strict": results["pooled"][BASELINE]["strict"]["micro"],
    }
    return results


def _user_dict_matches(nlp, doc: Document, forms: set[str]) -> Counter:
    """How often the user dictionary's forced matches in a held-out text are gold mentions."""
    c = Counter()
    seg = nlp.tokenizer.pkuseg_seg
    for text, _, ents in paragraph_entities(doc):
        gold = {(s, e) for s, e, _, _ in ents}
        pos = 0
        for piece in text.split():
            start = text.index(piece, pos)
            pos = start + len(piece)
            parts, isw, _ = seg.preprocesser.solve(piece)
            off = start
            for w, is_word in zip(parts, isw):
                if is_word:
                    c["forced"] += 1
                    c["forced_gold"] += (off, off + len(w)) in gold
                    c["forced_cut_gold"] += any(s < off < e or s < off + len(w) < e for s, e in gold)
                off += len(w)
    return c


def _pipeline_order(config_path: Path | None) -> list[str]:
    from .training import load_config

    cfg, _ = load_config(config_path)
    return list(cfg["nlp"]["pipeline"])


def system_variant(pipeline: Sequence[str]) -> str:
    """The variant that the configured pipeline order implements."""
    comps = ["tagger" if c in TAGGERS else c for c in pipeline if c in (*TAGGERS, "entity_ruler")]
    if comps == ["tagger"]:
        return "tagger only"
    if comps == ["entity_ruler"]:
        return "gazetteer only, filtered"
    if comps == ["entity_ruler", "tagger"]:
        return "ruler → tagger"
    return "tagger → ruler (fills gaps)"


def whole_corpus_alignment(corpus, config_path: Path | None = None, progress: Progress | None = None) -> dict:
    """Alignment on all documents, for a segmenter trained on all of them, with and without a user dict."""
    import tempfile

    from .segmenter import make_tokenizer_nlp, silver_lines, train_pkuseg
    from .training import load_config

    _, st = load_config(config_path)
    docs = [d for d in corpus if d.entities]
    with tempfile.TemporaryDirectory(prefix="corpus_sz_seg_") as tmp:
        progress and progress("segmenter on the whole corpus")
        train_pkuseg(silver_lines(docs), Path(tmp) / "pk", st.segmenter(), progress=None)
        out = {}
        forms = sorted({r.name for r in corpus.authority} | {a for r in corpus.authority for a in r.aliases})
        for name, ud in (("plain", None), ("user_dict", forms)):
            nlp = make_tokenizer_nlp(Path(tmp) / "pk", user_dict=ud)
            a = boundary_alignment(docs, nlp.make_doc)
            out[name] = [a.aligned, a.total, a.entities_ok, a.entities]
        # what a forced match does to a word that merely starts with a name
        out["example"] = {name: "|".join(t.text for t in make_tokenizer_nlp(Path(tmp) / "pk", user_dict=ud)(
            "加快和平区域协调发展")) for name, ud in (("plain", None), ("user_dict", ["和平区"]))}
    return out


# -- speed ------------------------------------------------------------------------------------
def benchmark(nlp, paragraphs: Sequence[str], repeat: int = 3) -> dict:
    """Characters per second of the pipeline (streamed like `tag`) and of jieba.lcut on the same text."""
    from .segmenter import jieba_tokenizer
    from .tagging import tag_stream

    import jieba

    jieba_tokenizer()  # dictionary loaded before timing
    jieba.lcut("预热")
    text = "\n".join(paragraphs)
    n = sum(len(p) for p in paragraphs)
    best_nlp = best_jieba = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in tag_stream(nlp, text):
            pass
        best_nlp = min(best_nlp, time.perf_counter() - t0)
        t0 = time.perf_counter()
        for p in paragraphs:
            jieba.lcut(p)
        best_jieba = min(best_jieba, time.perf_counter() - t0)
    cps_nlp, cps_jieba = n / best_nlp, n / best_jieba
    return {"chars": n, "paragraphs": len(paragraphs), "pipeline_cps": round(cps_nlp),
            "jieba_cps": round(cps_jieba), "ratio": round(cps_nlp / cps_jieba, 4),
            "python": platform.python_version(), "machine": platform.machine(), "repeat": repeat}


# -- report ---------------------------------------------------------------------------------------
def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.2f}% ({a}/{b})" if b else "n/a"


def render_markdown(res: dict, seg_whole: dict | None, bench: dict | None) -> str:
    L: list[str] = []
    w = L.append
    system = res["system"]
    w("# Evaluation of the corpus_sz pipeline")
    w("")
    w("Generated by `corpus-sz evaluate`; every number below was measured by that run "
      f"(input hash `{res['input_hash'][:12]}`, "
      + (f"{res['epochs']} tagger epochs, " if res.get("tagger", "ner") == "ner" else "")
      + f"{res['seconds'] / 60:.1f} minutes for the cross-validation). Do not edit by hand.")
    w("")
    w("## Method")
    w("")
    w("- Cross-validation by document: for each report with gold entities, the whole pipeline (pkuseg "
      "segmenter, statistical tagger, gazetteer and linker) is trained on the other reports and scored "
      "on it. Nothing of the held-out report is used in training: the segmenter's silver data, the "
      "gazetteer's aliases, the alias filter and the linker's table all come from the training folds.")
    w("- The one piece of knowledge shared by all folds is the list of the 13 districts of Shenyang with "
      "their GB/T 2260 codes, which the annotation scheme gives; short forms (浑南区 → 浑南) are made by rule.")
    w("- Scores are pooled over folds (micro: counts summed over all held-out mentions). Strict: same start, "
      "end and label; lenient: overlapping span with the same label (`corpus_sz.metrics`).")
    w("- Baseline: a gazetteer only, with every alias of the training folds' gold mentions (spaCy "
      "`entity_ruler`, longest match), followed by the same linker.")
    if "corpus_sz_scheme_rules" in res["config_pipeline"]:
        w("- Every variant, the baseline included, goes through the same span-rule step "
          "(`corpus_sz_scheme_rules`: a district name inside an organisation's or a quoted name is not "
          "an entity, rule 1 of the scheme) before the linker.")
    w(f"- The statistical tagger is `{res.get('tagger', 'ner')}`. Its configuration was chosen by "
      "cross-validation on these same reports (docs/model-selection.md), so these scores are slightly "
      "optimistic for a new report; that document also gives the spread from changing only the random seed.")
    w(f"- The system is the pipeline order in `corpus_sz/pipeline/config.cfg`: "
      f"`{' → '.join(res['config_pipeline'])}`, i.e. the variant **{system}** below.")
    w("")
    w("## Entity recognition, cross-validated")
    w("")
    w(f"Micro scores for each way of combining the gazetteer (`entity_ruler`) and the tagger "
      f"(`{res.get('tagger', 'ner')}`):")
    w("")
    w("| variant | strict P | strict R | strict F1 | lenient P | lenient R | lenient F1 |")
    w("|---|---:|---:|---:|---:|---:|---:|")
    for name, kinds in res["pooled"].items():
        s, l = kinds["strict"]["micro"], kinds["lenient"]["micro"]
        mark = " (system)" if name == system else ""
        w(f"| {name}{mark} | {s['p']:.3f} | {s['r']:.3f} | {s['f']:.3f} | {l['p']:.3f} | {l['r']:.3f} | {l['f']:.3f} |")
    w("")
    w(f"Per label, system ({system}) against the baseline ({BASELINE}), F1:")
    w("")
    w("| label | gold | system strict | system lenient | baseline strict | baseline lenient |")
    w("|---|---:|---:|---:|---:|---:|")
    sysp, basep = res["pooled"][system], res["pooled"][BASELINE]
    for lab in [*LABELS, "micro"]:
        g = sysp["strict"][lab]["tp"] + sysp["strict"][lab]["fn"]
        w(f"| {lab} | {g} | {sysp['strict'][lab]['f']:.3f} | {sysp['lenient'][lab]['f']:.3f} | "
          f"{basep['strict'][lab]['f']:.3f} | {basep['lenient'][lab]['f']:.3f} |")
    w("")
    w("System, per label, strict:")
    w("")
    w("| label | P | R | F1 | tp | fp | fn |")
    w("|---|---:|---:|---:|---:|---:|---:|")
    for lab in [*LABELS, "micro"]:
        x = sysp["strict"][lab]
        w(f"| {lab} | {x['p']:.3f} | {x['r']:.3f} | {x['f']:.3f} | {x['tp']} | {x['fp']} | {x['fn']} |")
    w("")
    w("Per held-out document, strict micro F1:")
    w("")
    names = list(res["pooled"])
    w("| held-out | gold | " + " | ".join(names) + " |")
    w("|---|---:|" + "---:|" * len(names))
    for f in res["folds"]:
        w(f"| {f['test']} | {f['gold']} | " + " | ".join(f"{f['variants'][n]['strict']['f']:.3f}" for n in names) + " |")
    w("")
    if res.get("cert_precision"):
        w("Pre-annotation certainty: `corpus-sz tag --format tei` gives every machine annotation a `cert` "
          "(`corpus_sz.pipeline.tagging.Tagged.cert`: the CRF's confidence in the span and whether it links "
          "to a record). Share of the system's held-out spans of each level that are strictly right "
          "(fold link table):")
        w("")
        w("| cert | spans | strictly right |")
        w("|---|---:|---:|")
        for level in ("high", "medium", "low"):
            if level in res["cert_precision"]:
                c, n = res["cert_precision"][level]
                w(f"| {level} | {n} | {_pct(c, n)} |")
        w("")
    w("## Linking, cross-validated")
    w("")
    w("Share of strictly correct spans whose record id is right. *Fold table*: the linker knows only the "
      "training folds' mentions (and the district list), so a record first named in the held-out report "
      "cannot be found. *Authority*: the linker uses every name and alias of `annotations/authority.xml`, "
      "the setting of tagging new text against the existing records (an upper bound here, since the "
      "authority was compiled from these reports).")
    w("")
    w("| variant | fold table | authority |")
    w("|---|---:|---:|")
    for name, lk in res["linking"].items():
        w(f"| {name} | {_pct(*lk['fold'])} | {_pct(*lk['authority'])} |")
    w("")
    w("## Segmentation")
    w("")
    w("The pkuseg model is trained on jieba's silver segmentation of the training reports, split at every "
      "gold entity boundary. The share of gold entity boundaries (starts and ends) that fall on token "
      "boundaries bounds what the pipeline can find: spaCy entities are token spans (the character CRF's "
      "spans are widened to the tokens they touch).")
    w("")
    ah = res["alignment_heldout"]
    w("| setting | boundaries aligned | entities with both boundaries aligned |")
    w("|---|---:|---:|")
    if seg_whole:
        w(f"| whole corpus, segmenter trained on it, no user dictionary | {_pct(*seg_whole['plain'][:2])} | "
          f"{_pct(*seg_whole['plain'][2:])} |")
        w(f"| whole corpus, with all authority aliases as user dictionary | {_pct(*seg_whole['user_dict'][:2])} | "
          f"{_pct(*seg_whole['user_dict'][2:])} |")
    w(f"| held-out reports (cross-validation), no user dictionary | {_pct(*ah['plain'][:2])} | {_pct(*ah['plain'][2:])} |")
    w(f"| held-out reports, training folds' aliases as user dictionary | {_pct(*ah['user_dict'][:2])} | "
      f"{_pct(*ah['user_dict'][2:])} |")
    w("")
    ud = res.get("user_dict_matches", {})
    if ud:
        w(f"pkuseg's user dictionary forces a longest match without context. On the held-out reports it forced "
          f"{ud.get('forced', 0)} tokens; {ud.get('forced_gold', 0)} of them are exactly a gold mention and "
          f"{ud.get('forced_cut_gold', 0)} cut through a gold mention.")
    if seg_whole and seg_whole.get("example"):
        ex = seg_whole["example"]
        w(f"Example: 加快和平区域协调发展 is segmented `{ex['plain']}` without a dictionary and `{ex['user_dict']}` "
          "with 和平区 in it.")
    w("")
    gain = ah["user_dict"][0] - ah["plain"][0]
    w(f"Decision: the shipped pipeline {'uses' if res.get('user_dict_setting') else 'does not use'} a user "
      f"dictionary (`segmenter_user_dict` in config.cfg). On held-out text the dictionary changes the number "
      f"of aligned boundaries by {gain:+d} of {ah['plain'][1]}; it also splits words that merely begin with "
      "a name, which the gazetteer and tagger would then see as a name.")
    if res.get("alignment_misses"):
        w("")
        w("Held-out boundaries that are not token boundaries (first few):")
        w("")
        for doc_id, ctx, form, label in res["alignment_misses"]:
            w(f"- {doc_id}: {form} ({label}) in …{ctx}…")
    w("")
    w("## Speed")
    w("")
    if bench:
        w(f"`benchmarks/bench_tagging.py` measure, same run and machine ({bench['machine']}, Python "
          f"{bench['python']}), best of {bench['repeat']}, {bench['chars']} characters in "
          f"{bench['paragraphs']} paragraphs of the corpus:")
        w("")
        w("| | characters/second |")
        w("|---|---:|")
        w(f"| corpus_sz.nlp() tagging (segmentation, tagger, gazetteer, linker) | {bench['pipeline_cps']:,} |")
        w(f"| jieba.lcut segmentation only | {bench['jieba_cps']:,} |")
        w(f"| ratio | {100 * bench['ratio']:.1f}% |")
    else:
        w("Not measured in this run (no trained pipeline was available).")
    w("")
    w("## Reproduce")
    w("")
    w("```sh")
    w("corpus-sz train                        # the shipped model, corpus_sz/models/zh_corpus_sz (deterministic)")
    w("corpus-sz train --if-changed           # only when annotations or config.cfg changed")
    w("corpus-sz evaluate                     # this report and docs/evaluation.json")
    w("python benchmarks/bench_tagging.py     # the speed measurement alone")
    w("corpus-sz tag report.txt               # entities as JSON lines; --format tei --out DIR for review")
    w("```")
    w("")
    return "\n".join(L)


def attach_cv_metrics(res: dict, progress: Progress | None = None) -> bool:
    """Record the cross-validated scores in the shipped model's meta.json when it was trained from the
    same inputs (the model itself is unchanged; only its meta.json is rewritten, atomically)."""
    from ..xmlutil import atomic_write
    from . import MODEL_DIR, model_meta

    meta = model_meta()
    own = meta.get("corpus_sz", {})
    if not meta or own.get("input_hash") != res["input_hash"]:
        return False
    own["cross_validation"] = {"input_hash": res["input_hash"], "strict": res["summary"]["strict"],
                               "lenient": res["summary"]["lenient"], "linking": res["summary"]["linking"],
                               "baseline_strict": res["summary"]["baseline_strict"]}
    meta["corpus_sz"] = own
    atomic_write(MODEL_DIR / "meta.json", json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    progress and progress(f"recorded the cross-validation scores in {MODEL_DIR / 'meta.json'}")
    return True


def refresh_benchmark(corpus_path: Path | None = None, out: Path | None = None,
                      progress: Progress | None = None) -> dict:
    """Measure speed again with the shipped pipeline and rewrite the report, keeping the other results."""
    from .. import load
    from ..errors import E501, CorpusError
    from ..xmlutil import atomic_write
    from . import load_pipeline

    out = Path(out) if out else REPORT_MD
    try:
        res = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise CorpusError(E501, "no evaluation results to refresh", path=str(out.with_suffix(".json")),
                          hint="run `corpus-sz evaluate` first") from None
    corpus = load(corpus_path)
    progress and progress("speed benchmark")
    res["benchmark"] = benchmark(load_pipeline(), [p.text for d in corpus for p in d.paragraphs])
    atomic_write(out, render_markdown(res, res.get("alignment_whole"), res["benchmark"]))
    atomic_write(out.with_suffix(".json"), json.dumps(res, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    return res


def run_evaluation(corpus_path: Path | None = None, config_path: Path | None = None, epochs: int | None = None,
                   out: Path | None = None, progress: Progress | None = None, bench: bool = True) -> dict:
    """Cross-validate, measure segmentation and speed, write the markdown report and its JSON."""
    from .. import load
    from ..xmlutil import atomic_write
    from .training import load_config

    progress = progress or _quiet
    corpus = load(corpus_path)
    res = cross_validate(corpus, config_path, epochs, progress)
    _, st = load_config(config_path)
    res["user_dict_setting"] = st.segmenter_user_dict
    seg_whole = whole_corpus_alignment(corpus, config_path, progress)
    res["alignment_whole"] = seg_whole
    b = None
    if bench:
        try:
            from . import load_pipeline

            nlp = load_pipeline()
            paras = [p.text for d in corpus for p in d.paragraphs]
            progress("speed benchmark")
            b = benchmark(nlp, paras)
        except Exception as e:  # noqa: BLE001 - a missing model only drops the speed section
            progress(f"speed benchmark skipped: {e}")
    res["benchmark"] = b
    out = Path(out) if out else REPORT_MD
    if out == REPORT_MD:
        attach_cv_metrics(res, progress)
    atomic_write(out, render_markdown(res, seg_whole, b))
    atomic_write(out.with_suffix(".json"), json.dumps(res, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    return res
