import random
import threading

import joblib
import numpy as np
import pytest

from nlp.similar import Lookup, SimilarIdeas


@pytest.fixture
def index(docs):
    return SimilarIdeas(top_k=3, min_score=0.3).fit(docs, [f"i{n}" for n in range(len(docs))])


def test_exact_duplicate_scores_one(index, docs):
    hits = index.query(docs[5])
    assert hits[0][0] == "i5"
    assert hits[0][1] == pytest.approx(1.0, abs=1e-6)
    assert all(hits[i][1] >= hits[i + 1][1] for i in range(len(hits) - 1))


def test_near_duplicate_is_found_and_self_can_be_excluded(index, segmenter):
    near = segmenter.segment("一些单位编外人员比在编人员还多，人浮于事，财政供养负担太重了！")
    assert index.query(near)[0][0] == "i5"
    others = index.query(near, exclude="i5", min_score=0.0)
    assert others and "i5" not in [i for i, _ in others]


def test_min_score_and_top_k_limit_results(index, docs):
    assert len(index.query(docs[0], top_k=2, min_score=0.0)) == 2
    assert all(score >= 0.99 for _, score in index.query(docs[0], min_score=0.99))
    assert index.query("完全 陌生 词语") == []


def test_added_idea_is_found_without_refit(index, segmenter):
    vectorizer = index.vectorizer_
    doc = segmenter.segment("建议把园区管委会和街道合并，解决园区多头管理和叠床架屋")
    index.add("new", doc)
    assert index.vectorizer_ is vectorizer
    assert index.query(doc)[0] == ("new", pytest.approx(1.0, abs=1e-6))
    assert len(index) == 26


def test_similarity_is_the_cosine_the_query_gives(index, docs, segmenter):
    doc = segmenter.segment("建议把园区管委会和街道合并，解决园区多头管理和叠床架屋")
    index.add("new", doc)  # one stored row and one in the append buffer
    for id_, score in index.query(docs[1], top_k=len(docs) + 1, min_score=0.0) + [("i1", 1.0)]:
        assert index.similarity(docs[1], id_) == pytest.approx(score, abs=1e-5)
    assert index.similarity(doc, "new") == pytest.approx(1.0, abs=1e-5)
    assert index.similarity(docs[1], "unknown") == 0.0


def test_adding_many_at_once_is_adding_them_one_by_one(docs, segmenter):
    one, many = (SimilarIdeas(top_k=3, min_score=0.0).fit(docs[:6], range(6)) for _ in range(2))
    added = [(6, docs[6]), (7, docs[7]), (2, docs[8]), (9, docs[9]), (6, docs[10])]
    for id_, doc in added:
        one.add(id_, doc)
    many.add_many([id_ for id_, _ in added], [doc for _, doc in added])
    assert len(one) == len(many) == 9
    for doc in docs:
        assert one.query(doc) == many.query(doc)
    with pytest.raises(ValueError):
        many.add_many([1, 2], [docs[0]])


def test_removed_and_replaced_ideas(index, docs):
    index.remove("i5")
    assert "i5" not in [i for i, _ in index.query(docs[5])]
    index.remove("missing")
    index.add("i7", docs[5])  # an edited idea keeps its id
    assert index.query(docs[5])[0][0] == "i7"
    assert index.query(docs[7], min_score=0.99) == []
    assert len(index) == 24


def test_compaction_keeps_answers(index, docs):
    for n in range(4):
        index.add(f"n{n}", docs[n])
    index.remove("i2")
    before = [index.query(doc, min_score=0.0) for doc in docs]
    index.compact()
    assert index.n_pending == 0 and index.n_stored_ == 28
    after = [index.query(doc, min_score=0.0) for doc in docs]
    assert [[i for i, _ in hits] for hits in before] == [[i for i, _ in hits] for hits in after]
    assert [[s for _, s in hits] for hits in before] == [
        [pytest.approx(s, abs=1e-6) for _, s in hits] for hits in after]


