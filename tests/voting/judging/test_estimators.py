import math

import numpy as np
import pytest
from scipy.stats import kendalltau

from voting.judging.estimators import (
    ESTIMATORS,
    bradley_terry,
    estimator_for_round,
    fit_scale_offset,
    offset_calibration,
    offset_calibration_reml,
    reml_ridge,
    within_reviewer_ranks,
)
from voting.judging.scoring import calibrate


def design(n_ideas=200, n_reviewers=10, k=4, *, noise=0.1, offsets=None, scales=None, seed=0):
    """Continuous scores 5.5 + offset + scale · quality + noise; each idea seen by k random reviewers."""
    rng = np.random.default_rng(seed)
    quality = rng.normal(size=n_ideas)
    offsets = np.zeros(n_reviewers) if offsets is None else np.asarray(offsets, dtype=float)
    scales = np.ones(n_reviewers) if scales is None else np.asarray(scales, dtype=float)
    triples = []
    for idea in range(n_ideas):
        for r in rng.choice(n_reviewers, k, replace=False):
            score = 5.5 + offsets[r] + scales[r] * quality[idea] + noise * rng.normal()
            triples.append((int(r), idea, float(score)))
    return triples, quality


def tau(scores, quality):
    return kendalltau([scores[i] for i in range(len(quality))], quality).statistic


@pytest.mark.parametrize("name", ESTIMATORS)
def test_every_estimator_scores_every_idea_and_ranks_clean_reviews_perfectly(name):
    triples, quality = design(60, 6, 3, noise=0.0)
    scores = ESTIMATORS[name](triples)
    assert set(scores) == set(range(60))
    assert all(math.isfinite(v) for v in scores.values())
    # Orders within a reviewer say nothing about ideas no reviewer saw together, so they are not exact.
    assert tau(scores, quality) > (0.85 if name in ("rank", "bradley-terry") else 0.99)


@pytest.mark.parametrize("name", ESTIMATORS)
def test_every_estimator_refuses_empty_input(name):
    with pytest.raises(ValueError):
        ESTIMATORS[name]([])


def test_todays_estimator_is_the_published_calibration():
    triples, _ = design(seed=2, offsets=np.linspace(-1, 1, 10), noise=0.5)
    assert offset_calibration(triples) == calibrate(triples).quality


def test_scale_offset_recovers_known_offsets_and_scales():
    offsets = np.array([-1.5, -1, -0.5, 0, 0, 0, 0.5, 1, 1.5, 0])
    scales = np.array([0.4, 0.6, 0.8, 1, 1, 1, 1.2, 1.4, 1.6, 1.0])
    triples, quality = design(offsets=offsets, scales=scales, seed=1)
    fit = fit_scale_offset(triples)
    fitted_scale = np.array([fit.scale[r] for r in range(10)])
    fitted_offset = np.array([fit.offset[r] for r in range(10)])
    # Scales are fixed only up to a common factor (mean 1 over reviews), offsets up to a constant.
    assert np.allclose(fitted_scale / fitted_scale.mean(), scales / scales.mean(), atol=0.05)
    assert np.allclose(fitted_offset - fitted_offset.mean(), offsets - offsets.mean(), atol=0.1)
    assert tau(fit.quality, quality) > 0.95
    # The offset-only fit cannot undo the scales.
    assert tau(fit.quality, quality) > tau(calibrate(triples).quality, quality) + 0.02


def test_reliability_follows_each_reviewers_noise():
    rng = np.random.default_rng(4)
    quality = rng.normal(size=300)
    noise = np.where(np.arange(12) < 4, 2.0, 0.3)
    triples = [(int(r), i, float(5 + quality[i] + noise[r] * rng.normal()))
               for i in range(300) for r in rng.choice(12, 4, replace=False)]
    fit = fit_scale_offset(triples)
    noisy = [fit.reliability[r] for r in range(4)]
    careful = [fit.reliability[r] for r in range(4, 12)]
    assert max(noisy) < min(careful)
    assert np.allclose([fit.noise_sd[r] for r in range(4)], 2.0, rtol=0.25)


