"""Automatic reviewer assignment, solved as a min-cost transportation problem.

Every idea needs exactly k distinct reviewers, no reviewer may see an idea he or
she is barred from, and every reviewer's load must stay within one of every
other reviewer's. Each allowed (reviewer, idea) pair is a 0/1 variable. The
rows — one per idea, one per reviewer, one per (reviewer, theme) — form two
laminar families, so the constraint matrix is totally unimodular: HiGHS's root
LP already lands on an integral vertex and the MILP ends without branching.
The solver's formulation lives in `voting.judging.transport`; this module is
the API, the recusal replacement and the step that joins reviewer panels.

Ids are any hashable values; the callers pass database primary keys.
"""


from __future__ import annotations

import time
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from voting.judging.transport import AssignmentInfeasible, TransportProblem, distinct_ids

__all__ = ["AssignmentInfeasible", "AssignmentResult", "Reassignment", "assign_reviewers",
           "extra_reviewers",
           "reassign_after_recusal"]

# One assignment beyond a reviewer's fair share of a theme costs this much; it
# is far below a unit of affinity, so stated preferences always win over spread.
DEFAULT_THEME_SPREAD_COST = 0.05


@dataclass(frozen=True)
class AssignmentResult:
    assignments: dict[Hashable, tuple[Hashable, ...]]
    """Idea id -> its reviewers, in the order the reviewers were given."""
    loads: dict[Hashable, int]
    strictly_balanced: bool
    """True when max load − min load ≤ 1; False only when the rules make that impossible."""
    theme_overload: int
    """Assignments beyond each reviewer's fair share of a theme, summed over reviewers."""
    panels: int
    """Separate pieces of the reviewer–idea graph; 1 unless the rules keep panels apart."""
    solve_seconds: float

    @property
    def load_spread(self) -> int:
        return max(self.loads.values()) - min(self.loads.values()) if self.loads else 0

    def pairs(self) -> set[tuple[Hashable, Hashable]]:
        """The assignment as (reviewer id, idea id) pairs."""
        return {(r, i) for i, reviewers in self.assignments.items() for r in reviewers}


@dataclass(frozen=True)
class Reassignment:
    idea_id: Hashable
    removed_reviewer_id: Hashable
    added_reviewer_id: Hashable
    assignments: dict[Hashable, tuple[Hashable, ...]]
    loads: dict[Hashable, int]

    @property
    def load_spread(self) -> int:
        return max(self.loads.values()) - min(self.loads.values()) if self.loads else 0


