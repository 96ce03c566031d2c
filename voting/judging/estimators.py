"""Per-idea scores from one round's reviews, by several estimators with one interface.

Every estimator takes (reviewer id, idea id, rubric total) triples and returns
idea id -> score, higher is better, on the scale of an average reviewer's
total, so any of them can stand beside the raw mean on a page:

- ``raw``: the plain mean of the idea's totals;
- ``robust``: the trimmed mean / median of `voting.scoring.robust_mean`;
- ``offset``: the offset-only calibration of `voting.scoring.calibrate` with
  its fixed ridge λ = 1;
- ``offset-reml``: the same model with λ estimated by REML;
- ``scale-offset``: a per-reviewer offset, scale and reliability, fitted by
  alternating least squares with a leave-one-review-out step and empirical
  Bayes variance components (`fit_scale_offset`);
- ``rank``: the mean of within-reviewer normal scores (percentile ranks);
- ``bradley-terry``: strengths from the pairs of ideas each reviewer scored.

Which one ranks a round is the published rule `estimator_for_round`, chosen by
`bench/judging_estimators.py` on seeds it then left aside.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize, minimize_scalar
from scipy.stats import norm, rankdata

from voting.judging.scoring import DEFAULT_RIDGE, calibrate, robust_mean

Triple = tuple[Hashable, Hashable, float]
"""(reviewer id, idea id, rubric total)."""

# A reviewer's own noise estimate counts as this many reviews against the
# round's pooled one: a reviewer with a handful of reviews is judged mostly by
# the pool, one with a hundred mostly by themselves.
NOISE_PRIOR_REVIEWS = 5.0
# Variance components never fall below this share of the score variance: a
# component estimated at zero would make its ridge infinite and the fit rigid.
_MIN_VARIANCE_SHARE = 1e-4
BT_PRIOR_VARIANCE = 4.0
_MAX_ITERATIONS = 200
_TOLERANCE = 1e-7
# REML searches γ = σ²_offset / σ²_noise over this range (λ = 1 / γ).
_LOG_GAMMA_RANGE = (-12.0, 8.0)


@dataclass(frozen=True)
class _Design:
    reviewers: list[Hashable]
    ideas: list[Hashable]
    r: np.ndarray
    i: np.ndarray
    y: np.ndarray

    @classmethod
    def of(cls, observations: Iterable[Triple]) -> _Design:
        triples = list(observations)
        if not triples:
            raise ValueError("没有评分数据")
        reviewers = list(dict.fromkeys(r for r, _, _ in triples))
        ideas = list(dict.fromkeys(i for _, i, _ in triples))
        reviewer_of = {r: n for n, r in enumerate(reviewers)}
        idea_of = {i: n for n, i in enumerate(ideas)}
        r = np.array([reviewer_of[t[0]] for t in triples])
        i = np.array([idea_of[t[1]] for t in triples])
        y = np.array([t[2] for t in triples], dtype=float)
        if not np.isfinite(y).all():
            raise ValueError("评分包含无效数值")
        if len(set(zip(r.tolist(), i.tolist()))) != len(triples):
            raise ValueError("同一评审专家对同一建议有重复评分")
        return cls(reviewers, ideas, r, i, y)

    @property
    def n_reviewers(self) -> int:
        return len(self.reviewers)

    @property
    def n_ideas(self) -> int:
        return len(self.ideas)

    def per_reviewer(self, values: np.ndarray) -> np.ndarray:
        return np.bincount(self.r, weights=values, minlength=self.n_reviewers)

    def per_idea(self, values: np.ndarray) -> np.ndarray:
        return np.bincount(self.i, weights=values, minlength=self.n_ideas)

    def by_idea(self, values: np.ndarray) -> dict[Hashable, float]:
        return {idea: float(v) for idea, v in zip(self.ideas, values)}


def raw_mean(observations: Iterable[Triple]) -> dict[Hashable, float]:
    design = _Design.of(observations)
    count = design.per_idea(np.ones_like(design.y))
    return design.by_idea(design.per_idea(design.y) / count)


def robust(observations: Iterable[Triple]) -> dict[Hashable, float]:
    by_idea: dict[Hashable, list[float]] = defaultdict(list)
    for _, idea, total in observations:
        by_idea[idea].append(total)
    if not by_idea:
        raise ValueError("没有评分数据")
    return {idea: robust_mean(scores) for idea, scores in by_idea.items()}


def offset_calibration(observations: Iterable[Triple]) -> dict[Hashable, float]:
    """Today's calibration: quality + reviewer offset, ridge λ = 1."""
    return calibrate(observations, ridge=DEFAULT_RIDGE).quality


