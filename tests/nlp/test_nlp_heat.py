"""The heat index: each signal moves it the way the formula says, whatever the topic."""
import math
from dataclasses import replace
from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from nlp.heat import WINDOW, HeatCounts, Member, expected_share, heat_from_counts, heat_index

NOW = datetime(2026, 6, 30, 12, 0)
OPENED = NOW - timedelta(days=30)
CITIES = ("长沙市", "株洲市", "湘潭市", "衡阳市", "岳阳市", None)

members = st.lists(st.builds(
    Member, author_id=st.integers(1, 40),
    created_at=st.integers(0, 30 * 24).map(lambda hours: OPENED + timedelta(hours=hours)),
    region=st.sampled_from(CITIES), supporters=st.integers(0, 5)), min_size=1, max_size=30)


def heat(topic):
    return heat_index(topic, NOW, since=OPENED).score


def test_the_formula_on_a_worked_example():
    # Three people from two cities, one idea in the last week, four supporters.
    topic = [Member(1, NOW - timedelta(days=20), "长沙市", 3),
             Member(2, NOW - timedelta(days=10), "长沙市", 1),
             Member(3, NOW - timedelta(days=2), "株洲市")]
    found = heat_index(topic, NOW, since=OPENED)
    growth = 2 ** (1 / 3 - 7 / 30)
    spread = 1 + -(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3)) / 2
    assert math.isclose(found.score, 10 * math.log1p(3 + 4 / 2) * growth * spread)
    assert (found.size, found.proposers, found.supporters, found.regions, found.recent) == (3, 3, 4, 2, 1)


@given(members)
def test_more_proposers_make_a_topic_hotter(topic):
    # The same ideas again from new people: the same timing and spread, more voices.
    others = [replace(m, author_id=m.author_id + 1000) for m in topic]
    assert heat(topic + others) > heat(topic)


@given(members)
def test_one_person_posting_again_is_no_new_voice(topic):
    again = [replace(m, supporters=0) for m in topic]
    assert (heat_index(topic + again, NOW, since=OPENED).proposers
            == heat_index(topic, NOW, since=OPENED).proposers)


@given(members, st.integers(1, 10))
def test_supporters_make_a_topic_hotter(topic, extra):
    assert heat([replace(topic[0], supporters=topic[0].supporters + extra), *topic[1:]]) > heat(topic)


@given(members)
def test_a_rising_topic_is_hotter(topic):
    old = [m for m in topic if m.created_at < NOW - WINDOW]
    if not old:
        return
    moved = [replace(m, created_at=NOW - timedelta(days=1)) if m is old[0] else m for m in topic]
    assert heat(moved) > heat(topic)


@given(members)
def test_spread_over_more_regions_is_hotter(topic):
    regions = [m.region for m in topic if m.region]
    shared = [m for m in topic if m.region and regions.count(m.region) >= 2]
    if not shared:
        return
    # One idea of a region with several moves to a region no other idea is from.
    spread = [replace(m, region="怀化市") if m is shared[0] else m for m in topic]
    assert heat(spread) > heat(topic)


def test_growth_stays_between_a_half_and_two():
    fresh = [Member(n, NOW - timedelta(hours=n), "长沙市") for n in range(5)]
    stale = [Member(n, OPENED + timedelta(hours=n), "长沙市") for n in range(5)]
    assert 1.5 < heat_index(fresh, NOW, since=OPENED - timedelta(days=300)).growth <= 2
    assert 0.5 <= heat_index(stale, NOW, since=OPENED).growth < 1
    # A campaign younger than the window: every topic is as new as any other.
    assert heat_index(fresh, NOW, since=NOW - timedelta(days=3)).growth == 1


def test_regions_unknown_and_empty_topics():
    assert heat_index([], NOW).score == 0
    unknown = heat_index([Member(1, NOW, None), Member(2, NOW, None)], NOW, since=OPENED)
    assert unknown.spread == 1.0 and unknown.regions == 0 and unknown.score > 0


@given(members)
def test_counts_and_records_give_the_same_heat(topic):
    regions = {}
    for m in topic:
        if m.region:
            regions[m.region] = regions.get(m.region, 0) + 1
    counts = HeatCounts(size=len(topic), proposers=len({m.author_id for m in topic}),
                        supporters=sum(m.supporters for m in topic),
                        recent=sum(m.created_at >= NOW - WINDOW for m in topic),
                        regions=tuple(regions.values()))
    assert heat_from_counts(counts, expected_share(NOW, OPENED)) == heat_index(topic, NOW, since=OPENED)