def assign_reviewers(
    idea_ids: Sequence[Hashable],
    reviewer_ids: Sequence[Hashable],
    k: int,
    *,
    forbidden: Iterable[tuple[Hashable, Hashable]] = (),
    keep: Iterable[tuple[Hashable, Hashable]] = (),
    idea_themes: Mapping[Hashable, Hashable] | None = None,
    pair_affinity: Mapping[tuple[Hashable, Hashable], float] | None = None,
    reviewer_preference: Mapping[Hashable, float] | None = None,
    theme_spread_cost: float = DEFAULT_THEME_SPREAD_COST,
    seed: int = 0,
    time_limit_seconds: float = 300.0,
) -> AssignmentResult:
    """Give every idea exactly k distinct reviewers at the least total cost.

    forbidden: (reviewer id, idea id) pairs never to use; pairs naming ids outside
        this round are ignored, so the caller may pass campaign-wide conflicts.
    keep: (reviewer id, idea id) pairs that must stay (manual adjustments).
    idea_themes: idea id -> theme id; spreads each reviewer's load over themes.
    pair_affinity, reviewer_preference: higher means preferred; a unit of either
        outweighs twenty units of theme over-concentration at the default cost.
    seed: drives the tie-breaking jitter and the order inside groups of
        interchangeable ideas, so a run can be reproduced.

    Balance is a hard rule: loads differ by at most one whenever the rules allow
    it. When they do not (a reviewer barred from most ideas, or heavy manual
    keeps) the loads are first made as even as possible by minimising a convex
    penalty on each reviewer's distance from the fair load, then preferences are
    optimised with those loads fixed.
    """
    started = time.perf_counter()
    problem = TransportProblem.build(
        idea_ids, reviewer_ids, k, forbidden, keep, idea_themes, pair_affinity,
        reviewer_preference, theme_spread_cost, seed,
    )
    total = k * problem.n_ideas
    fair_low = total // problem.n_reviewers
    fair_high = -(-total // problem.n_reviewers)
    low = np.full(problem.n_reviewers, fair_low)
    high = np.full(problem.n_reviewers, fair_high)
    counts = None
    if problem.strict_balance_possible(fair_low, fair_high):
        counts = problem.solve(low, high, time_limit_seconds)
    if counts is None:
        loads = problem.most_even_loads(fair_low, fair_high, time_limit_seconds)
        counts = problem.solve(loads, loads, time_limit_seconds)
        if counts is None:
            raise RuntimeError("负载均衡后的分配求解失败")
    by_idea = problem.seats(counts)
    panels = _connect(by_idea, problem.eligible, problem.kept)
    loads = problem.loads_of(counts)
    return AssignmentResult(
        assignments={
            problem.ideas[i]: tuple(problem.reviewers[r] for r in sorted(rs)) for i, rs in enumerate(by_idea)
        },
        loads={r: int(n) for r, n in zip(problem.reviewers, loads)},
        strictly_balanced=bool(loads.max() - loads.min() <= 1),
        theme_overload=problem.theme_overload(counts, loads),
        panels=panels,
        solve_seconds=time.perf_counter() - started,
    )


def reassign_after_recusal(
    assignments: Mapping[Hashable, Sequence[Hashable]],
    idea_id: Hashable,
    recused_reviewer_id: Hashable,
    reviewer_ids: Sequence[Hashable],
    *,
    forbidden: Iterable[tuple[Hashable, Hashable]] = (),
    idea_themes: Mapping[Hashable, Hashable] | None = None,
    reviewer_preference: Mapping[Hashable, float] | None = None,
    seed: int = 0,
) -> Reassignment:
    """Replace one reviewer of one idea, leaving every other assignment as it is.

    With everything else fixed the only freedom is who takes the vacated seat,
    so the optimum is exact: the eligible reviewer with the lowest load, then the
    fewest ideas of this idea's theme, then the highest preference, then a
    seeded draw.
    """
    if idea_id not in assignments:
        raise ValueError(f"建议 {idea_id} 没有任何分配")
    current = tuple(assignments[idea_id])
    if recused_reviewer_id not in current:
        raise ValueError(f"评审专家 {recused_reviewer_id} 并未分配到建议 {idea_id}")
    barred = {r for r, i in forbidden if i == idea_id} | set(current)
    candidates = [r for r in distinct_ids(reviewer_ids, "评审专家") if r not in barred]
    if not candidates:
        raise AssignmentInfeasible(f"建议 {idea_id} 没有可替换的评审专家", [idea_id])

    loads = dict.fromkeys(reviewer_ids, 0)
    theme = (idea_themes or {}).get(idea_id)
    same_theme = dict.fromkeys(reviewer_ids, 0)
    for other_idea, reviewers in assignments.items():
        for r in reviewers:
            loads[r] = loads.get(r, 0) + 1
            if idea_themes is not None and idea_themes.get(other_idea) == theme:
                same_theme[r] = same_theme.get(r, 0) + 1
    loads[recused_reviewer_id] -= 1

    preference = reviewer_preference or {}
    draw = np.random.default_rng(seed).random(len(candidates))
    best = np.lexsort((
        draw,
        [-preference.get(r, 0.0) for r in candidates],
        [same_theme[r] for r in candidates],
        [loads[r] for r in candidates],
    ))[0]
    added = candidates[best]
    loads[added] += 1
    updated = {i: tuple(rs) for i, rs in assignments.items()}
    updated[idea_id] = tuple(added if r == recused_reviewer_id else r for r in current)
    return Reassignment(idea_id, recused_reviewer_id, added, updated, loads)


def extra_reviewers(
    idea_ids: Sequence[Hashable],
    reviewer_ids: Sequence[Hashable],
    loads: Mapping[Hashable, int],
    barred: Iterable[tuple[Hashable, Hashable]],
    *,
    count: int | None = None,
) -> dict[Hashable, Hashable]:
    """One more reviewer for each idea, in the order given: the eligible reviewer (no
    (reviewer, idea) pair in `barred`, which holds the forbidden and the already
    assigned pairs) with the lowest load, the lowest id among equals, so loads stay
    level. Idea id -> reviewer id. Without `count` an idea no reviewer may take raises
    AssignmentInfeasible naming it; with it, such ideas are passed over and the first
    `count` ideas someone may take get a reviewer."""
    barred = set(barred)
    load = {r: loads.get(r, 0) for r in reviewer_ids}
    chosen = {}
    for idea in idea_ids:
        if count is not None and len(chosen) == count:
            break
        eligible = [r for r in reviewer_ids if (r, idea) not in barred]
        if not eligible:
            if count is not None:
                continue
            raise AssignmentInfeasible(f"建议 {idea} 已没有可以分配的评审专家", [idea])
        chosen[idea] = min(eligible, key=lambda r: (load[r], r))
        load[chosen[idea]] += 1
    return chosen


def _connect(by_idea: list[list[int]], eligible: np.ndarray, kept: np.ndarray) -> int:
    """Join the reviewer–idea graph into one piece by swapping reviewers between ideas.

    Laying a group's seats end to end can split it into separate panels (with
    12 ideas and 6 reviewers of 6 seats each: three reviewers see ideas 1–6,
    the other three ideas 7–12), and calibration cannot compare panels that
    share nothing. Swapping reviewer x of idea a with reviewer y of idea b, a
    and b in different pieces, keeps k distinct reviewers per idea and every
    load. Only pairs that are eligible and not kept by hand are swapped.

    Termination: a swap is kept only when it lowers the number of pieces, so at
    most (pieces − 1) swaps are kept, and at most `_MAX_SWAP_TRIALS` are tried in
    all. A swap that merely moves an idea from one piece to another is undone
    (two such swaps used to undo each other for ever). Returns the number of
    pieces left: more than one when the rules, or the trial budget, keep them
    apart — calibration then centres each piece on its own.
    """
    n_reviewers = eligible.shape[0]
    pieces = _pieces(by_idea, n_reviewers)
    count = len(set(pieces))
    trials = 0
    while count > 1 and trials < _MAX_SWAP_TRIALS:
        joined = False
        for a, b, x, y in _candidate_swaps(by_idea, pieces, eligible, kept):
            trials += 1
            _swap(by_idea, a, b, x, y)
            trial_pieces = _pieces(by_idea, n_reviewers)
            if len(set(trial_pieces)) < count:
                pieces, count, joined = trial_pieces, len(set(trial_pieces)), True
                break
            _swap(by_idea, a, b, y, x)
            if trials >= _MAX_SWAP_TRIALS:
                break
        if not joined:
            break
    return count


# Each trial recomputes the pieces (linear in the assignments); the budget keeps
# a round that cannot be joined from costing more than a few seconds.
_MAX_SWAP_TRIALS = 500


def _swap(by_idea: list[list[int]], a: int, b: int, x: int, y: int) -> None:
    """Reviewer x leaves idea a for idea b; reviewer y leaves b for a."""
    by_idea[a][by_idea[a].index(x)] = y
    by_idea[b][by_idea[b].index(y)] = x


def _pieces(by_idea: list[list[int]], n_reviewers: int) -> list[int]:
    rows = [i for i, reviewers in enumerate(by_idea) for _ in reviewers]
    cols = [len(by_idea) + r for reviewers in by_idea for r in reviewers]
    size = len(by_idea) + n_reviewers
    graph = sparse.csr_array((np.ones(len(rows)), (rows, cols)), shape=(size, size))
    _, labels = connected_components(graph, directed=False)
    return labels[:len(by_idea)].tolist()


def _candidate_swaps(by_idea, pieces, eligible, kept):
    """Swaps that keep every rule, between the first piece and any other.

    Reviewers with other ideas come first: moving such a reviewer to b hangs b on
    the first piece without cutting the reviewer loose from it.
    """
    first = pieces[0]
    loads = np.bincount([r for reviewers in by_idea for r in reviewers], minlength=eligible.shape[0])
    inside = [a for a, piece in enumerate(pieces) if piece == first]
    outside = [b for b, piece in enumerate(pieces) if piece != first]
    movers = sorted(((a, x) for a in inside for x in by_idea[a] if not kept[x, a]),
                    key=lambda pair: -loads[pair[1]])
    for a, x in movers:
        for b in outside:
            if x in by_idea[b] or not eligible[x, b]:
                continue
            for y in by_idea[b]:
                if not kept[y, b] and y not in by_idea[a] and eligible[y, a]:
                    yield a, b, x, y
