import hashlib
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voting.judging.scoring import (
    Criterion,
    Review,
    Rubric,
    TieBreakKeys,
    calibrate,
    idea_spreads,
    krippendorff_alpha_interval,
    near_cutoff,
    rank_ideas,
    robust_mean,
    tie_break_keys,
)
from voting.judging.digest import freeze_score_table, verify_digest

RUBRIC = Rubric((Criterion("针对性", 0.5, 0, 10), Criterion("可行性", 0.5, 0, 10)))
NAN = math.nan


# Rubric


def test_rubric_total_is_the_weighted_sum():
    rubric = Rubric((Criterion("针对性", 3, 0, 10), Criterion("可行性", 2, 1, 5)))
    assert rubric.total({"针对性": 8, "可行性": 4}) == 32
    assert rubric.max_total == 40
    assert rubric.min_total == 2


@pytest.mark.parametrize(("scores", "message"), [
    ({"针对性": 11, "可行性": 5}, "超出"),
    ({"针对性": 5}, "缺少"),
    ({"针对性": 5, "可行性": 5, "创新性": 5}, "未知"),
])
def test_rubric_rejects_bad_score_sheets(scores, message):
    with pytest.raises(ValueError, match=message):
        RUBRIC.total(scores)


def test_rubric_rejects_duplicate_criteria_and_bad_scales():
    with pytest.raises(ValueError):
        Rubric((Criterion("针对性", 1, 0, 10), Criterion("针对性", 1, 0, 10)))
    with pytest.raises(ValueError):
        Criterion("针对性", 1, 10, 10)
    with pytest.raises(ValueError):
        Criterion("针对性", 0, 0, 10)


# Calibration


@pytest.mark.parametrize("ridge", [1.0, 0.25])
def test_calibration_matches_the_hand_worked_chain(ridge):
    """A scores i1 = 7, i2 = 6; B scores i2 = 8, i3 = 7. Every raw mean is 7.

    The ridge makes the offsets sum to zero: A = −d, B = +d. Ideas seen once
    are fitted exactly: q1 = 7 + d, q3 = 7 − d; q2 = mean(6 + d, 8 − d) = 7.
    Only i2 leaves residuals, d − 1 and 1 − d, so the fit minimises
    2(1 − d)² + 2λd², giving d = 1 / (1 + λ): 0.5 at λ = 1, 0.8 at λ = 0.25.
    """
    d = 1 / (1 + ridge)
    result = calibrate([("A", "i1", 7), ("A", "i2", 6), ("B", "i2", 8), ("B", "i3", 7)], ridge=ridge)
    assert result.offset == pytest.approx({"A": -d, "B": d})
    assert result.quality == pytest.approx({"i1": 7 + d, "i2": 7, "i3": 7 - d})
    assert result.residual_std == pytest.approx(math.sqrt(2 * (1 - d) ** 2 / 4))
    assert result.n_components == 1


def test_calibration_of_a_complete_design_shrinks_the_gap_by_three_over_three_plus_ridge():
    """Both reviewers score all three ideas; A is exactly 2 points above B.

    Offsets ±d, qualities are the plain means (7, 5, 6); each of the six
    residuals is ±(1 − d), so 6(1 − d)² + 2λd² is least at d = 3 / (3 + λ).
    """
    result = calibrate(
        [("A", 1, 8), ("A", 2, 6), ("A", 3, 7), ("B", 1, 6), ("B", 2, 4), ("B", 3, 5)], ridge=0.5,
    )
    d = 3 / 3.5
    assert result.offset == pytest.approx({"A": d, "B": -d})
    assert result.quality == pytest.approx({1: 7, 2: 5, 3: 6})


def test_calibration_recovers_reviewer_leniency_on_a_connected_design():
    rng = np.random.default_rng(0)
    true_offset = rng.normal(0, 3, 6)
    true_offset -= true_offset.mean()
    true_quality = rng.normal(60, 10, 40)
    triples = [
        (r, i, true_quality[i] + true_offset[r])
        for i in range(40) for r in rng.choice(6, 3, replace=False)
    ]
    result = calibrate(triples, ridge=1e-6)
    assert [result.offset[r] for r in range(6)] == pytest.approx(true_offset, abs=1e-4)
    assert [result.quality[i] for i in range(40)] == pytest.approx(true_quality, abs=1e-4)


