import joblib
import pytest

from nlp.similar import SimilarIdeas


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
    assert index.pending_rows_ == [] and index.n_stored_ == 28
    after = [index.query(doc, min_score=0.0) for doc in docs]
    assert [[i for i, _ in hits] for hits in before] == [[i for i, _ in hits] for hits in after]
    assert [[s for _, s in hits] for hits in before] == [
        [pytest.approx(s, abs=1e-6) for _, s in hits] for hits in after]


def test_buffer_merges_by_itself(docs):
    index = SimilarIdeas(max_pending=2).fit(docs, range(len(docs)))
    for n in range(5):
        index.add(f"copy{n}", docs[n])
    assert len(index.pending_rows_) <= 2 and index.n_stored_ > len(docs)
    assert {i for i, _ in index.query(docs[4], min_score=0.99)} == {4, "copy4"}


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
