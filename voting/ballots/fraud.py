"""Signs of organised voting, as pure functions the fraud screen shows to staff.

Nothing here decides anything: staff look at the flags and void votes
themselves, with a reason. The rules are published so they can be argued with:

- burst: an hour in which an idea got at least max(BURST_MIN_VOTES,
  BURST_FACTOR × its median hourly votes), the median taken over every hour
  of the vote so far, quiet hours included;
- crowded network or user agent: CROWDED_MIN_ACCOUNTS or more accounts voted
  from one /24 (IPv4) or /48 (IPv6) network, or with one browser identification;
- new single-idea account: created after the vote opened or within
  NEW_ACCOUNT_LEAD before it, and voted for exactly one idea of the round;
- registration burst: REGISTRATION_BURST_ACCOUNTS or more voters whose
  accounts were created one after another, each within REGISTRATION_GAP of the
  previous (scripted sign-ups), whatever networks and browsers they used;
- quick vote: a vote cast within QUICK_VOTE_WITHIN of its account's creation,
  per idea (a decoy vote for another idea does not hide it);
- rapid run: RAPID_MIN_VOTES or more votes for one idea, each within RAPID_GAP
  of the previous.
"""
from __future__ import annotations

import ipaddress
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

BURST_MIN_VOTES = 10
BURST_FACTOR = 5
CROWDED_MIN_ACCOUNTS = 5
NEW_ACCOUNT_LEAD = timedelta(hours=24)
REGISTRATION_GAP = timedelta(minutes=2)
REGISTRATION_BURST_ACCOUNTS = 5
QUICK_VOTE_WITHIN = timedelta(minutes=10)
RAPID_GAP = timedelta(seconds=30)
RAPID_MIN_VOTES = 10


def network_of(address: str | None) -> str:
    """The /24 (IPv4) or /48 (IPv6) network of an address; "" when there is none."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


@dataclass(frozen=True)
class VoteRecord:
    """One active vote as the screen sees it."""

    id: int
    idea_id: int
    user_id: int
    user_created_at: datetime
    cast_at: datetime
    network: str
    user_agent: str
    voided: bool


def hour_of(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def hourly_series(moments: Iterable[datetime], start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """Votes per clock hour from the hour of ``start`` to the hour of ``end``,
    quiet hours included (and any hour outside that span that has votes)."""
    counts = Counter(hour_of(m) for m in moments)
    hours = set(counts)
    hour = hour_of(start)
    # Ends: hour grows by one hour a turn towards a fixed end (span ÷ 1 h turns).
    while hour <= end:
        hours.add(hour)
        hour += timedelta(hours=1)
    return [(h, counts.get(h, 0)) for h in sorted(hours)]


def burst_threshold(counts: Sequence[int], *, min_votes: int = BURST_MIN_VOTES,
                    factor: float = BURST_FACTOR) -> float:
    median = statistics.median(counts) if counts else 0
    return max(min_votes, factor * median)


def burst_indexes(counts: Sequence[int], *, min_votes: int = BURST_MIN_VOTES,
                  factor: float = BURST_FACTOR) -> list[int]:
    """Positions of the hours at or above the burst threshold."""
    threshold = burst_threshold(counts, min_votes=min_votes, factor=factor)
    return [n for n, count in enumerate(counts) if count >= threshold]


@dataclass
class IdeaTimeline:
    idea_id: int
    series: list[tuple[datetime, int]]
    median: float
    threshold: float
    bursts: list[tuple[datetime, int]]

    @property
    def peak(self):
        return max(self.series, key=lambda item: item[1]) if self.series else None


def timelines(records: Iterable[VoteRecord], idea_ids: Iterable[int], start: datetime,
              end: datetime) -> dict[int, IdeaTimeline]:
    moments = defaultdict(list)
    for record in records:
        moments[record.idea_id].append(record.cast_at)
    result = {}
    for idea_id in idea_ids:
        series = hourly_series(moments[idea_id], start, end)
        counts = [count for _, count in series]
        result[idea_id] = IdeaTimeline(
            idea_id, series, statistics.median(counts) if counts else 0, burst_threshold(counts),
            [series[n] for n in burst_indexes(counts)])
    return result


@dataclass
class VoteGroup:
    """Votes sharing a network, a user agent or (new accounts) an idea."""

    key: object
    vote_ids: list[int] = field(default_factory=list)
    accounts: set[int] = field(default_factory=set)
    voided: int = 0
    ideas: Counter = field(default_factory=Counter)

    def add(self, record: VoteRecord):
        self.vote_ids.append(record.id)
        self.accounts.add(record.user_id)
        self.voided += record.voided
        self.ideas[record.idea_id] += 1

    @property
    def open_votes(self):
        """Votes of the group not yet voided."""
        return len(self.vote_ids) - self.voided


def crowded(records: Iterable[VoteRecord], attribute: str, *,
            min_accounts: int = CROWDED_MIN_ACCOUNTS) -> list[VoteGroup]:
    """Networks (attribute "network") or user agents ("user_agent") from which
    at least ``min_accounts`` accounts voted, most accounts first."""
    groups: dict[str, VoteGroup] = {}
    for record in records:
        value = getattr(record, attribute)
        if value:
            groups.setdefault(value, VoteGroup(value)).add(record)
    found = [g for g in groups.values() if len(g.accounts) >= min_accounts]
    return sorted(found, key=lambda g: (-len(g.accounts), -len(g.vote_ids), str(g.key)))


def is_new_account(created_at: datetime, vote_opens_at: datetime, lead: timedelta = NEW_ACCOUNT_LEAD) -> bool:
    return created_at >= vote_opens_at - lead


def new_single_idea_voters(records: Iterable[VoteRecord], vote_opens_at: datetime, *,
                           lead: timedelta = NEW_ACCOUNT_LEAD) -> dict[int, VoteGroup]:
    """Per idea, the votes of new accounts that voted for that idea only."""
    by_user = defaultdict(list)
    for record in records:
        by_user[record.user_id].append(record)
    groups: dict[int, VoteGroup] = {}
    for votes in by_user.values():
        if (len({v.idea_id for v in votes}) == 1
                and is_new_account(votes[0].user_created_at, vote_opens_at, lead)):
            for vote in votes:
                groups.setdefault(vote.idea_id, VoteGroup(vote.idea_id)).add(vote)
    return groups


def moment_key(moment: datetime) -> str:
    """A group's name on the screen and in the void form: its first moment, to the second."""
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def chains(items, moment, gap: timedelta, min_size: int) -> list[list]:
    """Runs of ``items`` in time order in which each follows the previous within
    ``gap``; only runs of at least ``min_size``."""
    runs: list[list] = []
    for item in sorted(items, key=moment):
        if runs and moment(item) - moment(runs[-1][-1]) <= gap:
            runs[-1].append(item)
        else:
            runs.append([item])
    return [run for run in runs if len(run) >= min_size]


