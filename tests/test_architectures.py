"""Features of the neural alternative (scripts/configs/ner-affix.cfg): character affixes, word dropout; mention replacement."""

import numpy
import pytest

spacy = pytest.importorskip("spacy")

from spacy.tokens import Doc  # noqa: E402

from corpus_sz.pipeline.architectures import ZhAffixEmbed, ZhFeatureExtractor  # noqa: E402
from corpus_sz.pipeline.training import augment_chunks  # noqa: E402

FEATURES = ["NORM", "FIRST1", "LAST1", "FIRST2", "LAST2", "PREV1", "NEXT1", "LENGTH"]


VOCAB = spacy.blank("zh").vocab  # the lexical attributes (NORM) of the pipeline's language


def _doc(words, spaces=None):
    return Doc(VOCAB, words=words, spaces=spaces or [False] * len(words))


def _col(name):
    return FEATURES.index(name)


def test_affix_features_share_characters_across_unseen_words():
    doc = _doc(["加快", "信创产业园", "、", "半导体产业园", "建设"])
    (ids,) = ZhFeatureExtractor(FEATURES).predict([doc])
    assert ids.shape == (5, len(FEATURES))
    # two different words with the same head character and the same last two characters
    assert ids[1, _col("NORM")] != ids[3, _col("NORM")]
    assert ids[1, _col("LAST1")] == ids[3, _col("LAST1")]
    assert ids[1, _col("LAST2")] == ids[3, _col("LAST2")]
    assert ids[1, _col("FIRST1")] != ids[3, _col("FIRST1")]
    # the characters just outside a token: 、 follows 信创产业园 and precedes 半导体产业园
    assert ids[1, _col("NEXT1")] != ids[3, _col("NEXT1")]
    doc2 = _doc(["、", "信创产业园"])
    (ids2,) = ZhFeatureExtractor(FEATURES).predict([doc2])
    assert ids2[1, _col("PREV1")] == ids[3, _col("PREV1")]
    # features depend on the text only: the same doc gives the same ids
    (again,) = ZhFeatureExtractor(FEATURES).predict([_doc(["加快", "信创产业园", "、", "半导体产业园", "建设"])])
    assert numpy.array_equal(ids, again)


def test_unknown_feature_is_refused():
    with pytest.raises(ValueError, match="unknown feature"):
        ZhFeatureExtractor(["NORM", "LAST3"])
    with pytest.raises(ValueError, match="differ in length"):
        ZhAffixEmbed(8, ["NORM", "LAST1"], [10])


def test_word_dropout_only_in_training():
    words = ["实施", "黑土地", "保护", "工程"] * 50
    model = ZhFeatureExtractor(["NORM", "LAST1"], word_dropout=0.5)
    (pred,) = model.predict([_doc(words)])
    numpy.random.seed(0)
    (train, _), = [model([_doc(words)], is_train=True)]
    train = train[0]
    hidden = train[:, 0] != pred[:, 0]
    assert 0.3 < hidden.mean() < 0.7
    assert len(set(train[hidden, 0].tolist())) == 1  # one <unk> id
    assert numpy.array_equal(train[:, 1], pred[:, 1])  # character features are never hidden
    numpy.random.seed(0)
    (again, _), = [model([_doc(words)], is_train=True)]
    assert numpy.array_equal(again[0], train)


def test_embedding_gives_one_vector_per_token():
    model = ZhAffixEmbed(16, FEATURES, [50] * len(FEATURES))
    docs = [_doc(["推进", "浑南科技城", "建设"]), _doc(["“", "十四五", "”", "规划"])]
    model.initialize(X=docs)
    out = model.predict(docs)
    assert [o.shape for o in out] == [(3, 16), (4, 16)]


def test_mention_replacement_keeps_offsets_on_the_new_mentions():
    chunks = [("推进浑南科技城建设，实施黑土地保护工程。", [(2, 7, "ZONE"), (12, 19, "PROGRAMME")]),
              ("建设沈北科教园和临空经济区", [(2, 7, "ZONE"), (8, 13, "ZONE")]),
              ("没有实体的句子", [])]
    out = augment_chunks(chunks, 3, seed=1)
    assert len(out) == 6  # three copies of each chunk that has entities
    zones = {"浑南科技城", "沈北科教园", "临空经济区"}
    for text, ents in out:
        for s, e, lab in ents:
            assert (text[s:e] in zones) == (lab == "ZONE")
            assert lab != "PROGRAMME" or text[s:e] == "黑土地保护工程"
        assert "实施" in text or text.startswith("建设")
    assert augment_chunks(chunks, 3, seed=1) == out
    assert augment_chunks(chunks, 0, seed=1) == []


def test_the_neural_alternative_config_builds_a_ner_pipeline():
    """scripts/configs/ner-affix.cfg, the configuration docs/model-selection.md compares, stays loadable."""
    from pathlib import Path

    from spacy import util

    from corpus_sz.pipeline.training import load_config

    path = Path(__file__).resolve().parents[1] / "scripts" / "configs" / "ner-affix.cfg"
    cfg, settings = load_config(path)
    assert cfg["nlp"]["pipeline"][0] == "ner" and settings.augment_copies == 1
    cfg["nlp"]["tokenizer"] = {"@tokenizers": "spacy.zh.ChineseTokenizer", "segmenter": "char"}
    cfg["initialize"]["tokenizer"] = {}
    nlp = util.load_model_from_config(cfg, auto_fill=True, validate=True)
    assert nlp.pipe_names[:2] == ["ner", "entity_ruler"]
    assert nlp.config["components"]["ner"]["model"]["tok2vec"]["embed"]["@architectures"] == "corpus_sz.ZhAffixEmbed.v1"