def test_a_strategic_reviewers_extremes_are_not_inflated():
    # Reviewer 0 gives 10 to a random 15 % of ideas and 1 to the rest; the others are honest.
    rng = np.random.default_rng(7)
    quality = rng.normal(size=300)
    favourite = rng.random(300) < 0.15
    triples = []
    for i in range(300):
        for r in rng.choice(12, 3, replace=False):
            score = (10.0 if favourite[i] else 1.0) if r == 0 else 5.5 + quality[i] + 0.8 * rng.normal()
            triples.append((int(r), i, float(score)))
    seen = sorted({i for r, i, _ in triples if r == 0})

    def favourite_advantage(scores):
        """Mean score of the reviewer's favourites over the other ideas they saw, beyond their true gap."""
        est = np.array([scores[i] for i in seen])
        truth = quality[seen]
        fav = favourite[seen]
        return (est[fav].mean() - est[~fav].mean()) - (truth[fav].mean() - truth[~fav].mean())

    fit = fit_scale_offset(triples)
    today = calibrate(triples).quality
    assert favourite_advantage(fit.quality) < 0.3 * favourite_advantage(today)
    assert fit.reliability[0] == min(fit.reliability.values()) < 0.1
    assert tau(fit.quality, quality) > tau(today, quality) + 0.03


@pytest.mark.parametrize("seed", (1, 2, 3))
def test_ridge_is_estimated_finite_and_grows_with_noise(seed):
    offsets = np.random.default_rng(seed).normal(0, 0.5, 10)
    quiet, _ = design(150, 10, 3, noise=0.5, offsets=offsets, seed=seed)
    loud, _ = design(150, 10, 3, noise=2.0, offsets=offsets, seed=seed)
    for estimate in (reml_ridge, lambda t: fit_scale_offset(t).offset_ridge):
        low, high = estimate(quiet), estimate(loud)
        assert math.isfinite(low) and math.isfinite(high) and 0 < low < high


def test_reml_ridge_is_finite_without_any_leniency():
    triples, _ = design(100, 8, 3, noise=1.0)
    assert math.isfinite(reml_ridge(triples)) and reml_ridge(triples) > 10


def test_reml_ridge_needs_more_than_one_review_per_idea():
    with pytest.raises(ValueError, match="只有一份评分"):
        reml_ridge([(1, 1, 5.0), (2, 2, 6.0)])


@pytest.mark.parametrize("estimator", (within_reviewer_ranks, bradley_terry))
def test_within_reviewer_orders_ignore_each_reviewers_scale_and_offset(estimator):
    triples, _ = design(80, 6, 3, noise=0.5, seed=5)
    stretched = [(r, i, 2.0 + (0.3 + r) * s) for r, i, s in triples]
    plain, moved = estimator(triples), estimator(stretched)
    # Ideas with the same comparisons tie exactly; rounding keeps float dust from ordering them.
    order = [np.argsort(np.round([scores[i] for i in range(80)], 9), kind="stable")
             for scores in (plain, moved)]
    assert np.array_equal(*order)


def test_bradley_terry_keeps_an_unbeaten_idea_finite_and_first():
    triples = [(r, i, float(10 if i == 0 else i)) for r in range(3) for i in range(6)]
    scores = bradley_terry(triples)
    assert all(math.isfinite(v) for v in scores.values())
    assert max(scores, key=scores.get) == 0


def test_a_straight_lined_sheet_says_nothing_to_ranks():
    triples = [(1, i, float(i)) for i in range(5)] + [(2, i, 7.0) for i in range(5)]
    scores = within_reviewer_ranks(triples)
    assert [scores[i] for i in range(5)] == sorted(scores[i] for i in range(5))
    alone = within_reviewer_ranks([(1, i, float(i)) for i in range(5)])
    assert np.allclose(np.diff([scores[i] for i in range(5)]), np.diff([alone[i] for i in range(5)]) / 2)


def test_duplicate_reviews_are_refused():
    with pytest.raises(ValueError, match="重复评分"):
        fit_scale_offset([(1, 1, 5.0), (1, 1, 6.0)])


def test_published_rule_names_an_estimator_per_round_type():
    assert estimator_for_round(3) == estimator_for_round(5) == "scale-offset"
    assert estimator_for_round(None) == "rank"


def test_reml_calibration_falls_back_to_the_published_ridge_without_shared_ideas():
    triples = [(1, 1, 5.0), (2, 2, 6.0)]
    assert offset_calibration_reml(triples) == calibrate(triples).quality