def test_adding_never_merges_by_itself(index, docs):
    for n in range(50):
        index.add(f"copy{n}", docs[n % 5])
    assert index.n_pending == 50 and index.n_stored_ == 25
    assert {i for i, _ in index.query(docs[4], top_k=20, min_score=0.99)} == {
        "i4", *(f"copy{n}" for n in range(4, 50, 5))}


def test_words_unseen_at_fit_carry_no_weight_until_refit(docs):
    index = SimilarIdeas().fit(docs[:5], range(5))
    index.add(9, docs[9])
    assert index.query(docs[9]) == []
    refitted = SimilarIdeas().fit(docs[:5] + [docs[9]], [0, 1, 2, 3, 4, 9])
    assert refitted.query(docs[9])[0][0] == 9


def test_round_trip_through_joblib(index, docs, tmp_path):
    index.add("new", docs[3])
    joblib.dump(index, tmp_path / "similar.joblib")
    loaded = joblib.load(tmp_path / "similar.joblib")
    assert loaded.query(docs[3], min_score=0.0) == index.query(docs[3], min_score=0.0)
    loaded.add("later", docs[4])
    assert "later" in [i for i, _ in loaded.query(docs[4])]


def test_ids_and_docs_must_match(docs):
    with pytest.raises(ValueError):
        SimilarIdeas().fit(docs, [1, 2])


def made_up_corpus(n_docs, seed, n_sentences=600, n_words=3000):
    """Ideas made of two to six sentences from one pool, as the benchmark grows
    them: words follow Zipf's law, so a few are in most ideas and most are rare."""
    words = [f"w{n}" for n in range(n_words)]
    frequency = [1 / rank for rank in range(1, n_words + 1)]
    pool = random.Random(0)
    sentences = [" ".join(pool.choices(words, frequency, k=pool.randint(5, 12))) for _ in range(n_sentences)]
    rng = random.Random(seed)
    return [" ".join(rng.choice(sentences) for _ in range(rng.randint(2, 6))) for _ in range(n_docs)]


def exact_top(index, doc, k):
    """The k best cosines by brute force over every stored row, and the k-th best."""
    scores = (index.rows_ @ index.vectorizer_.transform([doc]).T).toarray().ravel()
    return np.sort(scores)[::-1][k - 1]


