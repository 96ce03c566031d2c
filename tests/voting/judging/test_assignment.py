import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.sparse.csgraph import connected_components, maximum_flow

from tests.time_budget import time_budget
from tests.voting.judging.assignment_instances import DENSITIES, random_instance
from voting.judging.assignment import AssignmentInfeasible, assign_reviewers, reassign_after_recusal

# Far above the milliseconds an instance of this size takes, far below a hang.
PER_EXAMPLE_SECONDS = 10


def strictly_balanced_assignment_exists(n_ideas, n_reviewers, k, eligible, kept):
    """Independent oracle: a feasible circulation with lower bounds, by max flow.

    Network: source -> idea (exactly k), idea -> reviewer (0..1, or exactly 1 if
    kept), reviewer -> sink (fair_low..fair_high), sink -> source (unbounded).
    Lower bounds are moved into node demands served from a super source.
    """
    total = k * n_ideas
    fair_low, fair_high = total // n_reviewers, -(-total // n_reviewers)
    source, sink = n_ideas + n_reviewers, n_ideas + n_reviewers + 1
    super_source, super_sink = sink + 1, sink + 2
    arcs = []  # (tail, head, lower, upper)
    for i in range(n_ideas):
        arcs.append((source, i, k, k))
        for r in range(n_reviewers):
            if eligible[r, i]:
                arcs.append((i, n_ideas + r, int(kept[r, i]), 1))
    for r in range(n_reviewers):
        arcs.append((n_ideas + r, sink, fair_low, fair_high))
    arcs.append((sink, source, 0, total))
    excess = np.zeros(super_sink + 1, dtype=np.int32)
    capacity = {}
    for tail, head, lower, upper in arcs:
        capacity[tail, head] = capacity.get((tail, head), 0) + upper - lower
        excess[head] += lower
        excess[tail] -= lower
    demand = 0
    for node, amount in enumerate(excess):
        if amount > 0:
            capacity[super_source, node] = int(amount)
            demand += amount
        elif amount < 0:
            capacity[node, super_sink] = int(-amount)
    tails, heads = zip(*capacity)
    graph = sparse.csr_array(
        (np.array(list(capacity.values()), dtype=np.int32), (tails, heads)),
        shape=(super_sink + 1, super_sink + 1),
    )
    return maximum_flow(graph, super_source, super_sink).flow_value == demand


