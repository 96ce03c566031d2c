"""How sure the scale-and-offset fit is of each idea's side of a cut, the robust variant of
the fit, and who takes an extra review."""
import numpy as np
import pytest

from voting.judging.assignment import AssignmentInfeasible, extra_reviewers
from voting.judging.scale_offset import (
    UNCERTAINTY_METHODS,
    bootstrap_quality_sd,
    cut_uncertainty,
    extra_review_count,
    fit_scale_offset,
)


def panel(n_ideas=40, seed=0):
    """Ideas 0.. seen by reviewers (i, i+1, i+2) mod 8 with mild noise; idea 0's three
    reviews disagree wildly (2, 5, 8), idea 1's agree (5, 5, 5)."""
    rng = np.random.default_rng(seed)
    quality = rng.normal(size=n_ideas)
    triples = []
    for i in range(n_ideas):
        for n, r in enumerate((i % 8, (i + 1) % 8, (i + 2) % 8)):
            score = 5.0 + quality[i] + 0.3 * rng.normal()
            if i == 0:
                score = (2.0, 5.0, 8.0)[n]
            if i == 1:
                score = 5.0
            triples.append((r, i, float(score)))
    return triples


def test_the_bootstrap_grows_with_disagreement_where_the_posterior_cannot():
    triples = panel()
    fit = fit_scale_offset(triples)
    boot = bootstrap_quality_sd(triples, fit, seed=1)
    # Three reviews each: the posterior SDs differ only through the reviewers' reliabilities.
    assert fit.quality_sd[0] == pytest.approx(fit.quality_sd[1], rel=0.3)
    assert boot[0] / boot[1] > 3 * fit.quality_sd[0] / fit.quality_sd[1]
    assert boot[0] > fit.quality_sd[0]
    assert bootstrap_quality_sd(triples, fit, seed=1) == boot  # seeded: the same on every run


def test_an_idea_with_one_review_keeps_its_posterior_spread():
    triples = panel() + [(3, "alone", 6.0)]
    fit = fit_scale_offset(triples)
    assert bootstrap_quality_sd(triples, fit)["alone"] == fit.quality_sd["alone"]


@pytest.mark.parametrize("method", UNCERTAINTY_METHODS)
def test_cut_uncertainty_lists_the_ideas_nearest_the_cut_in_their_own_sds_first(method):
    triples = panel()
    found = cut_uncertainty(triples, 10, method=method)
    fit = fit_scale_offset(triples)
    ordered = sorted(fit.quality.values(), reverse=True)
    assert found.cut == pytest.approx((ordered[9] + ordered[10]) / 2)
    distances = [row[3] for row in found.rows]
    assert distances == sorted(distances) and len(found.rows) == 40
    for idea, q, sd, distance in found.rows:
        assert q == fit.quality[idea] and distance == pytest.approx(abs(q - found.cut) / sd)
    if method == "posterior":
        assert all(sd == fit.quality_sd[idea] for idea, _, sd, _ in found.rows)


def test_cut_uncertainty_refuses_an_unknown_method():
    with pytest.raises(ValueError, match="不确定度"):
        cut_uncertainty(panel(), 10, method="guess")


def test_extra_review_count_is_a_share_of_the_advancing_ideas():
    assert extra_review_count(100, 0.25) == 25 and extra_review_count(30, 0.25) == 8
    assert extra_review_count(30) == 15
    assert extra_review_count(10) >= 1


def test_student_t_weights_discount_one_wild_review():
    triples = [(r, i, 5.0 + 0.1 * ((r + i) % 3) + (i % 7) * 0.5)
               for i in range(30) for r in (i % 6, (i + 1) % 6, (i + 2) % 6)]
    wild = triples.index(next(t for t in triples if t[1] == 6))
    triples[wild] = (triples[wild][0], 6, 1.0)
    normal, robust = fit_scale_offset(triples), fit_scale_offset(triples, tail_df=4.0)
    assert robust.review_weight[wild] < 0.2 < 0.7 < min(w for n, w in enumerate(robust.review_weight)
                                                        if n != wild)
    assert set(normal.review_weight) == {1.0}
    # Idea 6 would otherwise be dragged towards the wild mark.
    others = np.mean([t[2] for t in triples if t[1] == 6 and t is not triples[wild]])
    assert abs(robust.quality[6] - others) < abs(normal.quality[6] - others)


def test_extra_reviewers_go_to_the_least_loaded_eligible_reviewer_lowest_id_first():
    loads = {1: 3, 2: 2, 3: 2, 4: 5}
    chosen = extra_reviewers(["a", "b", "c"], [4, 3, 2, 1], loads, {(2, "a")})
    # a: 2 is barred, so 3 (load 2); b: 2 (load 2, lower id than 3, now 3); c: 1, 2 and 3 at 3 -> 1.
    assert chosen == {"a": 3, "b": 2, "c": 1}
    with pytest.raises(AssignmentInfeasible) as refused:
        extra_reviewers(["a", "z"], [1], {}, {(1, "z")})
    assert refused.value.idea_ids == ("z",)


def test_the_adaptive_step_passes_over_an_idea_nobody_may_take():
    chosen = extra_reviewers(["z", "a", "b"], [1, 2], {1: 0, 2: 1}, {(1, "z"), (2, "z")}, count=2)
    assert chosen == {"a": 1, "b": 1}