@pytest.mark.parametrize("budgets, least_recall", [((None, None), 1.0), ((500, 50), 0.95)])
def test_recall_against_the_exact_answer(budgets, least_recall):
    corpus = made_up_corpus(3000, seed=1)
    index = SimilarIdeas(max_postings=budgets[0], max_rescored=budgets[1]).fit(corpus, range(3000))
    found = []
    for doc in made_up_corpus(100, seed=2):
        kth = exact_top(index, doc, 5)
        hits = index.query(doc, top_k=5, min_score=0.0)
        assert len(hits) == 5 and [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
        # An answer is right when it scores at least the exact k-th best (ties count).
        found += [score >= kth - 1e-5 for _, score in hits]
    assert np.mean(found) >= least_recall
    if budgets[0] is not None:
        assert np.mean(found) < 1.0  # the budgets did cut the work


def test_many_queries_at_once_answer_as_one_by_one():
    corpus = made_up_corpus(2000, seed=3)
    index = SimilarIdeas().fit(corpus[:1800], range(1800))
    index.add_many(range(1800, 2000), corpus[1800:])
    rows = range(1700, 2000)
    many = index.query_many([corpus[n] for n in rows], top_k=10, min_score=0.2, excludes=list(rows))
    assert many == [index.query(corpus[n], top_k=10, min_score=0.2, exclude=n) for n in rows]
    assert any(many) and index.query_many([]) == []


def test_queries_leave_the_index_unchanged(index, docs, segmenter):
    index.add("new", docs[3])
    index.remove("i7")
    before = joblib.hash(index)
    near = segmenter.segment("一些单位编外人员比在编人员还多，人浮于事，财政供养负担太重了！")
    for doc in docs + [near, "完全 陌生 词语"]:
        index.query(doc, min_score=0.0, exclude="i5")
        index.query(doc, top_k=30, min_score=0.0)
        index.lookup(doc, exclude="new")
    assert joblib.hash(index) == before


def test_queries_run_while_another_thread_adds():
    index = SimilarIdeas().fit(made_up_corpus(500, seed=1), range(500))
    new = made_up_corpus(300, seed=4)
    adding = threading.Thread(target=lambda: [index.add(f"n{n}", doc) for n, doc in enumerate(new)])
    adding.start()
    answers = []
    while adding.is_alive() or not answers:
        answers.append(index.query(new[-1], top_k=5, min_score=0.0))
    adding.join()
    # Each answer is whole: five known ideas, whatever was added meanwhile.
    assert all(len(hits) == 5 and all(i in index.positions_ for i, _ in hits) for hits in answers)
    assert index.query(new[-1])[0] == ("n299", pytest.approx(1.0, abs=1e-6))


def test_lookup_finds_every_exact_duplicate(docs):
    corpus = docs + [docs[5]] * 7 + [docs[9]]  # more copies than one search asks for
    index = SimilarIdeas(top_k=3).fit(corpus, [f"i{n}" for n in range(len(corpus))])
    copies = ["i5"] + [f"i{n}" for n in range(25, 32)]
    answer = index.lookup(docs[5])
    assert isinstance(answer, Lookup)
    assert [i for i, _ in answer.duplicates] == copies  # older first
    assert all(score == pytest.approx(1.0, abs=1e-6) for _, score in answer.duplicates)
    assert answer.related and all(score < index.duplicate_score for _, score in answer.related)
    assert [i for i, _ in index.lookup(docs[5], exclude="i5").duplicates] == copies[1:]


def test_lookup_shows_related_ideas_below_the_duplicate_floor(index, docs):
    answer = index.lookup(docs[6])  # 借调 and 临聘人员: more ideas of the same theme
    assert [i for i, _ in answer.duplicates] == ["i6"]
    related = [i for i, _ in answer.related]
    assert "i9" in related and "i6" not in related
    scores = [s for _, s in answer.related]
    assert scores == sorted(scores, reverse=True) and min(scores) >= index.related_score
    # What the old floor of the hint would have hidden.
    assert any(s < 0.3 for s in scores)


def test_added_idea_is_found_with_budgets():
    corpus = made_up_corpus(3000, seed=1)
    index = SimilarIdeas(max_postings=500, max_rescored=50).fit(corpus, range(3000))
    doc = made_up_corpus(1, seed=3)[0]
    index.add("new", doc)
    assert "new" in [i for i, _ in index.lookup(doc).duplicates]
    index.remove("new")
    assert "new" not in [i for i, _ in index.query(doc, top_k=50, min_score=0.0)]


def test_an_index_saved_by_the_postings_only_version_still_answers(index, docs, tmp_path):
    index.add("new", docs[3])
    index.remove("i7")
    expected = [index.query(doc, min_score=0.0) for doc in docs]
    # The state that version pickled: postings, an append buffer of rows, max_pending.
    pending = index.pending_
    old = {key: value for key, value in index.__getstate__().items()
           if key in {"top_k", "min_score", "min_df", "max_df", "vectorizer_", "ids_", "positions_",
                      "columns_", "n_stored_", "_sklearn_version"}}
    end = pending.indptr[1]
    old.update(max_pending=5000, alive_=index.alive_[:len(index.ids_)].copy(),
               pending_rows_=[(pending.indices[:end].copy(), pending.data[:end].copy())])
    loaded = SimilarIdeas.__new__(SimilarIdeas)
    loaded.__setstate__(old)
    assert [loaded.query(doc, min_score=0.0) for doc in docs] == expected
    assert loaded.n_pending == 0 and loaded.get_params()["max_postings"] == 50_000
    loaded.add("later", docs[4])
    assert "later" in [i for i, _ in loaded.query(docs[4])]
