"""Scores to rankings: rubric totals, reviewer calibration, agreement, ties, frozen tables.

Ids are any hashable values the caller uses (database primary keys); where an
order must be published (draws, frozen tables) ids are compared as given, so
one round must use ids of one type.
"""

from __future__ import annotations

import math
import secrets
import statistics
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

RELEVANCE_CRITERION = "针对性"
# The default rubric of a round (name, what it asks, weight; 1–10 points each).
# The notice asks for proposals that attack a named bottleneck: 针对性 first.
DEFAULT_RUBRIC = (
    (RELEVANCE_CRITERION, "是否针对通知列出的瓶颈制约，问题抓得准不准", 0.30),
    ("创新性", "是否突破惯性思维，有新思路、新办法", 0.25),
    ("可行性", "措施是否具体、可操作，责任主体和路径是否清楚", 0.25),
    ("预期效益", "实施后对高质量发展的效果和受益面", 0.20),
)

# Ridge on reviewer offsets, in units of reviews: like λ imaginary reviews by a
# perfectly average reviewer. Small against the dozens of reviews a reviewer
# gives in a round, yet it keeps the fit defined on any reviewer–idea graph.
DEFAULT_RIDGE = 1.0

# Published precision of tie-break keys: two ideas whose calibrated scores agree
# to this many decimals are tied, whatever the floating-point noise beyond it.
DEFAULT_KEY_DECIMALS = 4


@dataclass(frozen=True)
class Criterion:
    name: str
    weight: float
    min_score: float
    max_score: float

    def __post_init__(self):
        if not self.weight > 0:
            raise ValueError(f"评分项“{self.name}”的权重必须为正数")
        if not self.min_score < self.max_score:
            raise ValueError(f"评分项“{self.name}”的分值范围无效")


@dataclass(frozen=True)
class Rubric:
    criteria: tuple[Criterion, ...]

    def __post_init__(self):
        names = [c.name for c in self.criteria]
        if not names:
            raise ValueError("评分细则至少需要一个评分项")
        if len(set(names)) != len(names):
            raise ValueError("评分项名称重复")

    def criterion(self, name: str) -> Criterion:
        for c in self.criteria:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def max_total(self) -> float:
        return sum(c.weight * c.max_score for c in self.criteria)

    @property
    def min_total(self) -> float:
        return sum(c.weight * c.min_score for c in self.criteria)

    def total(self, scores: Mapping[str, float]) -> float:
        """Σ weight × score; every criterion must be scored, within its scale."""
        names = {c.name for c in self.criteria}
        if extra := set(scores) - names:
            raise ValueError(f"未知的评分项：{'、'.join(sorted(extra))}")
        total = 0.0
        for c in self.criteria:
            if c.name not in scores:
                raise ValueError(f"缺少评分项“{c.name}”的分数")
            score = scores[c.name]
            if not c.min_score <= score <= c.max_score:
                raise ValueError(f"评分项“{c.name}”的分数 {score} 超出 {c.min_score}–{c.max_score}")
            total += c.weight * score
        return total


@dataclass(frozen=True)
class Review:
    """One reviewer's rubric scores for one idea."""

    idea_id: Hashable
    reviewer_id: Hashable
    scores: Mapping[str, float]


@dataclass(frozen=True)
class Calibration:
    quality: dict[Hashable, float]
    """Idea id -> calibrated score, on the scale of an average reviewer."""
    offset: dict[Hashable, float]
    """Reviewer id -> leniency (positive: scores higher than the others)."""
    residual_std: float
    component_of_idea: dict[Hashable, int]
    component_of_reviewer: dict[Hashable, int]
    n_components: int
    ridge: float


