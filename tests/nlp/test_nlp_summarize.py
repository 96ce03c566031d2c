"""Extractive summaries: the central item first, then something new, never a made-up line."""
import numpy as np

from nlp.summarize import mmr, representative, representative_sentences, split_sentences
from tests.nlp.conftest import IDEAS


def test_sentences_split_at_chinese_and_latin_stops():
    text = ("建议如下：\n一是扩大融资担保规模，降低担保费率。二是推广信用贷款!三是什么？好\n"
            "  设立风险补偿资金；")
    assert split_sentences(text) == ["一是扩大融资担保规模，降低担保费率。", "二是推广信用贷款!",
                                     "设立风险补偿资金；"]
    assert split_sentences("") == [] and split_sentences(None) == []


def test_mmr_takes_the_centre_then_the_other_side():
    # Two near-copies of one point, one of another, and one between them.
    vectors = np.array([[1.0, 0.0], [0.99, 0.141], [0.0, 1.0], [0.707, 0.707]])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    assert mmr(vectors, 1, diversity=0.0) == [3]
    assert sorted(mmr(vectors, 4, diversity=0.5)) == [0, 1, 2, 3]
    # Without diversity the second pick repeats the first's side; with it, it does not.
    assert mmr(vectors, 2, diversity=0.0)[1] in (0, 1)
    assert mmr(vectors[:3], 2, diversity=0.7) in ([0, 2], [1, 2])


def test_weights_pull_the_centre():
    vectors = np.eye(2)
    assert mmr(vectors, 1, weights=[1, 5]) == [1] and mmr(vectors, 1, weights=[5, 1]) == [0]


def test_representative_ideas_are_from_the_big_topic_and_not_copies(docs):
    # Five ideas on credit (three of them copies) and one on parks.
    credit = [d for (code, _), d in zip(IDEAS, docs) if code == "costs"][:2]
    topic = [credit[0], credit[0], credit[0], credit[1], docs[10]]
    first, second = representative(topic, k=2, diversity=0.6)
    assert first in (0, 1, 2) and second not in (0, 1, 2)
    assert representative(["", " "], k=2) == []


def test_representative_sentences_are_sentences_of_the_texts(segmenter):
    texts = [text for code, text in IDEAS if code == "costs"] + ["融资难的问题很突出。融资难融资贵要解决。"]
    picked = representative_sentences(texts, segmenter.segment, k=3)
    assert len(picked) == 3
    for index, sentence in picked:
        assert sentence in texts[index]
    assert len({sentence for _, sentence in picked}) == 3
    # The same input, the same summary.
    assert representative_sentences(texts, segmenter.segment, k=3) == picked
    # A sentence every text repeats becomes central.
    repeated = [t + "融资担保费率太高了。" for t in texts]
    found = representative_sentences(repeated, segmenter.segment, k=1, diversity=0.0)
    assert found[0][1] == "融资担保费率太高了。"
