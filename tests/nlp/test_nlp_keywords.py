import pytest

from nlp.keywords import KeywordExtractor


def test_distinctive_words_come_first(segmenter, docs):
    extractor = KeywordExtractor(top_n=3).fit(docs)
    doc = segmenter.segment("园区亩均效益低，园区标准厂房闲置")
    words = [word for word, _ in extractor.extract([doc])[0]]
    # 园区 twice; 亩均效益 is in two fixture ideas, so rarer words outrank it;
    # equal weights fall back to the words' order.
    assert words == ["园区", "标准厂房", "闲置"]


def test_words_in_most_ideas_are_not_keywords(segmenter):
    docs = [segmenter.segment(f"建议企业{topic}") for topic in ("融资难", "招工难", "拖欠账款", "专利")]
    keywords = KeywordExtractor(top_n=5, max_df=0.5).fit_extract(docs)
    assert all("企业" not in [word for word, _ in row] for row in keywords)
    assert keywords[0][0][0] == "融资难"


def test_weights_descend_and_are_reproducible(docs):
    first = KeywordExtractor().fit_extract(docs)
    assert first == KeywordExtractor().fit_extract(docs)
    for row in first:
        weights = [weight for _, weight in row]
        assert weights == sorted(weights, reverse=True) and len(row) <= 8


def test_ideas_sharing_every_word_need_a_looser_max_df():
    docs = ["融资难 贷款", "融资难 贷款", "贷款 融资难"]
    with pytest.raises(ValueError):
        KeywordExtractor(max_df=0.5).fit(docs)
    assert [w for w, _ in KeywordExtractor(max_df=1.0).fit_extract(docs)[0]] == ["融资难", "贷款"]
