#!/usr/bin/env python3
"""Compare tagger configurations by cross-validation by document (the system variant only).

For each config file, each report with gold entities is held out in turn; the
whole pipeline (segmenter, tagger, gazetteer, linker) is trained on the others
with :func:`corpus_sz.pipeline.training.fit` and the held-out report is tagged
with :func:`corpus_sz.pipeline.tagging.predict_document`, as `corpus-sz evaluate`
does for the configured system. Scores are pooled over folds (micro, strict).
This is the quick loop behind the choices recorded in docs/model-selection.md;
`corpus-sz evaluate` remains the full report for the shipped configuration.

    python scripts/model_selection.py CONFIG.cfg [CONFIG.cfg ...] [--docs ID ...] [--out results.json]
    python scripts/model_selection.py --data-curve shenyang-2024 [CONFIG.cfg]

``--data-curve ID`` holds out one report and trains on 1, 2, ... of the others
(in corpus order), to show how the score grows with the gold data.

Runs each fold in its own process (--jobs, default 2); every run is seeded by the config.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path


def train_and_tag(corpus, train: list, test, config: str | None) -> list[tuple[int, int, str]]:
    """Train the pipeline on ``train`` (gold mentions and the scheme's district list) and tag ``test``."""
    from corpus_sz.pipeline.evaluate import _merge, district_prior
    from corpus_sz.pipeline.tagging import predict_document
    from corpus_sz.pipeline.training import fit, mention_entries

    entries = _merge(mention_entries(train), district_prior(corpus.authority))
    nlp = fit(train, entries, Path(config) if config else None)
    return [(e.start, e.end, e.label) for e in predict_document(nlp, test.text)]


def run_fold(config: str, test_id: str) -> dict:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import corpus_sz

    corpus = corpus_sz.load()
    train = [d for d in corpus if d.entities and d.id != test_id]
    test = corpus[test_id]
    t0 = time.time()
    pred = train_and_tag(corpus, train, test, config)
    return {"config": config, "test": test_id, "seconds": round(time.time() - t0, 1),
            "gold": [(e.start, e.end, e.label) for e in test.entities], "pred": pred}


def pooled(folds: list[dict]) -> dict:
    from corpus_sz.metrics import score

    acc: dict = {}
    for f in folds:
        for lab, v in score([tuple(g) for g in f["gold"]], [tuple(p) for p in f["pred"]]).items():
            a = acc.setdefault(lab, [0, 0, 0])
            a[0] += v.tp
            a[1] += v.fp
            a[2] += v.fn
    out = {}
    for lab, (tp, fp, fn) in sorted(acc.items()):
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        out[lab] = {"p": round(p, 3), "r": round(r, 3), "f": round(2 * p * r / (p + r) if p + r else 0.0, 3)}
    return out


def data_curve(test_id: str, config: str | None) -> list[dict]:
    import corpus_sz
    from corpus_sz.metrics import score

    corpus = corpus_sz.load()
    test = corpus[test_id]
    others = [d for d in corpus if d.entities and d.id != test_id]
    gold = [(e.start, e.end, e.label) for e in test.entities]
    rows = []
    for k in range(1, len(others) + 1):
        train = others[:k]
        m = score(gold, train_and_tag(corpus, train, test, config))["micro"]
        rows.append({"train": [d.id for d in train], "mentions": sum(len(d.entities) for d in train),
                     "p": round(m.p, 3), "r": round(m.r, 3), "f": round(m.f, 3)})
        print(f"{k} report(s), {rows[-1]['mentions']} gold mentions: strict micro F1 {m.f:.3f}", flush=True)
    return rows


def main() -> int:
    import corpus_sz

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("configs", nargs="*")
    ap.add_argument("--data-curve", metavar="ID", default=None,
                    help="hold out this report and train on growing sets of the others")
    ap.add_argument("--docs", nargs="*", default=None, help="held-out reports (default: all with entities)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", default=None, help="write folds and pooled scores as JSON")
    args = ap.parse_args()
    if args.data_curve:
        rows = data_curve(args.data_curve, args.configs[0] if args.configs else None)
        if args.out:
            Path(args.out).write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
        return 0
    if not args.configs:
        ap.error("give at least one config file, or --data-curve ID")
    ids = args.docs or [d.id for d in corpus_sz.load() if d.entities]
    tasks = [(c, i) for c in args.configs for i in ids]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        folds = list(pool.map(run_fold, *zip(*tasks)))
    results = {}
    for c in args.configs:
        mine = [f for f in folds if f["config"] == c]
        results[c] = {"pooled": pooled(mine), "folds": mine}
        m = results[c]["pooled"]["micro"]
        per = ", ".join(f"{k} {v['f']:.3f}" for k, v in results[c]["pooled"].items() if k != "micro")
        print(f"{c}: strict micro P {m['p']:.3f} R {m['r']:.3f} F1 {m['f']:.3f} ({per})")
    if args.out:
        Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