def reml_ridge(observations: Iterable[Triple]) -> float:
    """λ = σ²_noise / σ²_offset of the offset model, by restricted maximum likelihood.

    In score = quality + offset + noise with quality fixed, offset ~ N(0, σ²_o)
    and noise ~ N(0, σ²), the ridge that makes `calibrate` the best linear
    unbiased predictor is λ = σ² / σ²_o. Projecting out the idea means leaves
    C = D_r − Bᵀ D_i⁻¹ B (the reviewer system of `calibrate` without the ridge)
    and b = Bᵀ(y − idea means); with C's eigenpairs (d_j, u_j) and γ = 1/λ the
    profiled restricted log-likelihood is
      −½ [(n − p) log(Q(γ)) + Σ_j log(1 + γ d_j)],
      Q(γ) = Σ (y − idea mean)² − Σ_j γ (u_jᵀ b)² / (1 + γ d_j),
    with n reviews and p ideas. It is maximised over log γ; the result is
    always finite (noisier reviews give a larger λ).
    """
    design = _Design.of(observations)
    n, p = len(design.y), design.n_ideas
    if n - p < 1:
        raise ValueError("每条建议只有一份评分，无法估计岭参数")
    count = design.per_idea(np.ones_like(design.y))
    centred = design.y - (design.per_idea(design.y) / count)[design.i]
    reviewer_rhs = design.per_reviewer(centred)
    incidence = np.zeros((design.n_ideas, design.n_reviewers))
    np.add.at(incidence, (design.i, design.r), 1.0)
    reduced = (np.diag(design.per_reviewer(np.ones_like(design.y)))
               - incidence.T @ (incidence / count[:, None]))
    d, u = np.linalg.eigh(reduced)
    d = np.clip(d, 0.0, None)
    projected = (u.T @ reviewer_rhs) ** 2
    residual = float(centred @ centred)

    def minus_loglik(log_gamma: float) -> float:
        gamma = math.exp(log_gamma)
        q = residual - float(np.sum(gamma * projected / (1 + gamma * d)))
        return 0.5 * ((n - p) * math.log(max(q, 1e-300)) + float(np.sum(np.log1p(gamma * d))))

    best = minimize_scalar(minus_loglik, bounds=_LOG_GAMMA_RANGE, method="bounded",
                           options={"xatol": 1e-4})
    return float(math.exp(-best.x))


def offset_calibration_reml(observations: Iterable[Triple]) -> dict[Hashable, float]:
    """`calibrate` with the REML ridge; where no idea has two reviews there is nothing to
    estimate it from, and the published λ = 1 stands."""
    triples = list(observations)
    design = _Design.of(triples)
    shared = len(design.y) > design.n_ideas
    return calibrate(triples, ridge=reml_ridge(triples) if shared else DEFAULT_RIDGE).quality


@dataclass(frozen=True)
class ScaleOffsetFit:
    """score[r, i] = mean + offset[r] + scale[r] · quality[i] + noise, noise ~ N(0, noise_sd[r]²)."""

    quality: dict[Hashable, float]
    """Idea id -> mean + quality: the score an average reviewer would give."""
    quality_sd: dict[Hashable, float]
    """Idea id -> posterior standard deviation of its quality."""
    offset: dict[Hashable, float]
    """Reviewer id -> leniency in points (positive: scores higher than the others)."""
    scale: dict[Hashable, float]
    """Reviewer id -> points per point of quality (below 1: compresses the scale)."""
    noise_sd: dict[Hashable, float]
    reliability: dict[Hashable, float]
    """Reviewer id -> share of a single score's variance that is quality."""
    mean: float
    quality_variance: float
    offset_variance: float
    scale_variance: float
    noise_variance: float
    """Pooled over reviewers."""
    offset_ridge: float
    """σ²_noise / σ²_offset in units of reviews, as `calibrate`'s λ: estimated, not fixed."""
    scale_ridge: float
    iterations: int


