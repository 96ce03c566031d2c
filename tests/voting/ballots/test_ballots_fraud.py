"""The fraud screen's rules, as pure functions (voting/ballots/fraud.py)."""
from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from voting.ballots.fraud import (
    BURST_MIN_VOTES,
    REGISTRATION_BURST_ACCOUNTS,
    VoteRecord,
    burst_indexes,
    burst_threshold,
    crowded,
    hourly_series,
    is_new_account,
    chains,
    network_of,
    new_single_idea_voters,
    quick_votes,
    rapid_runs,
    registration_bursts,
    timelines,
)

OPENS = datetime(2024, 5, 1, 9, 0)


def record(n, idea=1, user=None, network="10.1.2.0/24", agent="UA", created=OPENS - timedelta(days=30),
           at=OPENS, voided=False):
    return VoteRecord(n, idea, user if user is not None else n, created, at, network, agent, voided)


def test_network_of_an_address():
    assert network_of("10.1.2.3") == "10.1.2.0/24"
    assert network_of("2001:db8:abcd:12::1") == "2001:db8:abcd::/48"
    # An IPv4 client seen through an IPv6 socket is still an IPv4 network.
    assert network_of("::ffff:10.1.2.3") == "10.1.2.0/24"
    assert network_of("") == network_of(None) == network_of("not an address") == ""


def test_burst_rule_by_hand():
    # Quiet idea: the median hour is 0, so the floor of 10 votes decides.
    assert burst_threshold([1, 0, 0, 2, 30, 1]) == BURST_MIN_VOTES
    assert burst_indexes([1, 0, 0, 2, 30, 1]) == [4]
    assert burst_indexes([0, 9, 0]) == []
    # Popular idea: 20 an hour is its normal pace; 5 × 20 = 100 is a burst, 99 is not.
    assert burst_indexes([20] * 10 + [99]) == []
    assert burst_indexes([20] * 10 + [100]) == [10]
    assert burst_indexes([]) == []


@given(st.lists(st.integers(0, 500), max_size=80))
def test_every_flagged_hour_is_far_above_the_median(counts):
    threshold = burst_threshold(counts)
    flagged = burst_indexes(counts)
    assert all(counts[n] >= threshold >= BURST_MIN_VOTES for n in flagged)
    assert all(counts[n] < threshold for n in range(len(counts)) if n not in flagged)


def test_hourly_series_counts_quiet_hours():
    moments = [OPENS + timedelta(minutes=5), OPENS + timedelta(minutes=50),
               OPENS + timedelta(hours=3, minutes=1)]
    series = hourly_series(moments, OPENS, OPENS + timedelta(hours=3, minutes=30))
    assert series == [(OPENS, 2), (OPENS + timedelta(hours=1), 0), (OPENS + timedelta(hours=2), 0),
                      (OPENS + timedelta(hours=3), 1)]


def test_timelines_flag_a_burst_per_idea():
    steady = [record(n, idea=1, at=OPENS + timedelta(hours=n % 6)) for n in range(12)]
    burst = [record(100 + n, idea=2, at=OPENS + timedelta(hours=4, seconds=n)) for n in range(15)]
    lines = timelines(steady + burst, [1, 2, 3], OPENS, OPENS + timedelta(hours=5, minutes=59))
    assert lines[1].bursts == [] and lines[1].median == 2
    assert (lines[2].bursts == [(OPENS + timedelta(hours=4), 15)]
            and lines[2].peak == (OPENS + timedelta(hours=4), 15))
    assert lines[3].bursts == [] and len(lines[3].series) == 6


def test_crowded_networks_and_user_agents():
    five = [record(n, network="10.9.9.0/24", agent=f"UA{n}") for n in range(5)]
    # One account voting twice from a network is one account.
    four = [record(10 + n, user=10 + n % 4, network="10.8.8.0/24", agent="Same UA", idea=n) for n in range(8)]
    unknown = [record(30 + n, network="", agent="") for n in range(6)]
    networks = crowded(five + four + unknown, "network")
    assert [g.key for g in networks] == ["10.9.9.0/24"]
    assert len(networks[0].accounts) == 5 and networks[0].open_votes == 5
    agents = crowded(five + four + unknown, "user_agent")
    assert [g.key for g in agents] == []
    assert [g.key for g in crowded(five + four, "user_agent", min_accounts=4)] == ["Same UA"]