def test_disconnected_parts_are_each_centred_on_their_own_average_reviewer():
    triples = [
        ("A", 1, 8), ("A", 2, 6), ("B", 1, 6), ("B", 2, 2),  # part one
        ("C", 3, 9), ("C", 4, 5), ("D", 3, 5), ("D", 4, 3),  # part two
        ("E", 5, 4),  # a lone review
    ]
    result = calibrate(triples)
    assert result.n_components == 3
    assert result.component_of_idea[1] == result.component_of_reviewer["B"] != result.component_of_idea[3]
    assert result.offset["A"] + result.offset["B"] == pytest.approx(0, abs=1e-12)
    assert result.offset["C"] + result.offset["D"] == pytest.approx(0, abs=1e-12)
    assert result.offset["E"] == pytest.approx(0, abs=1e-12)
    assert result.quality[5] == pytest.approx(4)


def test_calibration_rejects_a_reviewer_scoring_an_idea_twice():
    with pytest.raises(ValueError, match="重复"):
        calibrate([("A", 1, 5), ("A", 1, 6)])


# Robust aggregation


@pytest.mark.parametrize(("scores", "expected"), [
    ([70, 72, 74, 76, 100], 74),  # trimmed mean: 100 and 70 dropped
    ([1, 80, 82, 84, 86, 88], 83),
    ([60, 80, 0], 60),  # median of three
    ([60, 70, 80, 0], 65),  # four: median, the outlier 0 moves nothing
    ([60, 70, 80, 1000], 75),
    ([60, 70], 65),  # too few to trim: mean
    ([42], 42),
])
def test_robust_mean(scores, expected):
    assert robust_mean(scores) == pytest.approx(expected)


def test_robust_mean_of_nothing_is_an_error():
    with pytest.raises(ValueError):
        robust_mean([])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 100), min_size=3, max_size=9), st.floats(-1e6, 1e6))
def test_one_wild_score_cannot_leave_the_range_of_the_others(scores, wild):
    result = robust_mean(scores + [wild])
    assert min(scores) - 1e-9 <= result <= max(scores) + 1e-9


# Agreement


