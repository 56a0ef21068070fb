#!/usr/bin/env python3
"""Benchmark: validating the whole corpus (project schemas + semantic checks, without tei_all).

Target (issue 3): under 5 seconds. Each run is a fresh process-level measurement of
``validate_paths`` (schema compilation included, the first time); reports min/median/max.

    python benchmarks/bench_validate.py [--repeat 5]
"""

import argparse
import statistics
import time
from pathlib import Path

from corpus_sz.validate import _schema, validate_paths

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    times = []
    for i in range(args.repeat):
        _schema.cache_clear()  # count schema compilation every time, as a fresh CLI run does
        t0 = time.perf_counter()
        report = validate_paths([ROOT / "annotations"])
        times.append(time.perf_counter() - t0)
        assert report.ok, [str(e) for e in report.errors]
    print(f"validate {report.files} files: min {min(times):.3f}s  median {statistics.median(times):.3f}s  "
          f"max {max(times):.3f}s  over {args.repeat} runs (target < 5 s)")

    t0 = time.perf_counter()
    import corpus_sz

    corpus = corpus_sz.load()
    print(f"load {len(corpus)} documents, {sum(len(d.entities) for d in corpus)} entities: "
          f"{time.perf_counter() - t0:.3f}s")


if __name__ == "__main__":
    main()