def calibrate(
    observations: Iterable[tuple[Hashable, Hashable, float]],
    *,
    ridge: float = DEFAULT_RIDGE,
) -> Calibration:
    """Fit score[r, i] = quality[i] + offset[r] + noise from (reviewer id, idea id, score).

    Minimises Σ (score − quality − offset)² + ridge · Σ offset². The squares
    alone cannot tell a lenient panel from good ideas (adding c to every
    quality and −c to every offset fits equally well); the ridge settles that
    by making the offsets of every connected part of the reviewer–idea graph
    sum to zero. Within one connected part reviewers are compared through the
    ideas they share. Separate parts share nothing, so each is centred on its
    own average reviewer; `n_components` > 1 tells staff the parts are
    compared on that assumption only. Each reviewer's offset is shrunk towards
    zero by about reviews / (reviews + ridge).
    """
    if not ridge > 0:
        raise ValueError("岭参数必须为正数")
    triples = list(observations)
    if not triples:
        raise ValueError("没有评分数据")
    reviewers, reviewer_of = _index(r for r, _, _ in triples)
    ideas, idea_of = _index(i for _, i, _ in triples)
    r_idx = np.array([reviewer_of[r] for r, _, _ in triples])
    i_idx = np.array([idea_of[i] for _, i, _ in triples])
    scores = np.array([s for _, _, s in triples], dtype=float)
    if not np.isfinite(scores).all():
        raise ValueError("评分包含无效数值")
    n_ideas, n_reviewers, n_obs = len(ideas), len(reviewers), len(triples)
    if len(set(zip(r_idx.tolist(), i_idx.tolist()))) != n_obs:
        raise ValueError("同一评审专家对同一建议有重复评分")

    # Normal equations [[D_i, B], [Bᵀ, D_r + λI]] [q; o] = [a; b], with D the
    # review counts, B the idea × reviewer incidence and a, b the score sums.
    # D_i is diagonal, so q = D_i⁻¹(a − B o) and o solves the small reviewer ×
    # reviewer system (D_r + λI − Bᵀ D_i⁻¹ B) o = b − Bᵀ D_i⁻¹ a, which the ridge
    # makes positive definite whatever the shape of the graph.
    incidence = sparse.csr_array((np.ones(n_obs), (i_idx, r_idx)), shape=(n_ideas, n_reviewers))
    per_idea = np.bincount(i_idx, minlength=n_ideas).astype(float)
    per_reviewer = np.bincount(r_idx, minlength=n_reviewers).astype(float)
    idea_sums = np.bincount(i_idx, weights=scores, minlength=n_ideas)
    reviewer_sums = np.bincount(r_idx, weights=scores, minlength=n_reviewers)
    scaled = sparse.diags_array(1 / per_idea) @ incidence
    reduced = np.diag(per_reviewer + ridge) - (incidence.T @ scaled).toarray()
    offset = np.linalg.solve(reduced, reviewer_sums - scaled.T @ idea_sums)
    quality = (idea_sums - incidence @ offset) / per_idea
    residuals = scores - quality[i_idx] - offset[r_idx]

    graph = sparse.block_array([[None, incidence], [incidence.T, None]])
    n_components, labels = connected_components(graph, directed=False)
    return Calibration(
        quality={i: float(q) for i, q in zip(ideas, quality)},
        offset={r: float(o) for r, o in zip(reviewers, offset)},
        residual_std=float(np.sqrt(np.mean(residuals**2))),
        component_of_idea={i: int(c) for i, c in zip(ideas, labels[:n_ideas])},
        component_of_reviewer={r: int(c) for r, c in zip(reviewers, labels[n_ideas:])},
        n_components=int(n_components),
        ridge=ridge,
    )


def robust_mean(scores: Sequence[float]) -> float:
    """Average of one idea's scores, resistant to a single extreme reviewer.

    Five or more: the mean without the highest and the lowest score. Three:
    the median. Four: the median too (the mean of the two middle scores),
    chosen because a single wild score then moves the result not at all,
    whereas the plain mean of four would carry a quarter of it; it is also
    exactly "drop the highest and the lowest", so the three rules agree. One
    or two: the plain mean, there being nothing to trim.
    """
    values = sorted(float(s) for s in scores)
    if not values:
        raise ValueError("没有评分")
    if len(values) >= 3:
        values = values[1:-1]
    return statistics.fmean(values)


