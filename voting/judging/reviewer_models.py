"""How synthetic reviewers score, for the dry run: six behaviours seen in real panels.

Everything is in standard deviations of true quality (SD). A reviewer turns
an idea into a latent value, quality + leniency + noise, and writes it on each
criterion's scale as ``centre + points_per_sd × scale × latent`` (points of a
1–10 scale, rescaled to the criterion's own), clipped and rounded to whole
points. Noise has a part shared by the whole sheet and a part per criterion,
sized so the weighted total carries noise of exactly ``noise`` SD.

With the default ``noise`` = 1 and leniency of variance 0.19, one review's
total has variance ≈ 1 + 0.19 + 1 quality variances: a single-review
reliability of about 0.45, as at NeurIPS 2014 (noise 0.99 and leniency 0.19 of
the quality variance; reliability 0.46). The models:

- ``additive``: leniency is a constant shift, everyone uses the scale alike;
- ``scale``: 40 % of reviewers compress everything into 6–8, the others
  stretch it over 1–10;
- ``heavy-tail``: noise from Student's t (3 degrees of freedom), and a fifth of
  the reviewers straight-line half their sheets (the same mark on every
  criterion, whatever the idea);
- ``regional``: the reviewers of one region are a full SD more lenient and, by
  the same-region conflict rule, never see that region's ideas;
- ``strategic``: one reviewer gives full marks to favourites (15 % of ideas,
  unrelated to quality) and the lowest marks to the rest;
- ``ceiling``: everyone is generous, an average idea gets 8.3, so good ideas
  pile up at 9–10.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from voting.judging.scoring import DEFAULT_RUBRIC, Criterion, Rubric

REVIEWER_MODELS = ("additive", "scale", "heavy-tail", "regional", "strategic", "ceiling")
DEFAULT_NOISE = 1.0

# The default rubric of a round, as the site sets it up.
JUDGING_RUBRIC = Rubric(tuple(Criterion(name, weight, 1, 10) for name, _, weight in DEFAULT_RUBRIC))

LENIENCY_VARIANCE = 0.19
POINTS_PER_SD = 1.2
CENTRE = 5.5
# Reviewers differ in care: each one's noise is the model's noise times a
# log-normal factor of this spread, normalised so the mean noise variance is noise².
_NOISE_SPREAD = 0.25
_SHEET_SHARE = 0.7
"""Share of the noise variance common to a whole sheet (a reviewer's overall impression)."""

_COMPRESSED_SHARE, _COMPRESSED_SCALE, _COMPRESSED_CENTRE, _STRETCHED_SCALE = 0.4, 0.3, 7.0, 1.3
_TAIL_DF = 3.0
_CARELESS_SHARE, _CARELESS_SHEETS, _CARELESS_SD = 0.2, 0.5, 0.7
_REGIONAL_LENIENCY = 1.0
_FAVOURITE_SHARE = 0.15
_CEILING_CENTRE, _CEILING_CENTRE_SD = 8.3, 0.4


@dataclass(frozen=True)
class Behaviour:
    reviewer_id: Hashable
    leniency: float
    """SD added to every idea's quality."""
    noise: float
    """SD of the noise on one sheet's total."""
    centre: float = CENTRE
    """Points (of 1–10) given to an average idea by a reviewer of no leniency."""
    scale: float = 1.0
    """Multiplies everything the reviewer perceives: below 1 compresses the scale."""
    tail_df: float | None = None
    """Student's t noise with these degrees of freedom (scaled to the same SD); None: normal."""
    careless: float = 0.0
    """Probability that a sheet is straight-lined: one mark near the reviewer's habit on every criterion."""
    favourites: frozenset | None = None
    """Strategic: full marks for these ideas, the lowest for every other."""


@dataclass(frozen=True)
class ReviewerPanel:
    model: str
    noise: float
    behaviour: dict[Hashable, Behaviour]

    def sheet(self, reviewer_id: Hashable, idea_id: Hashable, true_quality: float, rubric: Rubric,
              rng: np.random.Generator) -> dict[str, int]:
        return score_sheet(self.behaviour[reviewer_id], idea_id, true_quality, rubric, rng)


def make_panel(model: str, reviewers: Sequence, idea_ids: Sequence[Hashable], *,
               noise: float = DEFAULT_NOISE, seed: int = 0) -> ReviewerPanel:
    """Behaviours for `reviewers` (objects with `reviewer_id` and `region`) under `model`.

    `idea_ids` are the campaign's ideas (the strategic reviewer's favourites are
    drawn from them). `noise` is the SD of a sheet's noise in SD of quality.
    """
    if model not in REVIEWER_MODELS:
        raise ValueError(f"未知的评审专家模型：{model}（可选：{'、'.join(REVIEWER_MODELS)}）")
    if not noise >= 0:
        raise ValueError("噪声必须是非负数")
    rng = np.random.default_rng([seed, REVIEWER_MODELS.index(model)])
    n = len(reviewers)
    leniency = rng.normal(0, math.sqrt(LENIENCY_VARIANCE), n)
    care = rng.normal(0, _NOISE_SPREAD, n)
    noises = noise * np.exp(care - _NOISE_SPREAD**2)
    fields = [{"reviewer_id": r.reviewer_id, "leniency": float(leniency[k]), "noise": float(noises[k])}
              for k, r in enumerate(reviewers)]

    if model == "scale":
        compressed = rng.permutation(n) < round(_COMPRESSED_SHARE * n)
        for k, f in enumerate(fields):
            if compressed[k]:
                f.update(scale=_COMPRESSED_SCALE, centre=_COMPRESSED_CENTRE)
            else:
                f.update(scale=_STRETCHED_SCALE)
    elif model == "heavy-tail":
        careless = rng.permutation(n) < round(_CARELESS_SHARE * n)
        for k, f in enumerate(fields):
            f.update(tail_df=_TAIL_DF, careless=_CARELESS_SHEETS if careless[k] else 0.0)
    elif model == "regional":
        regions = [r.region for r in reviewers]
        lenient_region = max(sorted(set(regions)), key=regions.count)
        for k, f in enumerate(fields):
            if regions[k] == lenient_region:
                f["leniency"] += _REGIONAL_LENIENCY
    elif model == "strategic":
        ideas = list(idea_ids)
        chosen = rng.random(len(ideas)) < _FAVOURITE_SHARE
        fields[int(rng.integers(n))]["favourites"] = frozenset(i for i, c in zip(ideas, chosen) if c)
    elif model == "ceiling":
        for f in fields:
            f["centre"] = float(_CEILING_CENTRE + rng.normal(0, _CEILING_CENTRE_SD))
    return ReviewerPanel(model, noise, {f["reviewer_id"]: Behaviour(**f) for f in fields})


def score_sheet(behaviour: Behaviour, idea_id: Hashable, true_quality: float, rubric: Rubric,
                rng: np.random.Generator) -> dict[str, int]:
    """One reviewer's whole-point rubric scores for one idea."""
    criteria = rubric.criteria
    if behaviour.favourites is not None:
        top = idea_id in behaviour.favourites
        return {c.name: int(c.max_score if top else c.min_score) for c in criteria}
    if behaviour.careless and rng.random() < behaviour.careless:
        habit = behaviour.centre + POINTS_PER_SD * behaviour.scale * behaviour.leniency
        mark = habit + _CARELESS_SD * rng.normal()
        return {c.name: _on_scale(mark, c) for c in criteria}
    weights = np.array([c.weight for c in criteria])
    # Per-criterion noise is averaged by the weights; inflate it so the total keeps its share.
    concentration = float(np.sum(weights**2) / np.sum(weights) ** 2)
    sheet_sd = behaviour.noise * math.sqrt(_SHEET_SHARE)
    criterion_sd = behaviour.noise * math.sqrt((1 - _SHEET_SHARE) / concentration)
    draws = _noise(rng, behaviour.tail_df, 1 + len(criteria))
    latent = true_quality + behaviour.leniency + sheet_sd * draws[0] + criterion_sd * draws[1:]
    points = behaviour.centre + POINTS_PER_SD * behaviour.scale * latent
    return {c.name: _on_scale(p, c) for c, p in zip(criteria, points)}


def _noise(rng: np.random.Generator, df: float | None, size: int) -> np.ndarray:
    if df is None:
        return rng.normal(size=size)
    return rng.standard_t(df, size=size) / math.sqrt(df / (df - 2))


def _on_scale(points: float, criterion: Criterion) -> int:
    """Points of a 1–10 scale written on the criterion's own scale, whole and within it."""
    value = criterion.min_score + (criterion.max_score - criterion.min_score) * (points - 1) / 9
    return int(np.rint(np.clip(value, criterion.min_score, criterion.max_score)))


def single_review_reliability(panel: ReviewerPanel, qualities: Mapping[Hashable, float],
                              rubric: Rubric = JUDGING_RUBRIC, *, n_sheets: int = 20_000,
                              seed: int = 0) -> float:
    """Share of one review's total variance explained by true quality (squared correlation),
    over random reviewer–idea pairs: what a single review tells about an idea."""
    rng = np.random.default_rng(seed)
    reviewers, ideas = list(panel.behaviour), list(qualities)
    truth = np.array([qualities[i] for i in ideas], dtype=float)
    picks = rng.integers(len(ideas), size=n_sheets)
    who = rng.integers(len(reviewers), size=n_sheets)
    totals = [rubric.total(panel.sheet(reviewers[w], ideas[p], truth[p], rubric, rng))
              for w, p in zip(who, picks)]
    return float(np.corrcoef(totals, truth[picks])[0, 1] ** 2)
