"""The pure parts of group screening: near-duplicate groups, representative
ideas of a cluster, and the screening order's score."""
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer

from nlp.grouping import group_leaders, near_duplicate_groups
from nlp.representative import representatives
from nlp.worth import worth


def test_groups_follow_submission_order_and_the_threshold():
    X = sp.csr_matrix(np.array([
        [1.0, 0, 0], [0, 1.0, 0], [0.95, 0.05, 0], [0, 0.9, 0.1], [0, 0, 1.0], [1.0, 0, 0]]))
    groups = near_duplicate_groups(X, threshold=0.9, chunk_size=2)
    assert groups == [[0, 2, 5], [1, 3]]
    # Row 4 is like nothing: alone. An excluded row (split by staff) never joins.
    assert near_duplicate_groups(X, threshold=0.9, exclude=[5]) == [[0, 2], [1, 3]]
    assert near_duplicate_groups(X, threshold=0.999) == [[0, 5]]


def test_representatives_start_at_the_medoid_and_spread_out():
    X = sp.csr_matrix(np.array([
        [1.0, 0.1, 0], [1.0, 0.12, 0], [1.0, 0.11, 0], [0.2, 1.0, 0], [0.6, 0.6, 0.1]]))
    picks = representatives(X, k=3, diversity=0.7)
    assert len(picks) == len(set(picks)) == 3
    assert picks[0] == 4  # closest to the centroid of all five
    assert 3 in picks  # the outlier on the other side shows the cluster's range
    # Without diversity: closeness to the centroid alone, so the copies before the outlier.
    assert representatives(X, k=5, diversity=0)[-1] == 3
    assert len(representatives(X, k=10)) == 5
    assert representatives(sp.csr_matrix((0, 3)), k=3) == []


def test_worth_reads_measures_actors_numbers_not_length():
    concrete = worth("建议由省发展改革委牵头，建立拖欠账款清偿台账，60 天内清零，解决民营企业回款难的瓶颈。")
    assert concrete.reason.startswith("提出了具体措施、责任部门和具体数字")
    assert "明确的瓶颈" in concrete.reason
    vague = worth("希望营商环境越来越好。" * 20)
    assert vague.score < concrete.score
    assert vague.reason == "未写出具体措施、责任部门或数字"
    complaint = worth("我家小区门口的路灯坏了三个月，请问找谁修？")
    assert "个人诉求" in complaint.reason
    assert complaint.score < concrete.score
    assert worth("").score == 0


def _rows_with_copies(n_rows=3000, n_terms=4000, seed=7):
    """Random term-weight rows, a fifth of them edited copies of an earlier row."""
    rng = np.random.default_rng(seed)
    rows = []
    for row in range(n_rows):
        if row > 10 and rng.random() < 0.2:
            terms = rows[int(rng.integers(row))].copy()
            edited = int(rng.integers(3, 12))
            terms[rng.choice(len(terms), edited, replace=False)] = rng.integers(n_terms, size=edited)
        else:
            terms = rng.integers(n_terms, size=20)
        rows.append(terms)
    counts = sp.lil_matrix((n_rows, n_terms))
    for row, terms in enumerate(rows):
        for term in terms:
            counts[row, term] += 1
    return TfidfTransformer(sublinear_tf=True).fit_transform(counts.tocsr())


def _joined(groups, n_rows):
    """Rows that joined an earlier one, and the leader each row ended under."""
    leader = group_leaders(groups, n_rows)
    return leader != np.arange(n_rows), leader


def test_the_approximate_groups_keep_what_the_exact_ones_find():
    X = _rows_with_copies()
    exact = near_duplicate_groups(X)
    approximate = near_duplicate_groups(X, exact_up_to=0, n_jobs=1)
    joined, leader = _joined(exact, X.shape[0])
    found, found_leader = _joined(approximate, X.shape[0])
    assert 300 < joined.sum() < 700
    # Every link is scored exactly, so what is found is right; it finds nearly all.
    assert (found & ~joined).sum() == 0
    assert (found & joined).sum() / joined.sum() >= 0.95
    assert (found_leader == leader).mean() >= 0.97
    assert near_duplicate_groups(X, exact_up_to=0, n_jobs=1) == approximate
    # A row split off by staff stays alone in the approximate way too.
    split = approximate[0][1]
    assert all(split not in members
               for members in near_duplicate_groups(X, exact_up_to=0, n_jobs=1, exclude=[split]))