def krippendorff_alpha_interval(matrix: np.ndarray | Sequence[Sequence[float]]) -> float:
    """Krippendorff's α with the interval metric; rows are reviewers, columns ideas, NaN = missing.

    From the definition: α = 1 − D_o / D_e, where over the n values of ideas
    scored at least twice, D_o = (1/n) Σ_u Σ_{i≠j in u} (v_i − v_j)² / (m_u − 1)
    and D_e = 1/(n(n−1)) Σ_{i≠j} (v_i − v_j)² across all of them. Ideas scored
    once carry no information about agreement and are left out. Returns NaN
    when every value is the same (α is undefined then).
    """
    data = np.asarray(matrix, dtype=float)
    if data.ndim != 2:
        raise ValueError("评分矩阵必须是二维的")
    present = ~np.isnan(data)
    pairable = present.sum(axis=0) >= 2
    if not pairable.any():
        raise ValueError("没有被两位以上评审专家评分的建议，无法计算一致性")
    data, present = data[:, pairable], present[:, pairable]
    m = present.sum(axis=0)
    values = np.where(present, data, 0.0)
    sums, squares = values.sum(axis=0), (values**2).sum(axis=0)
    # Σ over ordered pairs i≠j of (v_i − v_j)² equals 2(m Σv² − (Σv)²).
    within = 2 * (m * squares - sums**2)
    n = m.sum()
    observed = (within / (m - 1)).sum() / n
    everything = 2 * (n * squares.sum() - sums.sum() ** 2)
    expected = everything / (n * (n - 1))
    if expected == 0:
        return math.nan
    return float(1 - observed / expected)


@dataclass(frozen=True)
class IdeaSpread:
    idea_id: Hashable
    n_reviews: int
    mean: float
    std: float
    """Population standard deviation: the spread of exactly these reviewers."""
    score_range: float
    high_disagreement: bool


def idea_spreads(
    scores_by_idea: Mapping[Hashable, Sequence[float]],
    *,
    max_std: float | None = None,
    max_range: float | None = None,
) -> dict[Hashable, IdeaSpread]:
    """Per-idea spread; an idea is flagged when its std or range exceeds the given limit."""
    spreads = {}
    for idea, scores in scores_by_idea.items():
        values = np.asarray(scores, dtype=float)
        if values.size == 0:
            raise ValueError(f"建议 {idea} 没有评分")
        std, spread = float(values.std()), float(np.ptp(values))
        flagged = (max_std is not None and std > max_std) or (max_range is not None and spread > max_range)
        spreads[idea] = IdeaSpread(idea, int(values.size), float(values.mean()), std, spread, flagged)
    return spreads


def near_cutoff(scores: Mapping[Hashable, float], n_advance: int, margin: float) -> frozenset[Hashable]:
    """Ideas within `margin` of the n_advance-th best score, on either side of it.

    Empty when everybody advances anyway.
    """
    if n_advance < 1:
        raise ValueError("晋级数量必须为正整数")
    if len(scores) <= n_advance:
        return frozenset()
    cut_score = sorted(scores.values(), reverse=True)[n_advance - 1]
    return frozenset(i for i, s in scores.items() if abs(s - cut_score) <= margin)


@dataclass(frozen=True)
class TieBreakKeys:
    """The published tie-break order, best first on each key; a seeded draw settles the rest."""

    calibrated: float
    median: float
    relevance: float
    """Mean score on the 针对性 criterion."""
    top_marks: int
    """How many criterion scores were the scale's maximum."""

    def rounded(self, decimals: int) -> tuple[float, float, float, int]:
        return (round(self.calibrated, decimals), round(self.median, decimals),
                round(self.relevance, decimals), self.top_marks)


