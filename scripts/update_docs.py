#!/usr/bin/env python3
"""Regenerate the documentation that is derived from the corpus (tests check it is current)."""
from pathlib import Path

import corpus_sz
from corpus_sz.hf import card_markdown
from corpus_sz.xmlutil import atomic_write

DOCS = Path(__file__).resolve().parent.parent / "docs"

if __name__ == "__main__":
    corpus = corpus_sz.load()
    atomic_write(DOCS / "dataset-card.md", card_markdown(corpus))
    print("wrote", DOCS / "dataset-card.md")
