#!/usr/bin/env python3
"""Benchmark: tagging speed of corpus_sz.nlp() against jieba's plain segmentation.

Both run in the same process on the same paragraphs (every paragraph of the
corpus): the pipeline as `corpus-sz tag` runs it (lines cut into sentences,
nlp.pipe in batches: segmentation, tagger, gazetteer, linker), and jieba.lcut
on each paragraph. Reports characters per second, best of --repeat runs.

Target (issue 5): tagging at least 5% of jieba's characters per second.
Then nlp() on the longest report as one text, once and ten times over (the
speed per character should not fall with the length).

    python benchmarks/bench_tagging.py [--repeat 3] [--model DIR]
"""

import argparse
import sys
import time

import corpus_sz
from corpus_sz.pipeline.evaluate import benchmark


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--model", default=None, help="pipeline folder (default: the shipped one)")
    ap.add_argument("--target", type=float, default=0.05, help="minimum ratio pipeline/jieba")
    args = ap.parse_args()

    t0 = time.perf_counter()
    nlp = corpus_sz.nlp(args.model)
    load_s = time.perf_counter() - t0
    corpus = corpus_sz.load()
    paragraphs = [p.text for d in corpus for p in d.paragraphs]
    res = benchmark(nlp, paragraphs, repeat=args.repeat)
    print(f"load pipeline: {load_s:.2f}s")
    print(f"{res['chars']} characters in {res['paragraphs']} paragraphs, best of {res['repeat']}")
    print(f"corpus_sz.nlp() tagging: {res['pipeline_cps']:>10,} chars/s")
    print(f"jieba.lcut:              {res['jieba_cps']:>10,} chars/s")
    ok = res["ratio"] >= args.target
    print(f"ratio: {100 * res['ratio']:.1f}% (target >= {100 * args.target:.0f}%): {'ok' if ok else 'BELOW TARGET'}")
    # A researcher may call nlp() on a whole report, or on ten of them joined: the time per
    # character must not grow with the length of the text (the CRF tags it sentence by sentence).
    text = max((d.text for d in corpus), key=len)
    for copies in (1, 10):
        t0 = time.perf_counter()
        nlp(text * copies)
        dt = time.perf_counter() - t0
        print(f"nlp() on one text of {len(text) * copies:>7,} chars: {len(text) * copies / dt:>10,.0f} chars/s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