def fit_scale_offset(observations: Iterable[Triple]) -> ScaleOffsetFit:
    """Per-reviewer offset, scale and reliability by alternating least squares.

    Each sweep: (1) every idea's quality is the precision-weighted mean of its
    reviews, each corrected for the reviewer's offset and divided by the
    reviewer's scale, with a prior N(0, τ²) — a reviewer's weight is
    scale² / noise², so a reviewer whose scores do not follow the others' counts
    for little; (2) leave one review out: for every review, the idea's quality
    is recomputed without it, and each reviewer's offset and scale come from a
    ridge regression of their scores on those leave-one-out qualities, their
    noise from its residuals. Without that step a reviewer of three-reviewer
    ideas is compared with a quality made partly of their own scores, and a
    reviewer who gives only 1s and 10s looks reliable because the ideas they
    gave 10 then look good. Regressing on the posterior mean keeps the scale
    free of the errors-in-variables bias, and the residuals are corrected by
    the posterior variance. (3) τ², σ²_offset, σ²_scale are updated by
    expectation–maximisation (empirical Bayes), which sets the ridges
    λ = σ²_noise / σ²_offset and σ²_noise / σ²_scale from the data.
    """
    design = _Design.of(observations)
    y = design.y
    mean = float(y.mean())
    total_variance = max(float(y.var()), 1e-12)
    floor = _MIN_VARIANCE_SHARE * total_variance
    ones = np.ones_like(y)
    n_reviews = design.per_reviewer(ones)
    count = design.per_idea(ones)

    # Start from the raw means: offsets 0, scales 1, noise the within-idea spread.
    quality = design.per_idea(y - mean) / count
    offset = np.zeros(design.n_reviewers)
    scale = np.ones(design.n_reviewers)
    within = float(np.mean((y - mean - quality[design.i]) ** 2)) * 1.5
    noise = np.full(design.n_reviewers, max(within, floor))
    tau2 = max(float(quality.var()), floor)
    offset_var = scale_var = max(0.1 * total_variance, floor)

    for iteration in range(1, _MAX_ITERATIONS + 1):
        # (1) Quality given the reviewers.
        weight = (scale**2 / noise)[design.r]
        signal = (scale / noise)[design.r] * (y - mean - offset[design.r])
        numerator, precision = design.per_idea(signal), design.per_idea(weight) + 1 / tau2
        new_quality = numerator / precision

        # (2) Reviewers given leave-one-out qualities.
        loo_precision = precision[design.i] - weight
        loo_quality = (numerator[design.i] - signal) / loo_precision
        loo_variance = 1 / loo_precision
        target = y - mean
        sx, sxx = design.per_reviewer(loo_quality), design.per_reviewer(loo_quality**2)
        sy, sxy = design.per_reviewer(target), design.per_reviewer(loo_quality * target)
        ridge_o, ridge_s = noise / offset_var, noise / scale_var
        # Ridge regression per reviewer: [[n + λo, Σx], [Σx, Σx² + λs]] [o, s] = [Σy, Σxy + λs].
        a11, a12, a22 = n_reviews + ridge_o, sx, sxx + ridge_s
        det = a11 * a22 - a12**2
        rhs1, rhs2 = sy, sxy + ridge_s
        new_offset = (a22 * rhs1 - a12 * rhs2) / det
        new_scale = (a11 * rhs2 - a12 * rhs1) / det
        fitted = new_offset[design.r] + new_scale[design.r] * loo_quality
        squared = (target - fitted) ** 2 - new_scale[design.r] ** 2 * loo_variance
        pooled = max(float(squared.mean()), floor)
        own = design.per_reviewer(squared)
        new_noise = np.maximum((own + NOISE_PRIOR_REVIEWS * pooled) / (n_reviews + NOISE_PRIOR_REVIEWS),
                               floor)

        # Scale × quality is only defined up to a factor: fix the reviews' mean scale at 1, so
        # quality stays in points of an average reviewer and the ridge pulls scales towards it.
        unit = float(np.sum(n_reviews * new_scale) / np.sum(n_reviews))
        if not unit > 0:
            unit = 1.0
        new_scale, new_quality, precision = new_scale / unit, new_quality * unit, precision / unit**2

        # (3) Variance components by EM: E[x²] = estimate² + posterior variance.
        tau2 = max(float(np.mean(new_quality**2 + 1 / precision)), floor)
        offset_var = max(float(np.mean(new_offset**2 + new_noise * a22 / det)), floor)
        scale_var = max(float(np.mean((new_scale - 1) ** 2 + new_noise * a11 / det / unit**2)), floor)

        change = max(float(np.max(np.abs(new_quality - quality))), float(np.max(np.abs(new_scale - scale))),
                     float(np.max(np.abs(new_offset - offset))))
        quality, offset, scale, noise = new_quality, new_offset, new_scale, new_noise
        if change < _TOLERANCE * math.sqrt(total_variance):
            break

    # Final qualities with the converged reviewers.
    weight = (scale**2 / noise)[design.r]
    precision = design.per_idea(weight) + 1 / tau2
    quality = design.per_idea((scale / noise)[design.r] * (y - mean - offset[design.r])) / precision
    noise_variance = float(np.mean(noise))
    return ScaleOffsetFit(
        quality=design.by_idea(mean + quality),
        quality_sd=design.by_idea(np.sqrt(1 / precision)),
        offset={r: float(v) for r, v in zip(design.reviewers, offset)},
        scale={r: float(v) for r, v in zip(design.reviewers, scale)},
        noise_sd={r: float(v) for r, v in zip(design.reviewers, np.sqrt(noise))},
        reliability={r: float(v)
                     for r, v in zip(design.reviewers, scale**2 * tau2 / (scale**2 * tau2 + noise))},
        mean=mean,
        quality_variance=tau2,
        offset_variance=offset_var,
        scale_variance=scale_var,
        noise_variance=noise_variance,
        offset_ridge=noise_variance / offset_var,
        scale_ridge=noise_variance / scale_var,
        iterations=iteration,
    )


