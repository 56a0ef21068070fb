#!/usr/bin/env python3
"""Inter-annotator agreement between two independent passes in inline markup.

Usage: agreement.py BLOCKS PASS1 PASS2
Prints strict and lenient span F1 per label (pass 1 taken as reference; F1 is symmetric).
"""
import sys

from corpus_sz.formats.inline import parse_marked
from corpus_sz.metrics import score, table


def spans(path):
    out = []
    offset = 0
    for line in open(path, encoding="utf-8"):
        bid, _, marked = line.rstrip("\n").partition("\t")
        plain, sp = parse_marked(marked, path)
        out += [(offset + s, offset + e, l) for s, e, l, _ in sp]
        offset += len(plain) + 1
    return out


if __name__ == "__main__":
    a, b = spans(sys.argv[2]), spans(sys.argv[3])
    print(table(score(a, b), "strict"))
    print()
    print(table(score(a, b, lenient=True), "lenient"))
