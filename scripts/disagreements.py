#!/usr/bin/env python3
"""List the disagreements between two passes (for adjudication): BLOCK, span, label, which pass."""
import sys

from corpus_sz.formats.inline import parse_marked


def read(path):
    out = {}
    for line in open(path, encoding="utf-8"):
        bid, _, m = line.rstrip("\n").partition("\t")
        plain, sp = parse_marked(m)
        out[bid] = (plain, {(s, e, l): r for s, e, l, r in sp})
    return out


a, b = read(sys.argv[1]), read(sys.argv[2])
for bid in a:
    pa, sa = a[bid]
    _, sb = b[bid]
    for k in sorted(set(sa) ^ set(sb)):
        s, e, l = k
        who = "pass1 only" if k in sa else "pass2 only"
        print(f"{bid}\t{who}\t{l}\t{pa[s:e]}\t…{pa[max(0, s - 12):s]}【{pa[s:e]}】{pa[e:e + 12]}…")