def scale_offset(observations: Iterable[Triple]) -> dict[Hashable, float]:
    return fit_scale_offset(observations).quality


def bradley_terry(observations: Iterable[Triple]) -> dict[Hashable, float]:
    """Bradley–Terry strengths from within-reviewer pairs: every two ideas one reviewer
    scored are a comparison, won by the higher total (a tie is half a win each).

    P(a beats b) = 1 / (1 + exp(θ_b − θ_a)), fitted by penalised maximum
    likelihood (prior θ ~ N(0, `BT_PRIOR_VARIANCE`), which keeps an idea that
    won every comparison finite). Only orders within one reviewer are used, so
    leniency and scale play no part. Strengths are put on the points scale as the
    rank estimator's are.
    """
    design = _Design.of(observations)
    first, second, outcome = [], [], []
    for reviewer in range(design.n_reviewers):
        own = np.flatnonzero(design.r == reviewer)
        a, b = np.triu_indices(len(own), k=1)
        ya, yb = design.y[own[a]], design.y[own[b]]
        first.append(design.i[own[a]])
        second.append(design.i[own[b]])
        outcome.append(np.where(ya > yb, 1.0, np.where(ya < yb, 0.0, 0.5)))
    first, second, outcome = np.concatenate(first), np.concatenate(second), np.concatenate(outcome)

    def minus_log_posterior(theta):
        diff = theta[first] - theta[second]
        p = 1 / (1 + np.exp(-diff))
        value = -np.sum(outcome * np.log(p + 1e-300) + (1 - outcome) * np.log(1 - p + 1e-300))
        gradient_pair = p - outcome
        gradient = (np.bincount(first, weights=gradient_pair, minlength=design.n_ideas)
                    - np.bincount(second, weights=gradient_pair, minlength=design.n_ideas))
        return value + theta @ theta / (2 * BT_PRIOR_VARIANCE), gradient + theta / BT_PRIOR_VARIANCE

    theta = minimize(minus_log_posterior, np.zeros(design.n_ideas), jac=True, method="L-BFGS-B").x
    # A logistic unit is π / √3 standard deviations.
    unit = _within_reviewer_spread(design) * math.sqrt(3) / math.pi
    return design.by_idea(float(design.y.mean()) + unit * (theta - theta.mean()))


def _within_reviewer_spread(design: _Design) -> float:
    """Mean standard deviation of a reviewer's totals, over reviewers whose totals vary."""
    spread = [float(design.y[design.r == r].std()) for r in range(design.n_reviewers)]
    spread = [s for s in spread if s > 0]
    return float(np.mean(spread)) if spread else 1.0


def within_reviewer_ranks(observations: Iterable[Triple]) -> dict[Hashable, float]:
    """Each review becomes the reviewer's normal score Φ⁻¹((rank − ½) / n) among the
    ideas that reviewer scored in the round (ties share their mean rank); an
    idea's score is the mean of its normal scores, put back on the points scale
    (round mean + pooled within-reviewer spread × mean). Leniency and scale
    vanish by construction, and a sheet of identical totals says nothing.
    """
    design = _Design.of(observations)
    z = np.zeros_like(design.y)
    for reviewer in range(design.n_reviewers):
        own = np.flatnonzero(design.r == reviewer)
        z[own] = norm.ppf((rankdata(design.y[own]) - 0.5) / len(own))
    count = design.per_idea(np.ones_like(z))
    spread = _within_reviewer_spread(design)
    return design.by_idea(float(design.y.mean()) + spread * design.per_idea(z) / count)


ESTIMATORS: dict[str, Callable[[Sequence[Triple]], dict[Hashable, float]]] = {
    "raw": raw_mean,
    "robust": robust,
    "offset": offset_calibration,
    "offset-reml": offset_calibration_reml,
    "scale-offset": scale_offset,
    "rank": within_reviewer_ranks,
    "bradley-terry": bradley_terry,
}

# The published rule. Where each idea sees only k of the reviewers (初审, 复审),
# reviewers differ in leniency, scale and care, and only a model of all three
# compares them fairly; where every reviewer without a conflict sees every idea
# (终审), each reviewer's own order of the finalists carries the information, and
# ranks within each reviewer use it without any model of the scale.
PARTIAL_PANEL_ESTIMATOR = "scale-offset"
FULL_PANEL_ESTIMATOR = "rank"


def estimator_for_round(reviewers_per_idea: int | None) -> str:
    """Name in `ESTIMATORS` of the estimator that ranks a round; None: every reviewer without a conflict."""
    return FULL_PANEL_ESTIMATOR if reviewers_per_idea is None else PARTIAL_PANEL_ESTIMATOR