@dataclass(frozen=True)
class TieDraw:
    """Ideas equal on every key, and the order the draw gave them."""

    tied: tuple[Hashable, ...]
    """In ascending id order: the order the draw permutes."""
    drawn_order: tuple[Hashable, ...]


@dataclass(frozen=True)
class CutLineTie:
    """Ideas equal on every key but the draw, on both sides of the cut line."""

    ideas: tuple[Hashable, ...]
    advancing: tuple[Hashable, ...]
    eliminated: tuple[Hashable, ...]


@dataclass(frozen=True)
class Ranking:
    order: tuple[Hashable, ...]
    """Best first."""
    rank: dict[Hashable, int]
    """1-based position in `order`."""
    advancing: tuple[Hashable, ...]
    n_advance: int
    seed: int
    draws: tuple[TieDraw, ...]
    cut_line_tie: CutLineTie | None
    key_decimals: int


def rank_ideas(
    keys: Mapping[Hashable, TieBreakKeys],
    n_advance: int,
    *,
    seed: int | None = None,
    key_decimals: int = DEFAULT_KEY_DECIMALS,
) -> Ranking:
    """Rank by the published keys, higher first, each compared at `key_decimals` decimals.

    Groups tied on every key are ordered by a draw: a permutation of the group
    (in ascending id order) from numpy's PCG64 seeded with `seed`, groups taken
    best first. Anyone with the seed and the keys gets the same draw. Without a
    seed one is chosen at random and returned, to be recorded.
    """
    if n_advance < 1:
        raise ValueError("晋级数量必须为正整数")
    if seed is None:
        seed = secrets.randbits(32)
    rng = np.random.default_rng(seed)
    groups: dict[tuple, list[Hashable]] = defaultdict(list)
    for idea in sorted(keys):
        groups[keys[idea].rounded(key_decimals)].append(idea)

    order: list[Hashable] = []
    draws: list[TieDraw] = []
    cut_line_tie = None
    for key in sorted(groups, reverse=True):
        tied = groups[key]
        start = len(order)
        if len(tied) > 1:
            drawn = [tied[n] for n in rng.permutation(len(tied))]
            draws.append(TieDraw(tuple(tied), tuple(drawn)))
            tied = drawn
            if start < n_advance < start + len(tied):
                split = n_advance - start
                cut_line_tie = CutLineTie(tuple(tied), tuple(tied[:split]), tuple(tied[split:]))
        order.extend(tied)
    return Ranking(
        order=tuple(order),
        rank={idea: n for n, idea in enumerate(order, start=1)},
        advancing=tuple(order[:n_advance]),
        n_advance=n_advance,
        seed=seed,
        draws=tuple(draws),
        cut_line_tie=cut_line_tie,
        key_decimals=key_decimals,
    )


def tie_break_keys(
    reviews: Iterable[Review],
    rubric: Rubric,
    calibrated: Mapping[Hashable, float],
    *,
    relevance_criterion: str = RELEVANCE_CRITERION,
) -> dict[Hashable, TieBreakKeys]:
    """Keys for every idea in `calibrated`, from its reviews in this round."""
    relevance = rubric.criterion(relevance_criterion)
    by_idea: dict[Hashable, list[Review]] = defaultdict(list)
    for review in reviews:
        by_idea[review.idea_id].append(review)
    keys = {}
    for idea, score in calibrated.items():
        own = by_idea.get(idea)
        if not own:
            raise ValueError(f"建议 {idea} 没有评分")
        keys[idea] = TieBreakKeys(
            calibrated=score,
            median=statistics.median(rubric.total(r.scores) for r in own),
            relevance=statistics.fmean(r.scores[relevance.name] for r in own),
            top_marks=sum(r.scores[c.name] == c.max_score for r in own for c in rubric.criteria),
        )
    return keys


def _index(ids: Iterable[Hashable]) -> tuple[list[Hashable], dict[Hashable, int]]:
    position: dict[Hashable, int] = {}
    for i in ids:
        position.setdefault(i, len(position))
    return list(position), position
