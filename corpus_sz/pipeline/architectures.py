"""Model architectures of the corpus_sz pipeline, registered in spaCy's ``architectures`` registry.

Chinese words carry their meaning class in their characters: the last character
of 产业园, 大桥 or 污水处理厂 says ZONE or PROJECT even when the word was never
seen in training. spaCy's built-in features do not see that for Chinese:
``PREFIX`` is the first character but ``SUFFIX`` is the last *three*, which for
most Chinese tokens is the whole word, and ``CharacterEmbed`` embeds UTF-8
*bytes*, of which a CJK character has three. :func:`ZhAffixEmbed` embeds hashed
character affixes of each token (first and last one or two characters, the
characters just outside the token) next to the usual lexical attributes.

The features are computed from the text alone, so the architecture needs no
vocabulary or tables; it is registered by importing this module, which the
``spacy_architectures`` entry point of the package does for ``spacy.load``.
"""

from __future__ import annotations

from typing import Callable, List, Sequence, Tuple

import numpy
from spacy.strings import hash_string
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import HashEmbed, Maxout, Model, chain, concatenate, list2ragged, ragged2list, with_array
from thinc.types import Floats2d, Ints2d

# spaCy's lexical attributes, read with Doc.to_array; the affix features are hashed strings.
_LEXICAL = {"NORM", "ORTH", "SHAPE", "PREFIX", "SUFFIX"}
AFFIX_FEATURES = ("FIRST1", "LAST1", "FIRST2", "LAST2", "PREV1", "NEXT1", "LENGTH")


def ZhFeatureExtractor(features: Sequence[str], word_dropout: float = 0.0,
                       dropped: Sequence[str] = ("NORM", "ORTH", "FIRST2", "LAST2")) -> Model[List[Doc], List[Ints2d]]:
    for f in features:
        if f not in _LEXICAL and f not in AFFIX_FEATURES:
            raise ValueError(f"unknown feature {f!r}; use one of {sorted(_LEXICAL) + list(AFFIX_FEATURES)}")
    return Model("zh_features", _extract_forward,
                 attrs={"features": list(features), "word_dropout": word_dropout, "dropped": list(dropped)})


def _extract_forward(model: Model, docs: List[Doc], is_train: bool) -> Tuple[List[Ints2d], Callable]:
    features = model.attrs["features"]
    lexical = [f for f in features if f in _LEXICAL]
    out = []
    for doc in docs:
        arr = numpy.zeros((len(doc), len(features)), dtype="uint64")
        if lexical:
            lex = doc.to_array(lexical).reshape((len(doc), len(lexical)))
        text = doc.text
        words = [t.text for t in doc]
        starts = [t.idx for t in doc]
        for j, f in enumerate(features):
            if f in _LEXICAL:
                arr[:, j] = lex[:, lexical.index(f)]
                continue
            if f == "PREV1":
                keys = [text[i - 1: i] if i else "<s>" for i in starts]
            elif f == "NEXT1":
                keys = [text[i + len(w): i + len(w) + 1] or "</s>" for i, w in zip(starts, words)]
            else:
                keys = [_AFFIX[f](w) for w in words]
            arr[:, j] = [_hash(f, k) for k in keys]
        if is_train and model.attrs["word_dropout"] > 0 and len(doc):
            # word dropout: in training, hide a token's identity now and then (the same tokens
            # for every identity feature), so that the tagger learns to recognise names from
            # their characters and context, as it must for the unseen names of a new report.
            # numpy's global generator is the one spaCy's fix_random_seed seeds.
            hide = numpy.random.random(len(doc)) < model.attrs["word_dropout"]
            for j, f in enumerate(features):
                if f in model.attrs["dropped"]:
                    arr[hide, j] = _hash(f, "<unk>")
        out.append(model.ops.asarray2i(arr, dtype="uint64"))
    return out, lambda d_features: []


_AFFIX = {"FIRST1": lambda w: w[:1], "LAST1": lambda w: w[-1:], "FIRST2": lambda w: w[:2],
          "LAST2": lambda w: w[-2:], "LENGTH": lambda w: str(min(len(w), 8))}
_HASHES: dict = {}


def _hash(feature: str, key: str) -> int:
    """The 64-bit hash of a feature value; memoised (the same few thousand strings recur)."""
    k = (feature, key)
    h = _HASHES.get(k)
    if h is None:
        if len(_HASHES) > 200_000:
            _HASHES.clear()
        h = _HASHES[k] = hash_string(feature + ":" + key)
    return h


@registry.architectures("corpus_sz.ZhAffixEmbed.v1")
def ZhAffixEmbed(width: int, features: List[str], rows: List[int],
                 word_dropout: float = 0.0) -> Model[List[Doc], List[Floats2d]]:
    """Hash embeddings of lexical attributes and character affixes, mixed by a Maxout layer.

    width: output width; features: names from NORM, ORTH, SHAPE, PREFIX, SUFFIX and
    FIRST1, LAST1, FIRST2, LAST2, PREV1, NEXT1, LENGTH; rows: hash table rows per feature;
    word_dropout: the share of tokens whose identity features (NORM, ORTH, FIRST2, LAST2)
    are hidden in training.
    """
    if len(features) != len(rows):
        raise ValueError(f"features and rows differ in length: {len(features)} vs {len(rows)}")
    embeddings = [HashEmbed(width, r, column=i, seed=101 + i, dropout=0.0) for i, r in enumerate(rows)]
    return chain(
        ZhFeatureExtractor(features, word_dropout),
        list2ragged(),
        with_array(concatenate(*embeddings)),
        with_array(Maxout(width, width * len(embeddings), nP=3, dropout=0.0, normalize=True)),
        ragged2list(),
    )