def test_new_accounts_that_voted_for_one_idea_only():
    fresh = OPENS - timedelta(hours=23)
    records = [
        record(1, user=1, idea=7, created=fresh),                                      # new, one idea
        record(2, user=2, idea=7, created=OPENS + timedelta(hours=2), voided=True),  # new, one idea, voided
        record(3, user=3, idea=7, created=OPENS - timedelta(hours=25)),              # old account
        record(4, user=4, idea=7, created=fresh), record(5, user=4, idea=8, created=fresh),  # two ideas
        record(6, user=5, idea=8, created=fresh),
    ]
    groups = new_single_idea_voters(records, OPENS)
    assert sorted(groups) == [7, 8]
    assert groups[7].vote_ids == [1, 2] and groups[7].voided == 1 and groups[7].open_votes == 1
    assert groups[8].vote_ids == [6]
    assert is_new_account(OPENS - timedelta(hours=24), OPENS) and not is_new_account(
        OPENS - timedelta(hours=24, seconds=1), OPENS)


def test_chains_follow_each_other_within_the_gap():
    gap = timedelta(minutes=2)
    moments = [OPENS + timedelta(minutes=m) for m in (0, 2, 4, 7, 8, 30)]
    assert chains(moments, lambda m: m, gap, 1) == [moments[:3], moments[3:5], moments[5:]]
    assert chains(moments, lambda m: m, gap, 3) == [moments[:3]]
    assert chains([], lambda m: m, gap, 1) == []


def test_registration_bursts_group_accounts_made_one_after_another():
    burst = [record(n, user=n, idea=1 + n % 2, network=f"10.{n}.0.0/24", agent=f"UA{n}",
                    created=OPENS + timedelta(seconds=30 * n)) for n in range(REGISTRATION_BURST_ACCOUNTS)]
    # The same accounts' second votes belong to the same burst; a sixth account an hour later does not.
    second = [record(100 + n, user=n, idea=3, created=burst[n].user_created_at) for n in range(2)]
    later = [record(200, user=50, created=OPENS + timedelta(hours=1))]
    few = [record(300 + n, user=60 + n, created=OPENS + timedelta(days=1, seconds=n)) for n in range(4)]
    [group] = registration_bursts(burst + second + later + few)
    assert group.key == "2024-05-01 09:00:00" and group.accounts == set(range(5))
    assert sorted(group.vote_ids) == [0, 1, 2, 3, 4, 100, 101] and group.ideas == {1: 3, 2: 2, 3: 2}


def test_quick_votes_count_every_idea_an_account_voted_for_at_once():
    made = OPENS + timedelta(hours=1)
    records = [record(1, user=1, idea=7, created=made, at=made + timedelta(minutes=1)),
               record(2, user=1, idea=8, created=made, at=made + timedelta(minutes=10)),   # the decoy
               record(3, user=2, idea=7, created=made, at=made + timedelta(minutes=11)),   # took its time
               record(4, user=3, idea=7, at=made)]                                         # an old account
    groups = quick_votes(records)
    assert sorted(groups) == [7, 8] and groups[7].vote_ids == [1] and groups[8].vote_ids == [2]


def test_rapid_runs_of_votes_for_one_idea():
    run = [record(n, idea=4, at=OPENS + timedelta(seconds=20 * n)) for n in range(10)]
    slow = [record(50 + n, idea=5, at=OPENS + timedelta(seconds=31 * n)) for n in range(12)]
    nine = [record(80 + n, idea=6, at=OPENS + timedelta(seconds=n)) for n in range(9)]
    [group] = rapid_runs(run + slow + nine)
    assert group.key == "4@2024-05-01 09:00:00" and group.vote_ids == list(range(10))
