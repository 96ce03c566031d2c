import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_union

from nlp.features import TokenCorpus, TokenTfidf, char_wb_ngrams, count_tokens
from nlp.segmenter import split_tokens


def sklearn_equivalent(min_df, char_ngram_range):
    word = TfidfVectorizer(tokenizer=split_tokens, token_pattern=None, lowercase=False,
                           sublinear_tf=True, min_df=min_df)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=char_ngram_range, lowercase=False,
                           sublinear_tf=True, min_df=min_df)
    return make_union(word, char)


def aligned(ours, theirs):
    """Their matrix with columns reordered to our feature order."""
    names = ours.get_feature_names_out()
    positions = {}
    for i, name in enumerate(theirs.get_feature_names_out()):
        step, feature = name.split("__", 1)
        positions[feature if step.endswith("-1") else "char:" + feature] = i
    return [positions[name] for name in names]


@pytest.mark.parametrize("min_df,char_ngram_range", [(1, (1, 3)), (2, (2, 4))])
def test_matches_scikit_learn_word_and_char_tfidf(docs, min_df, char_ngram_range):
    train, test = docs[:18], docs[18:]
    ours = TokenTfidf(min_df=min_df, char_ngram_range=char_ngram_range)
    theirs = sklearn_equivalent(min_df, char_ngram_range)
    ours_train, theirs_train = ours.fit_transform(train), theirs.fit_transform(train)
    order = aligned(ours, theirs)
    assert ours_train.shape == theirs_train.shape
    np.testing.assert_allclose(ours_train.toarray(), theirs_train[:, order].toarray(), atol=1e-12)
    np.testing.assert_allclose(ours.transform(test).toarray(),
                               theirs.transform(test)[:, order].toarray(), atol=1e-12)


def test_char_wb_ngrams_match_scikit_learn():
    for ngram_range in [(1, 1), (1, 3), (2, 4), (3, 6)]:
        analyzer = TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range,
                                   lowercase=False).build_analyzer()
        for word in ["a", "融资", "营商环境", "一件事一次办"]:
            assert char_wb_ngrams(word, *ngram_range) == analyzer(word)


def test_count_tokens_in_chunks_equals_one_pass(docs):
    whole, tokens = count_tokens(docs)
    chunked, chunk_tokens = count_tokens(docs, chunk_size=4)
    assert tokens == chunk_tokens
    assert (whole != chunked).nnz == 0
    assert whole.sum() == sum(len(doc.split()) for doc in docs)


def test_corpus_counts_once_and_slices_share_them(docs):
    corpus = TokenCorpus(docs)
    first = corpus.counts()
    assert corpus.counts() is first
    assert corpus[3] == docs[3]
    subset = corpus[[1, 4, 7]]
    assert list(subset) == [docs[1], docs[4], docs[7]]
    tfidf = TokenTfidf().fit(docs)
    np.testing.assert_allclose(tfidf.transform(subset).toarray(),
                               tfidf.transform([docs[1], docs[4], docs[7]]).toarray())


def test_iter_transform_chunks_add_up_to_transform(docs):
    tfidf = TokenTfidf(char_ngram_range=(1, 2)).fit(docs)
    chunks = list(tfidf.iter_transform(docs, chunk_size=7))
    assert [chunk.shape[0] for chunk in chunks] == [7, 7, 7, 4]
    whole = tfidf.transform(docs).toarray()
    np.testing.assert_allclose(np.vstack([chunk.toarray() for chunk in chunks]), whole)


def test_empty_and_unknown_documents_give_zero_rows(docs):
    tfidf = TokenTfidf().fit(docs)
    assert tfidf.transform([]).shape == (0, len(tfidf.terms_))
    assert tfidf.transform(["", "完全 陌生 词语"]).nnz == 0


def test_no_words_left_is_an_error_as_in_scikit_learn(docs):
    with pytest.raises(ValueError):
        TokenTfidf().fit(["", ""])
    with pytest.raises(ValueError):
        TokenTfidf(min_df=len(docs) + 1).fit(docs)
