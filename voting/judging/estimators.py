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
  Bayes variance components (`voting.judging.scale_offset.fit_scale_offset`);
- ``scale-offset-t``: the same with Student-t noise, which down-weights outlying reviews;
- ``rank``: the mean of within-reviewer normal scores (percentile ranks);
- ``bradley-terry``: strengths from the pairs of ideas each reviewer scored.

Which one ranks a round is the published rule `estimator_for_round`, chosen by
`bench/judging_estimators.py` on seeds it then left aside.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence

import numpy as np
from scipy.optimize import minimize, minimize_scalar
from scipy.stats import norm, rankdata

from voting.judging.scale_offset import ROBUST_TAIL_DF, fit_scale_offset
from voting.judging.scoring import DEFAULT_RIDGE, calibrate, robust_mean
from voting.judging.triples import Design, Triple

BT_PRIOR_VARIANCE = 4.0
# REML searches γ = σ²_offset / σ²_noise over this range (λ = 1 / γ).
_LOG_GAMMA_RANGE = (-12.0, 8.0)


def raw_mean(observations: Iterable[Triple]) -> dict[Hashable, float]:
    design = Design.of(observations)
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
    design = Design.of(observations)
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
    design = Design.of(triples)
    shared = len(design.y) > design.n_ideas
    return calibrate(triples, ridge=reml_ridge(triples) if shared else DEFAULT_RIDGE).quality


def scale_offset(observations: Iterable[Triple]) -> dict[Hashable, float]:
    return fit_scale_offset(observations).quality


def scale_offset_t(observations: Iterable[Triple]) -> dict[Hashable, float]:
    """The same fit with Student-t noise (`ROBUST_TAIL_DF`): outlying reviews weigh less."""
    return fit_scale_offset(observations, tail_df=ROBUST_TAIL_DF).quality


def bradley_terry(observations: Iterable[Triple]) -> dict[Hashable, float]:
    """Bradley–Terry strengths from within-reviewer pairs: every two ideas one reviewer
    scored are a comparison, won by the higher total (a tie is half a win each).

    P(a beats b) = 1 / (1 + exp(θ_b − θ_a)), fitted by penalised maximum
    likelihood (prior θ ~ N(0, `BT_PRIOR_VARIANCE`), which keeps an idea that
    won every comparison finite). Only orders within one reviewer are used, so
    leniency and scale play no part. Strengths are put on the points scale as the
    rank estimator's are.
    """
    design = Design.of(observations)
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


def _within_reviewer_spread(design: Design) -> float:
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
    design = Design.of(observations)
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
    "scale-offset-t": scale_offset_t,
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