def registration_bursts(records: Iterable[VoteRecord], *, gap: timedelta = REGISTRATION_GAP,
                        min_accounts: int = REGISTRATION_BURST_ACCOUNTS) -> list[VoteGroup]:
    """The votes of accounts created in a burst, one group per burst, keyed by
    its first creation time; most accounts first."""
    by_user = defaultdict(list)
    for record in records:
        by_user[record.user_id].append(record)
    groups = []
    for run in chains(by_user.values(), lambda votes: votes[0].user_created_at, gap, min_accounts):
        group = VoteGroup(moment_key(run[0][0].user_created_at))
        for votes in run:
            for vote in votes:
                group.add(vote)
        groups.append(group)
    return sorted(groups, key=lambda g: (-len(g.accounts), g.key))


def quick_votes(records: Iterable[VoteRecord], *,
                within: timedelta = QUICK_VOTE_WITHIN) -> dict[int, VoteGroup]:
    """Per idea, the votes cast within ``within`` of their account's creation."""
    groups: dict[int, VoteGroup] = {}
    for record in records:
        if record.cast_at - record.user_created_at <= within:
            groups.setdefault(record.idea_id, VoteGroup(record.idea_id)).add(record)
    return groups


def rapid_runs(records: Iterable[VoteRecord], *, gap: timedelta = RAPID_GAP,
               min_votes: int = RAPID_MIN_VOTES) -> list[VoteGroup]:
    """Runs of votes for one idea in quick succession, keyed "idea id@first vote"; longest first."""
    by_idea = defaultdict(list)
    for record in records:
        by_idea[record.idea_id].append(record)
    groups = []
    for idea_id, votes in by_idea.items():
        for run in chains(votes, lambda vote: vote.cast_at, gap, min_votes):
            group = VoteGroup(f"{idea_id}@{moment_key(run[0].cast_at)}")
            for vote in run:
                group.add(vote)
            groups.append(group)
    return sorted(groups, key=lambda g: (-len(g.vote_ids), g.key))
