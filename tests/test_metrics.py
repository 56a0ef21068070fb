from corpus_sz.metrics import linking_accuracy, score


def test_strict_and_lenient():
    gold = [(0, 4, "ZONE"), (10, 14, "PROGRAMME"), (20, 22, "DISTRICT")]
    pred = [(0, 4, "ZONE"), (10, 13, "PROGRAMME"), (20, 22, "PROJECT"), (30, 33, "PROJECT")]
    strict = score(gold, pred)
    assert (strict["micro"].tp, strict["micro"].fp, strict["micro"].fn) == (1, 3, 2)
    assert strict["ZONE"].f == 1.0 and strict["PROGRAMME"].f == 0.0
    lenient = score(gold, pred, lenient=True)
    assert (lenient["micro"].tp, lenient["micro"].fp, lenient["micro"].fn) == (2, 2, 1)
    assert lenient["PROGRAMME"].f == 1.0 and lenient["DISTRICT"].r == 0.0


def test_lenient_never_below_strict():
    gold = [(0, 2, "PROGRAMME"), (1, 5, "PROGRAMME")]
    pred = [(0, 5, "PROGRAMME"), (1, 5, "PROGRAMME")]
    assert score(gold, pred, lenient=True)["micro"].tp >= score(gold, pred)["micro"].tp == 1
    assert score(gold, pred, lenient=True)["micro"].tp == 2


def test_linking_accuracy():
    gold = [(0, 4, "ZONE", "zone-a"), (5, 8, "PROJECT", "project-b")]
    pred = [(0, 4, "ZONE", "zone-a"), (5, 8, "PROJECT", "project-c"), (9, 10, "ZONE", "zone-a")]
    assert linking_accuracy(gold, pred) == (1, 2)
