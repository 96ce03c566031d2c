"""The blend arithmetic of a round with a public vote (voting/ballots/blend.py)."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from voting.ballots.blend import BlendedKeys, blend_round, blended, expert_part, public_parts
from voting.judging.digest import freeze_score_table
from voting.judging.scoring import Review, TieBreakKeys, rank_ideas

VOTES = st.dictionaries(st.integers(1, 60), st.integers(0, 500), min_size=1, max_size=30)
WEIGHT = st.floats(0, 1)


def test_public_part_by_hand():
    # 5 ideas: 9 votes beats all 4 others; the two ideas with 0 share the bottom.
    parts = public_parts({"a": 9, "b": 4, "c": 4, "d": 0, "e": 0})
    assert parts["a"] == 100
    assert parts["b"] == parts["c"] == pytest.approx((2 + 0.5) / 4 * 100)  # 62.5
    assert parts["d"] == parts["e"] == pytest.approx(0.5 / 4 * 100)  # 12.5


def test_public_part_edge_cases():
    assert public_parts({"only": 7}) == {"only": 50}
    assert set(public_parts({1: 3, 2: 3, 3: 3}).values()) == {50}
    assert public_parts({1: 0, 2: 1}) == {1: 0, 2: 100}


def test_expert_part_maps_the_rubric_range_and_clips():
    assert expert_part(1, 1, 10) == 0 and expert_part(10, 1, 10) == 100
    assert expert_part(5.5, 1, 10) == pytest.approx(50)
    # Calibration can land a little outside the possible totals.
    assert expert_part(10.4, 1, 10) == 100 and expert_part(0.2, 1, 10) == 0
    with pytest.raises(ValueError):
        expert_part(5, 10, 10)


def test_blend_by_hand():
    assert blended(80, 40, 0.7) == pytest.approx(68)
    parts = blend_round({"a": 7.3, "b": 5.5}, {"b": 12, "gone": 99}, lowest=1, highest=10, expert_weight=0.7)
    assert parts["a"].votes == 0 and parts["b"].votes == 12
    assert parts["a"].expert_part == pytest.approx(70) and parts["a"].public_part == 0
    assert parts["a"].blended == pytest.approx(49)
    assert parts["b"].blended == pytest.approx(0.7 * 50 + 0.3 * 100)
    with pytest.raises(ValueError):
        blended(50, 50, 1.2)


@given(VOTES)
def test_public_parts_lie_in_0_100_and_average_50(votes):
    parts = public_parts(votes)
    assert all(0 <= p <= 100 for p in parts.values())
    # Mid-ranks are symmetric: the parts always average exactly 50.
    assert sum(parts.values()) / len(parts) == pytest.approx(50)


@given(VOTES, st.data())
def test_more_votes_never_lower_the_public_part(votes, data):
    idea = data.draw(st.sampled_from(sorted(votes)))
    extra = data.draw(st.integers(1, 100))
    before, after = public_parts(votes), public_parts({**votes, idea: votes[idea] + extra})
    assert after[idea] >= before[idea]
    assert all(after[other] <= before[other] for other in votes if other != idea)


@given(st.floats(-5, 15), st.floats(-5, 15), st.floats(0, 100), WEIGHT)
def test_blend_is_bounded_and_monotone(score, other_score, public, weight):
    low, high = sorted((score, other_score))
    assert expert_part(low, 1, 10) <= expert_part(high, 1, 10)
    value = blended(expert_part(score, 1, 10), public, weight)
    assert -1e-9 <= value <= 100 + 1e-9
    assert (blended(expert_part(high, 1, 10), public, weight)
            >= blended(expert_part(low, 1, 10), public, weight) - 1e-9)


def _keys(scores):
    return {i: TieBreakKeys(calibrated=s, median=s, relevance=5, top_marks=0) for i, s in scores.items()}


# Distinct calibrated scores at least 0.01 apart, so the published 4-decimal
# rounding cannot make a tie on one scale that is not a tie on the other.
SCORES = st.lists(st.integers(100, 1000), min_size=2, max_size=25, unique=True).map(
    lambda hundredths: {n: h / 100 for n, h in enumerate(hundredths, start=1)})


@given(SCORES, st.data())
def test_expert_weight_one_keeps_the_expert_order(scores, data):
    votes = {i: data.draw(st.integers(0, 300)) for i in scores}
    parts = blend_round(scores, votes, lowest=1, highest=10, expert_weight=1)
    keys = _keys(scores)
    by_blend = rank_ideas({i: BlendedKeys(parts[i].blended, keys[i]) for i in scores}, 1, seed=5)
    assert by_blend.order == rank_ideas(keys, 1, seed=5).order


@given(SCORES, st.data())
def test_expert_weight_zero_ranks_by_votes(scores, data):
    votes = dict(zip(scores, data.draw(st.lists(st.integers(0, 10**6), min_size=len(scores),
                                                 max_size=len(scores), unique=True))))
    parts = blend_round(scores, votes, lowest=1, highest=10, expert_weight=0)
    ranking = rank_ideas({i: BlendedKeys(parts[i].blended, k) for i, k in _keys(scores).items()}, 1, seed=1)
    assert list(ranking.order) == sorted(scores, key=lambda i: -votes[i])


def test_equal_blends_fall_back_to_the_published_tie_break_keys():
    # Same blend (public part compensates), so the calibrated score decides.
    keys = {1: TieBreakKeys(6.0, 6, 5, 0), 2: TieBreakKeys(5.0, 5, 5, 0)}
    ranking = rank_ideas({1: BlendedKeys(60.0, keys[1]), 2: BlendedKeys(60.0, keys[2])}, 1, seed=3)
    assert ranking.order == (1, 2) and ranking.draws == ()


def test_frozen_table_carries_the_public_figures():
    reviews = [Review(1, 7, {"针对性": 8}), Review(2, 7, {"针对性": 6})]
    public = {1: {"expert_part": 77.7777777, "votes": 12, "public_part": 100.0, "blended": 84.44444},
              2: {"expert_part": 55.5555555, "votes": 3, "public_part": 0.0, "blended": 38.88888}}
    table = freeze_score_table(reviews, {1: 1, 2: 2}, calibrated={1: 8.0, 2: 6.0}, public=public)
    assert ('{"blended":"84.4444","calibrated":"8.0000","expert_part":"77.7778","idea":"1",'
            '"public_part":"100.0000","rank":1,"votes":"12"}\n') in table.text
    one_more_vote = {**public, 2: {**public[2], "votes": 4}}
    assert freeze_score_table(reviews, {1: 1, 2: 2}, calibrated={1: 8.0, 2: 6.0},
                              public=one_more_vote).digest != table.digest
    assert "votes" not in freeze_score_table(reviews, {1: 1, 2: 2}, calibrated={1: 8.0, 2: 6.0}).text