def test_krippendorff_alpha_interval_matches_the_wikipedia_example():
    # The computational example of the Wikipedia article: three coders,
    # fifteen units, α_interval = 0.811 (0.810845 to six places).
    data = [
        [NAN, NAN, NAN, NAN, NAN, 3, 4, 1, 2, 1, 1, 3, 3, NAN, 3],
        [1, NAN, 2, 1, 3, 3, 4, 3, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
        [NAN, NAN, 2, 1, 3, 4, 4, NAN, 2, 1, 1, 3, 3, NAN, 4],
    ]
    assert krippendorff_alpha_interval(data) == pytest.approx(0.810845, abs=5e-7)


def test_krippendorff_alpha_interval_matches_krippendorffs_own_example():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability":
    # four observers, twelve units with missing values, interval α = 0.849.
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
        [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
    ]
    assert round(krippendorff_alpha_interval(data), 3) == 0.849


def test_krippendorff_alpha_edge_cases():
    assert krippendorff_alpha_interval([[1, 2, 3], [1, 2, 3]]) == 1.0
    assert math.isnan(krippendorff_alpha_interval([[5, 5], [5, 5]]))
    with pytest.raises(ValueError):
        krippendorff_alpha_interval([[1, NAN], [NAN, 2]])
    # Systematic disagreement scores below chance.
    assert krippendorff_alpha_interval([[1, 2, 3, 4], [4, 3, 2, 1]]) < 0


def test_idea_spreads_and_disagreement_flags():
    spreads = idea_spreads({1: [6, 8, 10], 2: [7, 7]}, max_range=3)
    assert spreads[1].mean == 8
    assert spreads[1].std == pytest.approx(math.sqrt(8 / 3))
    assert spreads[1].score_range == 4
    assert spreads[1].high_disagreement
    assert not spreads[2].high_disagreement
    assert not idea_spreads({1: [6, 8, 10]}, max_std=2)[1].high_disagreement
    assert idea_spreads({1: [6, 8, 10]}, max_std=1.5)[1].high_disagreement


def test_near_cutoff_uses_the_nth_score():
    scores = {"a": 90, "b": 80, "c": 79.5, "d": 78, "e": 60}
    assert near_cutoff(scores, 2, 1) == {"b", "c"}
    assert near_cutoff(scores, 2, 2) == {"b", "c", "d"}
    assert near_cutoff(scores, 5, 1) == frozenset()


# Ranking and ties


def keys(calibrated, median=60.0, relevance=6.0, top_marks=0):
    return TieBreakKeys(calibrated, median, relevance, top_marks)


TIED = {
    "a": keys(80),
    "b": keys(70, 65, 7, 2),
    "c": keys(70, 65, 7, 2),
    "d": keys(70.000001, 65, 7, 2),  # equal at the published four decimals
    "e": keys(60),
}


def test_a_tie_across_the_cut_line_is_reported_and_drawn_reproducibly():
    ranking = rank_ideas(TIED, 3, seed=20240501)
    assert ranking.seed == 20240501
    assert ranking.order[0] == "a" and ranking.order[-1] == "e"
    # The published procedure: permute the tied ids, in ascending order, with PCG64(seed).
    drawn = [["b", "c", "d"][n] for n in np.random.default_rng(20240501).permutation(3)]
    assert list(ranking.order[1:4]) == drawn
    assert [(d.tied, d.drawn_order) for d in ranking.draws] == [(("b", "c", "d"), tuple(drawn))]
    tie = ranking.cut_line_tie
    assert tie.ideas == tuple(drawn)
    assert tie.advancing == tuple(drawn[:2]) and tie.eliminated == (drawn[2],)
    assert ranking.advancing == ("a", *drawn[:2])
    assert ranking.rank == {idea: n for n, idea in enumerate(ranking.order, 1)}
    assert rank_ideas(TIED, 3, seed=20240501) == ranking


def test_different_seeds_give_different_draws():
    orders = {rank_ideas(TIED, 3, seed=s).order for s in range(10)}
    assert len(orders) > 1


def test_without_a_seed_one_is_chosen_and_reproduces_the_draw():
    ranking = rank_ideas(TIED, 3)
    assert rank_ideas(TIED, 3, seed=ranking.seed).order == ranking.order


def test_a_tie_wholly_above_the_cut_line_is_not_a_cut_line_tie():
    ranking = rank_ideas(TIED, 4, seed=1)
    assert ranking.cut_line_tie is None
    assert set(ranking.advancing) == {"a", "b", "c", "d"}
    assert len(ranking.draws) == 1


@pytest.mark.parametrize(("better", "worse"), [
    (keys(70.0002), keys(70.0001, 99, 9, 9)),  # calibrated score first
    (keys(70, median=66), keys(70, median=65, relevance=9, top_marks=9)),
    (keys(70, relevance=7.5), keys(70, relevance=7.0, top_marks=9)),
    (keys(70, top_marks=3), keys(70, top_marks=2)),
])
def test_tie_break_keys_apply_in_the_published_order(better, worse):
    ranking = rank_ideas({"x": worse, "y": better}, 1, seed=0)
    assert ranking.order == ("y", "x")
    assert ranking.draws == ()
    assert ranking.cut_line_tie is None


def test_tie_break_keys_from_reviews():
    reviews = [
        Review(1, "A", {"针对性": 10, "可行性": 6}),
        Review(1, "B", {"针对性": 7, "可行性": 10}),
        Review(1, "C", {"针对性": 4, "可行性": 4}),
        Review(2, "A", {"针对性": 5, "可行性": 5}),
    ]
    result = tie_break_keys(reviews, RUBRIC, {1: 71.5, 2: 50.0})
    assert result[1] == TieBreakKeys(calibrated=71.5, median=8.0, relevance=7.0, top_marks=2)
    assert result[2] == TieBreakKeys(calibrated=50.0, median=5.0, relevance=5.0, top_marks=0)


# Frozen table


REVIEWS = [
    Review(2, 7, {"针对性": 8, "可行性": 6.5}),
    Review(10, 7, {"针对性": 9}),
]
EXPECTED_TABLE = (
    '{"criterion":"可行性","idea":"2","reviewer":"7","score":"6.50"}\n'
    '{"criterion":"针对性","idea":"10","reviewer":"7","score":"9.00"}\n'
    '{"criterion":"针对性","idea":"2","reviewer":"7","score":"8.00"}\n'
    '{"calibrated":"71.2346","idea":"10","rank":1}\n'
    '{"calibrated":"60.0000","idea":"2","rank":2}\n'
)


def test_frozen_table_has_the_published_canonical_form():
    table = freeze_score_table(REVIEWS, {2: 2, 10: 1}, calibrated={10: 71.23456, 2: 60.0})
    assert table.text == EXPECTED_TABLE
    assert table.digest == hashlib.sha256(EXPECTED_TABLE.encode("utf-8")).hexdigest()


def test_frozen_table_digest_does_not_depend_on_input_order():
    reordered = [Review(10, 7, {"针对性": 9}), Review(2, 7, {"可行性": 6.5, "针对性": 8})]
    first = freeze_score_table(REVIEWS, {2: 2, 10: 1}, calibrated={10: 71.23456, 2: 60.0})
    second = freeze_score_table(reordered, {10: 1, 2: 2}, calibrated={2: 60.0, 10: 71.23456})
    assert first == second


def test_verify_digest_accepts_the_table_and_rejects_any_edit():
    table = freeze_score_table(REVIEWS, {2: 2, 10: 1})
    assert verify_digest(table.text, table.digest)
    assert verify_digest(table.text, f"  {table.digest.upper()}\n")
    assert not verify_digest(table.text.replace('"9.00"', '"9.50"'), table.digest)
    assert not verify_digest(table.text.replace("\n", "\r\n"), table.digest)
    assert not verify_digest(table.text + "\n", table.digest)


def test_negative_zero_and_zero_freeze_alike():
    minus = freeze_score_table([Review(1, 1, {"针对性": -0.0001})], {1: 1})
    plus = freeze_score_table([Review(1, 1, {"针对性": 0.0})], {1: 1})
    assert minus.digest == plus.digest


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1), st.floats(0.05, 5))
def test_calibration_equals_a_dense_ridge_least_squares_solve(seed, ridge):
    rng = np.random.default_rng(seed)
    n_ideas, n_reviewers = int(rng.integers(1, 12)), int(rng.integers(1, 6))
    drawn = zip(rng.integers(n_reviewers, size=20), rng.integers(n_ideas, size=20))
    pairs = {(int(r), int(i)) for r, i in drawn}
    triples = [(r, i, float(rng.normal(50, 10))) for r, i in sorted(pairs)]
    result = calibrate(triples, ridge=ridge)

    ideas = sorted({i for _, i, _ in triples})
    reviewers = sorted({r for r, _, _ in triples})
    design = np.zeros((len(triples) + len(reviewers), len(ideas) + len(reviewers)))
    target = np.zeros(len(design))
    for row, (r, i, score) in enumerate(triples):
        design[row, ideas.index(i)] = design[row, len(ideas) + reviewers.index(r)] = 1
        target[row] = score
    for n in range(len(reviewers)):
        design[len(triples) + n, len(ideas) + n] = math.sqrt(ridge)
    solution = np.linalg.lstsq(design, target, rcond=None)[0]
    assert [result.quality[i] for i in ideas] == pytest.approx(solution[: len(ideas)], abs=1e-7)
    assert [result.offset[r] for r in reviewers] == pytest.approx(solution[len(ideas):], abs=1e-7)


def test_the_published_tie_break_is_the_order_the_code_applies():
    from dataclasses import fields

    from voting.judging.outcome import TIE_BREAK_KEYS, tie_break_steps
    from voting.judging.scoring import TieBreakKeys

    assert [f.name for f in fields(TieBreakKeys)] == [name for name, _ in TIE_BREAK_KEYS]
    assert tie_break_steps() == ["校准分", "中位数", "针对性", "满分项个数", "以记录的种子抽签"]


def test_the_published_scoring_rule_names_every_estimator_the_code_can_pick():
    from voting.judging.estimators import ESTIMATORS, estimator_for_round
    from voting.judging.outcome import SCORING_RULE

    assert {name for name, _, _ in SCORING_RULE} == {estimator_for_round(3), estimator_for_round(None)}
    assert all(name in ESTIMATORS for name, _, _ in SCORING_RULE)
