#!/usr/bin/env python3
"""Inter-annotator agreement, measured (writes the tables of docs/annotation-report.md).

For each document annotated twice (docs/agreement/<id>.pass1.txt and .pass2.txt,
inline markup, one text block per line, made independently from the same
guidelines), prints strict and lenient span P/R/F1 per label between the two
passes (pass 1 as reference; F1 is symmetric), and each pass against the
adjudicated gold in annotations/.
"""
import sys
from pathlib import Path

import corpus_sz
from corpus_sz.formats.inline import parse_marked
from corpus_sz.metrics import score, table

FOLDER = Path(__file__).resolve().parent.parent / "docs" / "agreement"


def spans(path: Path):
    out, offset = [], 0
    for line in path.read_text(encoding="utf-8").splitlines():
        _, _, marked = line.partition("\t")
        plain, sp = parse_marked(marked, str(path))
        out += [(offset + s, offset + e, label) for s, e, label, _ in sp]
        offset += len(plain) + 1
    return out


def main() -> None:
    corpus = corpus_sz.load()
    docs = sorted({p.name.split(".")[0] for p in FOLDER.glob("*.pass1.txt")})
    all_a, all_b, all_g = [], [], []
    for doc_id in docs:
        a, b = spans(FOLDER / f"{doc_id}.pass1.txt"), spans(FOLDER / f"{doc_id}.pass2.txt")
        gold = [(e.start, e.end, e.label) for e in corpus[doc_id].entities]
        all_a += [(f"{doc_id}:{s}", f"{doc_id}:{e}", l) for s, e, l in a]
        all_b += [(f"{doc_id}:{s}", f"{doc_id}:{e}", l) for s, e, l in b]
        all_g += [(f"{doc_id}:{s}", f"{doc_id}:{e}", l) for s, e, l in gold]
        print(f"### {doc_id}: pass 1 ({len(a)} mentions) vs pass 2 ({len(b)} mentions)\n")
        print(table(score(a, b), "strict") + "\n")
        print(table(score(a, b, lenient=True), "lenient") + "\n")
    print(f"### All double-annotated documents ({', '.join(docs)})\n")
    print(table(score(all_a, all_b), "strict") + "\n")
    print(table(score(all_a, all_b, lenient=True), "lenient") + "\n")
    for name, xs in (("pass 1", all_a), ("pass 2", all_b)):
        r = score(all_g, xs)["micro"]
        print(f"- {name} against the adjudicated gold: strict micro P {r.p:.3f}, R {r.r:.3f}, F1 {r.f:.3f}")


if __name__ == "__main__":
    sys.exit(main())
