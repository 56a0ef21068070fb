"""The character CRF tagger: gazetteer features, tag decoding, training, serialisation."""

import pytest

spacy = pytest.importorskip("spacy")
pytest.importorskip("pycrfsuite")

from corpus_sz.pipeline.crf import CharCRF, Gazetteer, char_features, char_labels, decode  # noqa: E402


def _blank():
    # a character tokenizer is enough here: the features only need tokens with offsets
    return spacy.blank("zh")


def test_gazetteer_takes_the_longest_match_and_its_most_frequent_label():
    gaz = Gazetteer([{"form": "浑南", "label": "DISTRICT", "count": 3},
                     {"form": "浑南科技城", "label": "ZONE", "count": 1},
                     {"form": "中山路", "label": "ZONE", "count": 1},
                     {"form": "中山路", "label": "PROJECT", "count": 2},
                     {"form": "城", "label": "ZONE", "count": 9}])  # one character: never a feature
    tags = gaz.tags("建设浑南科技城和浑南，改造中山路城")
    assert tags[2:7] == ["B-ZONE", "I-ZONE", "I-ZONE", "I-ZONE", "I-ZONE"]
    assert tags[8:10] == ["B-DISTRICT", "I-DISTRICT"]
    assert tags[13:16] == ["B-PROJECT", "I-PROJECT", "I-PROJECT"]
    assert tags[16] == "O" and tags[:2] == ["O", "O"]


def test_labels_and_decoding_round_trip():
    text = "实施“十四五”规划，建设浑南科技城和区"
    spans = [(2, 9, "PROGRAMME"), (12, 17, "ZONE"), (18, 19, "DISTRICT")]
    tags = char_labels(text, spans)
    assert len(tags) == len(text)
    assert tags[2:9] == ["B-PROGRAMME"] + ["I-PROGRAMME"] * 5 + ["E-PROGRAMME"]
    assert tags[18] == "S-DISTRICT" and tags[17] == "O"
    assert decode(tags) == spans
    # adjacent spans of the same label stay apart; a stray I- or E- starts a span; BIO still decodes
    assert decode(["B-ZONE", "E-ZONE", "S-ZONE", "O", "I-PROJECT", "E-PROJECT", "E-ZONE"]) == \
        [(0, 2, "ZONE"), (2, 3, "ZONE"), (4, 6, "PROJECT"), (6, 7, "ZONE")]
    assert decode(["B-ZONE", "I-ZONE", "B-ZONE", "O", "I-PROJECT", "I-PROJECT"]) == \
        [(0, 2, "ZONE"), (2, 3, "ZONE"), (4, 6, "PROJECT")]


def test_features_mark_quotes_tokens_and_gazetteer_matches():
    nlp = _blank()
    doc = nlp("推进“放管服”改革")
    feats = char_features(doc, Gazetteer([{"form": "放管服", "label": "PROGRAMME", "count": 1}]))
    assert len(feats) == len(doc.text)
    assert "quote=1" in feats[3] and "quote=0" in feats[0] and "quote=0" in feats[2]
    assert "gaz=B-PROGRAMME" in feats[3] and "gaz=I-PROGRAMME" in feats[5] and "gaz=O" in feats[7]
    assert "c=放" in feats[3] and "c-1=“" in feats[3] and "c+1=管" in feats[3]


def _train(nlp, examples):
    crf = CharCRF(nlp.vocab, max_iterations=50)
    entries = [{"form": "浑南科技城", "label": "ZONE", "count": 1}]
    crf.fit([([(nlp.make_doc(t), s) for t, s in examples], entries)], entries)
    return crf


EXAMPLES = [("加快建设浑南科技城。", [(4, 9, "ZONE")]),
            ("推进“放管服”改革。", [(2, 7, "PROGRAMME")]),
            ("建设沈北新区。", [(2, 6, "DISTRICT")]),
            ("打造和平湾科技城。", [(2, 8, "ZONE")])] * 3


def test_fit_is_deterministic_and_serialisation_keeps_the_tagger(tmp_path):
    nlp = _blank()
    a, b = _train(nlp, EXAMPLES), _train(nlp, EXAMPLES)
    assert a.model and a.model == b.model
    assert a.labels == ("DISTRICT", "PROGRAMME", "ZONE")
    doc = nlp.make_doc("加快建设浑南科技城。")
    assert (4, 9, "ZONE") in a.predict(doc)
    a.to_disk(tmp_path / "crf")
    c = CharCRF(nlp.vocab).from_disk(tmp_path / "crf")
    d = CharCRF(nlp.vocab).from_bytes(a.to_bytes())
    for other in (c, d):
        assert other.model == a.model and other.gazetteer.forms == a.gazetteer.forms
        assert other.predict(doc) == a.predict(doc)


def test_component_sets_token_aligned_entities():
    nlp = _blank()
    crf = _train(nlp, EXAMPLES)
    doc = crf(nlp.make_doc("推进“放管服”改革，加快建设浑南科技城。"))
    assert [(e.text, e.label_) for e in doc.ents] == [("“放管服”", "PROGRAMME"), ("浑南科技城", "ZONE")]
    assert all(0 < e._.corpus_sz_confidence <= 1 for e in doc.ents)
    assert crf(nlp.make_doc("")).ents == ()
    # entities set before the tagger stay; tagged spans that overlap them are not added
    from spacy.tokens import Span

    doc = nlp.make_doc("推进“放管服”改革，加快建设浑南科技城。")
    doc.ents = [Span(doc, 14, 16, "DISTRICT")]  # 浑南 (a character tokenizer: one token per character)
    assert [(e.text, e.label_) for e in crf(doc).ents] == [("“放管服”", "PROGRAMME"), ("浑南", "DISTRICT")]
    assert doc.ents[1]._.corpus_sz_confidence is None  # not the CRF's span


def test_untrained_tagger_says_so():
    nlp = _blank()
    with pytest.raises(ValueError, match="not trained"):
        CharCRF(nlp.vocab).predict(nlp.make_doc("浑南"))


def test_a_long_doc_is_tagged_sentence_by_sentence_like_its_pieces():
    """nlp(long text) gives the spans that tagging its sentences one by one gives (bounded memory)."""
    nlp = _blank()
    crf = _train(nlp, EXAMPLES)
    sentence = "推进“放管服”改革，加快建设浑南科技城。"
    one = crf.predict(nlp.make_doc(sentence))
    assert one
    long_doc = nlp.make_doc(sentence * 50)
    assert crf.predict(long_doc) == [(s + k * len(sentence), e + k * len(sentence), lab)
                                     for k in range(50) for s, e, lab in one]
    feats = char_features(long_doc, crf.gazetteer, len(sentence), 2 * len(sentence))
    assert feats == char_features(nlp.make_doc(sentence), crf.gazetteer)