@st.composite
def instances(draw):
    return random_instance(
        n_ideas=draw(st.integers(1, 14)),
        n_reviewers=draw(st.integers(2, 9)),
        k=draw(st.integers(1, 3)),
        density=draw(st.sampled_from(DENSITIES)),
        seed=draw(st.integers(0, 2**31 - 1)),
        barred_reviewer=draw(st.booleans()),
        with_keeps=draw(st.booleans()),
        with_themes=draw(st.booleans()),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_assignment_invariants_on_random_instances(instance):
    n_ideas, n_reviewers, k, eligible, kept, themes, seed = instance
    ideas = [f"建议{i}" for i in range(n_ideas)]
    reviewers = [f"专家{r}" for r in range(n_reviewers)]
    forbidden = {(reviewers[r], ideas[i]) for r, i in zip(*np.nonzero(~eligible))}
    keep = {(reviewers[r], ideas[i]) for r, i in zip(*np.nonzero(kept))}
    short = {ideas[i] for i in range(n_ideas) if eligible[:, i].sum() < k}
    call = dict(
        forbidden=forbidden, keep=keep, seed=seed,
        idea_themes=None if themes is None else dict(zip(ideas, themes.tolist())),
    )

    event("infeasible" if short else "feasible")
    if short:
        with pytest.raises(AssignmentInfeasible) as raised:
            assign_reviewers(ideas, reviewers, k, **call)
        assert set(raised.value.idea_ids) == short
        assert f"以下建议可分配的评审专家不足 {k} 人" in str(raised.value)
        return

    with time_budget(PER_EXAMPLE_SECONDS):
        result = assign_reviewers(ideas, reviewers, k, **call)
    assert_valid(result, ideas, reviewers, k, forbidden, keep)

    balance_possible = strictly_balanced_assignment_exists(n_ideas, n_reviewers, k, eligible, kept)
    event(f"strict balance possible: {balance_possible}")
    assert result.strictly_balanced == balance_possible
    assert (max(result.loads.values()) - min(result.loads.values()) <= 1) == balance_possible


def panels_of(result, ideas, reviewers):
    index = {r: n for n, r in enumerate(reviewers)} | {i: len(reviewers) + n for n, i in enumerate(ideas)}
    rows, cols = zip(*((index[r], index[i]) for r, i in result.pairs()))
    size = len(reviewers) + len(ideas)
    graph = sparse.csr_array((np.ones(len(rows)), (rows, cols)), shape=(size, size))
    labels = connected_components(graph, directed=False)[1]
    return len({labels[index[i]] for i in ideas})


def assert_valid(result, ideas, reviewers, k, forbidden, keep):
    assert set(result.assignments) == set(ideas)
    for idea, assigned in result.assignments.items():
        assert len(assigned) == k
        assert len(set(assigned)) == k
    assert not result.pairs() & forbidden
    assert keep <= result.pairs()
    loads = {r: sum(r in rs for rs in result.assignments.values()) for r in reviewers}
    assert loads == result.loads
    assert sum(loads.values()) == k * len(ideas)
    assert result.panels == panels_of(result, ideas, reviewers)


def test_join_step_that_used_to_swap_for_ever_returns():
    # Found by a random search with the generator above: two swaps undid each other.
    n_ideas, n_reviewers, k = 7, 9, 2
    eligible = np.array([[0, 0, 1, 0, 0, 0, 0]] + [[1, 1, 1, 1, 1, 1, 1]] * 8, dtype=bool)
    kept = np.array([
        [0, 0, 0, 0, 0, 0, 0], [0, 0, 1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 1, 0], [0, 0, 0, 1, 1, 0, 0], [0, 1, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 1, 0],
        [0, 0, 0, 1, 0, 0, 0],
    ], dtype=bool)
    ideas = [f"建议{i}" for i in range(n_ideas)]
    reviewers = [f"专家{r}" for r in range(n_reviewers)]
    forbidden = {(reviewers[r], ideas[i]) for r, i in zip(*np.nonzero(~eligible))}
    keep = {(reviewers[r], ideas[i]) for r, i in zip(*np.nonzero(kept))}
    themes = dict(zip(ideas, [2, 2, 1, 1, 0, 1, 0]))
    with time_budget(PER_EXAMPLE_SECONDS):
        result = assign_reviewers(ideas, reviewers, k, forbidden=forbidden, keep=keep,
                                  idea_themes=themes, seed=249243520)
    assert_valid(result, ideas, reviewers, k, forbidden, keep)
    assert result.strictly_balanced


def test_time_budget_fails_a_loop_that_never_ends():
    from tests.time_budget import BudgetExceeded

    with pytest.raises(BudgetExceeded):
        with time_budget(0.2):
            while True:
                pass


def test_too_few_eligible_reviewers_names_the_ideas():
    forbidden = {("甲", 2), ("乙", 2), ("甲", 5)}
    with pytest.raises(AssignmentInfeasible) as raised:
        assign_reviewers([1, 2, 3, 4, 5], ["甲", "乙", "丙"], 2, forbidden=forbidden)
    assert raised.value.idea_ids == (2,)
    assert str(raised.value) == "以下建议可分配的评审专家不足 2 人：2（共 1 条）"


def test_k_larger_than_the_panel_is_infeasible_for_every_idea():
    with pytest.raises(AssignmentInfeasible) as raised:
        assign_reviewers([1, 2], ["甲", "乙"], 3)
    assert raised.value.idea_ids == (1, 2)


def test_keeping_a_forbidden_pair_is_refused():
    with pytest.raises(AssignmentInfeasible, match="违反回避规则"):
        assign_reviewers([1, 2], ["甲", "乙"], 1, forbidden={("甲", 1)}, keep={("甲", 1)})


def test_keeping_more_than_k_is_refused():
    with pytest.raises(AssignmentInfeasible, match="超过 1 人"):
        assign_reviewers([1, 2], ["甲", "乙"], 1, keep={("甲", 1), ("乙", 1)})


def test_keep_with_unknown_ids_is_refused():
    with pytest.raises(ValueError, match="本轮之外"):
        assign_reviewers([1, 2], ["甲", "乙"], 1, keep={("丁", 1)})


def test_forbidden_pairs_outside_the_round_are_ignored():
    result = assign_reviewers([1, 2], ["甲", "乙"], 1, forbidden={("丁", 1), ("甲", 99)})
    assert sorted(result.loads.values()) == [1, 1]


def test_pair_affinity_decides_among_balanced_assignments():
    ideas, reviewers = [1, 2, 3, 4], ["甲", "乙"]
    wanted = {("甲", 3), ("甲", 4), ("乙", 1), ("乙", 2)}
    result = assign_reviewers(ideas, reviewers, 1, pair_affinity=dict.fromkeys(wanted, 1.0))
    assert result.pairs() == wanted


def test_reviewer_preference_decides_who_takes_the_extra_idea():
    # 5 ideas × k=1 over 2 reviewers: loads 3 and 2; the preferred one gets 3.
    result = assign_reviewers([1, 2, 3, 4, 5], ["甲", "乙"], 1, reviewer_preference={"乙": 0.5})
    assert result.loads == {"甲": 2, "乙": 3}


def test_balance_beats_preference():
    result = assign_reviewers(list(range(10)), ["甲", "乙"], 1, reviewer_preference={"甲": 10.0})
    assert result.loads == {"甲": 5, "乙": 5}


def test_each_reviewer_gets_a_fair_share_of_every_theme():
    ideas = list(range(12))
    themes = {i: "交通" if i < 6 else "教育" for i in ideas}
    result = assign_reviewers(ideas, ["甲", "乙", "丙"], 1, idea_themes=themes)
    assert result.theme_overload == 0
    for reviewer in ["甲", "乙", "丙"]:
        mine = [i for i, rs in result.assignments.items() if reviewer in rs]
        assert sorted(themes[i] for i in mine) == ["交通", "交通", "教育", "教育"]


def test_without_theme_cost_the_same_instance_may_concentrate():
    # Guards the test above: a preference pulling themes apart wins when the
    # spread cost is zero, so the theme rows are what keep loads mixed.
    ideas = list(range(12))
    themes = {i: "交通" if i < 6 else "教育" for i in ideas}
    affinity = {("甲", i): 0.01 for i in range(6)}
    spread = assign_reviewers(ideas, ["甲", "乙", "丙"], 1, idea_themes=themes, pair_affinity=affinity)
    concentrated = assign_reviewers(
        ideas, ["甲", "乙", "丙"], 1, idea_themes=themes, pair_affinity=affinity, theme_spread_cost=0.0,
    )
    assert spread.theme_overload == 0
    assert concentrated.theme_overload > 0


def test_when_balance_is_impossible_the_rest_stay_balanced():
    ideas = list(range(12))
    forbidden = {("丙", i) for i in ideas if i != 0}
    result = assign_reviewers(ideas, ["甲", "乙", "丙"], 1, forbidden=forbidden)
    assert not result.strictly_balanced
    assert result.loads["丙"] == 1
    assert sorted([result.loads["甲"], result.loads["乙"]]) == [5, 6]


def test_heavy_manual_keep_spreads_the_rest_evenly():
    ideas = list(range(12))
    keep = {("甲", i) for i in range(8)}
    result = assign_reviewers(ideas, ["甲", "乙", "丙", "丁"], 1, keep=keep)
    assert keep <= result.pairs()
    assert result.loads["甲"] == 8
    assert sorted(result.loads[r] for r in ["乙", "丙", "丁"]) == [1, 1, 2]


def test_same_seed_same_assignment_other_seed_differs():
    ideas, reviewers = list(range(60)), list(range(12))
    first = assign_reviewers(ideas, reviewers, 3, seed=7)
    assert assign_reviewers(ideas, reviewers, 3, seed=7).assignments == first.assignments
    assert any(assign_reviewers(ideas, reviewers, 3, seed=s).assignments != first.assignments for s in (8, 9))


def test_reviewer_idea_graph_is_connected_for_calibration():
    rng = np.random.default_rng(3)
    ideas, reviewers = list(range(300)), list(range(20))
    themes = {i: int(rng.integers(10)) for i in ideas}
    forbidden = {(r, i) for i in ideas for r in reviewers if (r + i) % 7 == 0}
    result = assign_reviewers(ideas, reviewers, 3, forbidden=forbidden, idea_themes=themes)
    assert panels_of(result, ideas, reviewers) == 1 == result.panels
    assert result.strictly_balanced


def test_recusal_replaces_with_the_least_loaded_eligible_reviewer():
    assignments = {1: ("甲", "乙"), 2: ("甲", "丙"), 3: ("乙", "丙"), 4: ("甲", "丁")}
    change = reassign_after_recusal(assignments, 3, "乙", ["甲", "乙", "丙", "丁", "戊"],
                                    forbidden={("戊", 3)})
    # 戊 has no load but is barred; 丁 (load 1) beats 甲 (3) and 丙 (already on idea 3).
    assert change.added_reviewer_id == "丁"
    assert change.assignments[3] == ("丁", "丙")
    assert {i: rs for i, rs in change.assignments.items() if i != 3} == {
        i: rs for i, rs in assignments.items() if i != 3
    }
    assert change.loads == {"甲": 3, "乙": 1, "丙": 2, "丁": 2, "戊": 0}


def test_recusal_prefers_fewer_ideas_of_the_same_theme_at_equal_load():
    assignments = {1: ("甲",), 2: ("乙",), 3: ("丙",)}
    themes = {1: "交通", 2: "教育", 3: "交通"}
    change = reassign_after_recusal(assignments, 3, "丙", ["甲", "乙", "丙"], idea_themes=themes)
    assert change.added_reviewer_id == "乙"


def test_recusal_without_candidates_raises():
    with pytest.raises(AssignmentInfeasible, match="没有可替换"):
        reassign_after_recusal({1: ("甲", "乙")}, 1, "甲", ["甲", "乙"])


def test_recusal_of_a_reviewer_not_on_the_idea_is_an_error():
    with pytest.raises(ValueError, match="并未分配"):
        reassign_after_recusal({1: ("甲",)}, 1, "乙", ["甲", "乙"])
