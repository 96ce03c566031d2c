"""The transportation problem behind reviewer assignment, for HiGHS.

Each allowed (reviewer, idea) pair is a 0/1 variable. The rows — one per idea,
one per reviewer, one per (reviewer, theme) — form two laminar families, so the
constraint matrix is totally unimodular: HiGHS's root LP already lands on an
integral vertex and the MILP ends without branching. Interchangeable ideas are
solved as one group (see `TransportProblem`), which is what keeps 5,000 ideas ×
60 reviewers × k = 3 within seconds. `voting.judging.assignment` is the API.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

# Random costs far below any preference or spread cost: they only choose among
# equally good assignments. Left to itself the solver hands out contiguous blocks
# of ideas to the same few reviewers, which cuts the reviewer–idea graph into
# pieces and leaves calibration nothing to compare reviewers by; the seeded
# shuffle inside each group of interchangeable ideas serves the same end.
TIE_BREAK_JITTER = 1e-3

_IDS_SHOWN_IN_MESSAGES = 20

_OPTIMAL = 0
_INFEASIBLE = 2


class AssignmentInfeasible(ValueError):
    """No assignment satisfies the hard rules; `idea_ids` names the culprits."""

    def __init__(self, message: str, idea_ids: Iterable[Hashable]):
        super().__init__(message)
        self.idea_ids = tuple(idea_ids)


def distinct_ids(ids: Sequence[Hashable], label: str) -> list[Hashable]:
    ids = list(ids)
    if len(set(ids)) != len(ids):
        raise ValueError(f"{label}编号有重复")
    return ids


def describe_ids(ids: Sequence[Hashable]) -> str:
    shown = "、".join(str(i) for i in ids[:_IDS_SHOWN_IN_MESSAGES])
    more = "……" if len(ids) > _IDS_SHOWN_IN_MESSAGES else ""
    return f"{shown}{more}（共 {len(ids)} 条）"


@dataclass
class TransportProblem:
    """The transportation problem over groups of interchangeable ideas.

    Ideas with the same theme and the same set of eligible reviewers, and with
    no keeps or pair affinities of their own, are interchangeable, so they form
    one group: a variable counts how many of the group's ideas a reviewer gets
    (at most one per idea, so at most the group's size), and the group needs k
    times its size in total. Real conflicts follow from work units and regions,
    so a round of thousands of ideas collapses to a few hundred groups. Any
    idea with a keep or an affinity is a group of its own, which is exactly the
    per-pair formulation.
    """

    ideas: list[Hashable]
    reviewers: list[Hashable]
    k: int
    group_members: list[np.ndarray]
    group_size: np.ndarray
    group_theme: np.ndarray | None
    theme_share: np.ndarray | None
    var_reviewer: np.ndarray
    var_group: np.ndarray
    var_kept: np.ndarray
    var_cost: np.ndarray
    theme_spread_cost: float
    seed: int
    eligible: np.ndarray
    kept: np.ndarray

    @property
    def n_ideas(self) -> int:
        return len(self.ideas)

    @property
    def n_reviewers(self) -> int:
        return len(self.reviewers)

    @property
    def n_groups(self) -> int:
        return len(self.group_size)

    @property
    def n_vars(self) -> int:
        return len(self.var_group)

    @classmethod
    def build(cls, idea_ids, reviewer_ids, k, forbidden, keep, idea_themes, pair_affinity,
              reviewer_preference, theme_spread_cost, seed) -> TransportProblem:
        ideas = distinct_ids(idea_ids, "建议")
        reviewers = distinct_ids(reviewer_ids, "评审专家")
        if not isinstance(k, int) or k < 1:
            raise ValueError("每条建议的评审专家人数 k 必须是正整数")
        if not ideas:
            raise ValueError("没有待分配的建议")
        if not reviewers:
            raise ValueError("没有评审专家")
        idea_index = {idea: n for n, idea in enumerate(ideas)}
        reviewer_index = {r: n for n, r in enumerate(reviewers)}
        shape = (len(reviewers), len(ideas))

        eligible = np.ones(shape, dtype=bool)
        for r, i in forbidden:
            if r in reviewer_index and i in idea_index:
                eligible[reviewer_index[r], idea_index[i]] = False
        kept = np.zeros(shape, dtype=bool)
        for r, i in keep:
            if r not in reviewer_index or i not in idea_index:
                raise ValueError(f"保留的分配引用了本轮之外的评审专家或建议：({r}, {i})")
            kept[reviewer_index[r], idea_index[i]] = True

        def culprits(mask):
            return [ideas[n] for n in np.flatnonzero(mask)]

        if bad := culprits((kept & ~eligible).any(axis=0)):
            raise AssignmentInfeasible(f"以下建议保留的评审专家违反回避规则：{describe_ids(bad)}", bad)
        if bad := culprits(kept.sum(axis=0) > k):
            raise AssignmentInfeasible(f"以下建议保留的评审专家超过 {k} 人：{describe_ids(bad)}", bad)
        if bad := culprits(eligible.sum(axis=0) < k):
            raise AssignmentInfeasible(f"以下建议可分配的评审专家不足 {k} 人：{describe_ids(bad)}", bad)

        affinity = np.zeros(shape)
        for (r, i), value in (pair_affinity or {}).items():
            if r in reviewer_index and i in idea_index:
                affinity[reviewer_index[r], idea_index[i]] = value
        preference = np.array([(reviewer_preference or {}).get(r, 0.0) for r in reviewers], dtype=float)

        theme_of_idea = np.zeros(len(ideas), dtype=int)
        group_theme = theme_share = None
        if idea_themes is not None:
            theme_codes: dict[Hashable, int] = {}
            theme_of_idea = np.array(
                [theme_codes.setdefault(idea_themes.get(i), len(theme_codes)) for i in ideas])
            theme_share = np.bincount(theme_of_idea) / len(ideas)

        _, pattern = np.unique(np.packbits(eligible.T, axis=1), axis=0, return_inverse=True)
        individual = kept.any(axis=0) | (affinity != 0).any(axis=0)
        own_key = np.where(individual, np.arange(len(ideas)), -1)
        keys = np.column_stack([pattern.ravel(), theme_of_idea, own_key])
        _, group_of_idea = np.unique(keys, axis=0, return_inverse=True)
        group_of_idea = group_of_idea.ravel()
        order = np.argsort(group_of_idea, kind="stable")
        group_size = np.bincount(group_of_idea)
        group_members = np.split(order, np.cumsum(group_size)[:-1])
        representative = np.array([members[0] for members in group_members])
        if idea_themes is not None:
            group_theme = theme_of_idea[representative]

        var_reviewer, var_group = np.nonzero(eligible[:, representative])
        jitter = np.random.default_rng(seed).random(len(var_group)) * TIE_BREAK_JITTER
        # Grouped ideas carry no pair affinity, so the representative's is the group's.
        var_cost = -affinity[var_reviewer, representative[var_group]] - preference[var_reviewer] + jitter
        return cls(
            ideas, reviewers, k, group_members, group_size, group_theme, theme_share,
            var_reviewer, var_group, kept[var_reviewer, representative[var_group]].astype(float),
            var_cost, theme_spread_cost, seed, eligible, kept,
        )

    def loads_of(self, counts: np.ndarray) -> np.ndarray:
        return np.bincount(self.var_reviewer, weights=counts, minlength=self.n_reviewers).round().astype(int)

    def strict_balance_possible(self, fair_low: int, fair_high: int) -> bool:
        """Cheap necessary conditions, so the usual infeasible cases skip a solver run."""
        eligible_load = self.loads_of(self.group_size[self.var_group].astype(float))
        kept_load = self.loads_of(self.var_kept)
        return bool((eligible_load >= fair_low).all() and (kept_load <= fair_high).all())

    def _core_rows(self, low, high):
        """Group rows (exactly k per idea) and reviewer rows (load within [low, high])."""
        n_vars, variables = self.n_vars, np.arange(self.n_vars)
        return (
            [self.var_group, self.n_groups + self.var_reviewer],
            [variables, variables],
            [np.ones(n_vars), np.ones(n_vars)],
            [self.k * self.group_size.astype(float), np.asarray(low, dtype=float)],
            [self.k * self.group_size.astype(float), np.asarray(high, dtype=float)],
        )

    def solve(self, low: np.ndarray, high: np.ndarray, time_limit: float) -> np.ndarray | None:
        """Per-variable counts of the cheapest assignment with loads in [low, high]; None if none exists."""
        n_vars, n_reviewers = self.n_vars, self.n_reviewers
        rows, cols, values, row_low, row_high = self._core_rows(low, high)
        cost = [self.var_cost]
        var_low = [self.var_kept]
        var_high = [self.group_size[self.var_group].astype(float)]
        integrality = [np.ones(n_vars)]

        if self.group_theme is not None:
            n_themes = len(self.theme_share)
            n_cells = n_reviewers * n_themes
            first_row = self.n_groups + n_reviewers
            # One overload variable per (reviewer, theme) absorbs whatever exceeds
            # the reviewer's proportional share of that theme, at a small cost.
            cell_of_var = self.var_reviewer * n_themes + self.group_theme[self.var_group]
            cells = np.arange(n_cells)
            rows += [first_row + cell_of_var, first_row + cells]
            cols += [np.arange(n_vars), n_vars + cells]
            values += [np.ones(n_vars), -np.ones(n_cells)]
            row_low.append(np.full(n_cells, -np.inf))
            row_high.append(_fair_theme_share(high, self.theme_share).ravel())
            cost.append(np.full(n_cells, self.theme_spread_cost))
            var_low.append(np.zeros(n_cells))
            var_high.append(np.full(n_cells, np.inf))
            integrality.append(np.zeros(n_cells))

        solution = _run(rows, cols, values, row_low, row_high, cost, var_low, var_high,
                        integrality, time_limit)
        return None if solution is None else solution[:n_vars].round()

    def most_even_loads(self, fair_low: int, fair_high: int, time_limit: float) -> np.ndarray:
        """Loads minimising Σ d(d+1)/2 over each reviewer's distance d outside [fair_low, fair_high].

        The convex penalty is built from unit segments of rising cost, which keeps
        the problem a network flow; a strictly convex penalty spreads any
        unavoidable excess over many reviewers instead of piling it on one.
        """
        n_vars, n_groups = self.n_vars, self.n_groups
        eligible_load = self.loads_of(self.group_size[self.var_group].astype(float))
        over_reviewer, over_step = _segments(np.maximum(eligible_load - fair_high, 0))
        under_reviewer, under_step = _segments(np.full(self.n_reviewers, fair_low))
        n_over, n_under = len(over_step), len(under_step)
        rows, cols, values, row_low, row_high = self._core_rows(
            np.full(self.n_reviewers, fair_low), np.full(self.n_reviewers, fair_high))
        rows += [n_groups + over_reviewer, n_groups + under_reviewer]
        cols += [n_vars + np.arange(n_over), n_vars + n_over + np.arange(n_under)]
        values += [-np.ones(n_over), np.ones(n_under)]
        solution = _run(
            rows, cols, values, row_low, row_high,
            [np.zeros(n_vars), over_step, under_step],
            [self.var_kept, np.zeros(n_over + n_under)],
            [self.group_size[self.var_group].astype(float), np.ones(n_over + n_under)],
            [np.ones(n_vars), np.zeros(n_over + n_under)],
            time_limit,
        )
        if solution is None:
            raise RuntimeError("负载均衡求解失败")
        return self.loads_of(solution[:n_vars].round())

    def seats(self, counts: np.ndarray) -> list[list[int]]:
        """Each idea's reviewers (as row numbers) for the solver's per-group counts."""
        rng = np.random.default_rng(self.seed)
        by_idea: list[list[int]] = [[] for _ in self.ideas]
        chosen = np.flatnonzero(counts > 0)
        chosen = chosen[np.argsort(self.var_group[chosen], kind="stable")]
        group_ends = np.cumsum(np.bincount(self.var_group[chosen], minlength=self.n_groups))
        per_group = np.split(chosen, group_ends[:-1])
        for members, in_group in zip(self.group_members, per_group):
            # Reviewers laid end to end, each repeated as often as the solver gave
            # them this group; idea j takes seats j, j + n, j + 2n, … Nobody holds
            # more than n consecutive seats, so no idea sees a reviewer twice.
            seats = np.repeat(self.var_reviewer[in_group], counts[in_group].astype(int))
            shuffled = rng.permutation(members)
            for offset, idea in enumerate(shuffled):
                by_idea[idea].extend(seats[offset::len(members)].tolist())
        return by_idea

    def theme_overload(self, counts: np.ndarray, loads: np.ndarray) -> int:
        """Assignments beyond each reviewer's fair share of a theme, summed over reviewers."""
        if self.group_theme is None:
            return 0
        n_themes = len(self.theme_share)
        per_theme = np.bincount(
            self.var_reviewer * n_themes + self.group_theme[self.var_group],
            weights=counts, minlength=self.n_reviewers * n_themes,
        ).reshape(self.n_reviewers, n_themes)
        excess = per_theme - _fair_theme_share(loads, self.theme_share)
        return int(np.maximum(excess, 0).sum().round())


def _fair_theme_share(loads: np.ndarray, theme_share: np.ndarray) -> np.ndarray:
    # The small epsilon keeps 10 × 0.3 = 3.0000000000000004 from rounding up to 4.
    return np.ceil(np.outer(loads, theme_share) - 1e-9)


def _run(rows, cols, values, row_low, row_high, cost, var_low, var_high, integrality,
         time_limit) -> np.ndarray | None:
    row_low, row_high = np.concatenate(row_low), np.concatenate(row_high)
    cost = np.concatenate(cost)
    matrix = sparse.csr_array(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
        shape=(len(row_low), len(cost)),
    )
    outcome = milp(
        cost,
        integrality=np.concatenate(integrality),
        bounds=Bounds(np.concatenate(var_low), np.concatenate(var_high)),
        constraints=LinearConstraint(matrix, row_low, row_high),
        options={"time_limit": time_limit},
    )
    if outcome.status == _INFEASIBLE:
        return None
    if outcome.status != _OPTIMAL:
        raise RuntimeError(f"分配求解未完成：{outcome.message}")
    return outcome.x


def _segments(lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit segments 1..length for each reviewer, costed 1, 2, 3, … (a convex staircase)."""
    owner = np.repeat(np.arange(len(lengths)), lengths)
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    step = np.arange(len(owner)) - starts + 1
    return owner, step.astype(float)
