import numpy as np
import pytest

from voting.judging.reviewer_models import (
    DEFAULT_NOISE,
    JUDGING_RUBRIC,
    REVIEWER_MODELS,
    make_panel,
    single_review_reliability,
)
from voting.judging.simulation import make_synthetic_campaign

CAMPAIGN = make_synthetic_campaign(300, 20, seed=3, rubric=JUDGING_RUBRIC)
QUALITY = {idea.idea_id: idea.true_quality for idea in CAMPAIGN.ideas}


def panel(model, noise=DEFAULT_NOISE, seed=1):
    return make_panel(model, CAMPAIGN.reviewers, list(QUALITY), noise=noise, seed=seed)


def sheets(p, n_per_reviewer=40, seed=0):
    """(reviewer id, sheet) for random ideas, every reviewer alike."""
    rng = np.random.default_rng(seed)
    ideas = list(QUALITY)
    out = []
    for reviewer in p.behaviour:
        for idea in rng.choice(ideas, n_per_reviewer, replace=False):
            out.append((reviewer, p.sheet(reviewer, int(idea), QUALITY[int(idea)], JUDGING_RUBRIC, rng)))
    return out


@pytest.mark.parametrize("model", REVIEWER_MODELS)
def test_every_model_writes_whole_points_within_the_scale(model):
    for _, sheet in sheets(panel(model)):
        assert set(sheet) == {c.name for c in JUDGING_RUBRIC.criteria}
        for value in sheet.values():
            assert isinstance(value, int) and 1 <= value <= 10


@pytest.mark.parametrize("model", REVIEWER_MODELS)
def test_panels_are_reproducible(model):
    assert panel(model) == panel(model)
    assert panel(model) != panel(model, seed=2)


def test_unknown_model_and_negative_noise_are_refused():
    with pytest.raises(ValueError, match="未知的评审专家模型"):
        panel("gentle")
    with pytest.raises(ValueError, match="噪声"):
        panel("additive", noise=-1)


def test_additive_reviews_are_as_reliable_as_at_neurips():
    # One review: quality variance 1, leniency 0.19, noise 1 → reliability ≈ 0.46.
    reliability = single_review_reliability(panel("additive"), QUALITY, n_sheets=8000)
    assert 0.40 <= reliability <= 0.52


@pytest.mark.parametrize("model", REVIEWER_MODELS)
def test_every_model_has_realistic_reliability_that_falls_with_noise(model):
    default = single_review_reliability(panel(model), QUALITY, n_sheets=4000)
    noisy = single_review_reliability(panel(model, noise=2.0), QUALITY, n_sheets=4000)
    assert 0.25 <= default <= 0.55
    assert noisy < default - 0.1


def test_scale_model_compresses_some_reviewers_into_six_to_eight():
    p = panel("scale")
    compressed = {r for r, b in p.behaviour.items() if b.scale < 1}
    assert len(compressed) == round(0.4 * len(p.behaviour))
    narrow = [v for r, sheet in sheets(p) if r in compressed for v in sheet.values()]
    wide = [v for r, sheet in sheets(p) if r not in compressed for v in sheet.values()]
    assert np.mean([6 <= v <= 8 for v in narrow]) > 0.9
    assert np.std(wide) > 2 * np.std(narrow)


def test_heavy_tail_model_straight_lines_some_sheets():
    p = panel("heavy-tail")
    careless = {r for r, b in p.behaviour.items() if b.careless}
    assert len(careless) == round(0.2 * len(p.behaviour))
    flat = [len(set(sheet.values())) == 1 for r, sheet in sheets(p) if r in careless]
    assert 0.35 < np.mean(flat) < 0.8


def test_regional_model_makes_one_region_lenient():
    p = panel("regional")
    regions = [r.region for r in CAMPAIGN.reviewers]
    lenient = max(sorted(set(regions)), key=regions.count)
    inside = [p.behaviour[r.reviewer_id].leniency for r in CAMPAIGN.reviewers if r.region == lenient]
    outside = [p.behaviour[r.reviewer_id].leniency for r in CAMPAIGN.reviewers if r.region != lenient]
    assert len(inside) >= 2
    assert np.mean(inside) - np.mean(outside) > 0.5


def test_strategic_reviewer_gives_only_full_or_lowest_marks():
    p = panel("strategic")
    strategic = [r for r, b in p.behaviour.items() if b.favourites is not None]
    assert len(strategic) == 1
    favourites = p.behaviour[strategic[0]].favourites
    assert 0.08 < len(favourites) / len(QUALITY) < 0.25
    for reviewer, sheet in sheets(p):
        if reviewer == strategic[0]:
            assert set(sheet.values()) in ({1}, {10})


def test_ceiling_model_piles_marks_at_nine_and_ten():
    marks = [v for _, sheet in sheets(panel("ceiling")) for v in sheet.values()]
    additive = [v for _, sheet in sheets(panel("additive")) for v in sheet.values()]
    assert np.mean([v >= 9 for v in marks]) > 0.3
    assert np.mean([v >= 9 for v in additive]) < 0.1
