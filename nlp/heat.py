"""热度指数: how hot a topic (a cluster, a theme, a group of duplicates) is.

A topic is a set of member ideas, each with its author, when it came in, its
region and how many people support it (for now the authors of duplicates
merged into it). Four signals, as in the TipDM competition's heat index for
citizen messages, combined into one figure::

    volume  V = P + S / 2                 P distinct proposers, S supporters
    growth  G = 2 ** (r - e)              r share of the members that came in the last
                                          ``window`` (7 days), e the share an even flow
                                          since ``since`` would give: min(1, window / age)
    spread  D = 1 + ln(n_eff) / 2         n_eff = exp(H), H the Shannon entropy of the
                                          members' regions (1 region → 1; 14 equal → 14)
    heat      = 10 · ln(1 + V) · G · D

* Distinct proposers, not ideas: one person posting ten times is one voice.
  A supporter weighs half a proposer: supporting costs less than writing.
* The logarithm keeps a topic of 1 000 voices hotter than one of 100 without
  burying every other topic under it.
* Growth lies between 0.5 (everything old) and 2 (everything new on a campaign
  much older than the window); a topic arriving as fast as ever has G = 1.
* Spread rewards an issue raised all over the province over the same number of
  voices from one city; ideas without a region leave the spread alone.

:func:`heat_index` takes member records; :func:`heat_from_counts` takes the
same figures already aggregated (by SQL, say), so a campaign of 100 000 ideas
never has to load them one by one. Both give the same number.
"""
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

WINDOW = timedelta(days=7)
SUPPORTER_WEIGHT = 0.5


@dataclass(frozen=True)
class Member:
    author_id: int
    created_at: datetime
    region: str | None = None
    supporters: int = 0


@dataclass(frozen=True)
class HeatCounts:
    """The aggregates the index needs. ``regions``: members per known region."""
    size: int
    proposers: int
    supporters: int
    recent: int
    regions: tuple[int, ...] = ()


@dataclass(frozen=True)
class Heat:
    score: float
    size: int
    proposers: int
    supporters: int
    regions: int
    recent: int
    # The factors, kept so a page can say why a topic is hot.
    growth: float
    spread: float

    @property
    def recent_share(self):
        return self.recent / self.size if self.size else 0.0


def expected_share(now, since, window=WINDOW):
    """The share of a topic's ideas an even flow since ``since`` puts in the last ``window``."""
    if since is None or now - since <= window:
        return 1.0
    return window / (now - since)


def spread_factor(region_counts):
    """1 + ln(effective number of regions) / 2, from members per region."""
    counts = [n for n in region_counts if n > 0]
    total = sum(counts)
    if total == 0:
        return 1.0
    entropy = -sum(n / total * math.log(n / total) for n in counts)
    return 1.0 + entropy / 2


def heat_from_counts(counts, expected):
    """The heat of a topic from its aggregates and ``expected`` (:func:`expected_share`)."""
    if counts.size == 0:
        return Heat(0.0, 0, 0, 0, 0, 0, 1.0, 1.0)
    growth = 2.0 ** (min(counts.recent, counts.size) / counts.size - expected)
    spread = spread_factor(counts.regions)
    volume = counts.proposers + SUPPORTER_WEIGHT * counts.supporters
    score = 10.0 * math.log1p(volume) * growth * spread
    return Heat(score=score, size=counts.size, proposers=counts.proposers, supporters=counts.supporters,
                regions=sum(1 for n in counts.regions if n > 0), recent=counts.recent, growth=growth,
                spread=spread)


def heat_index(members: Iterable[Member], now, since=None, window=WINDOW):
    """The heat of the topic whose member ideas are ``members`` at time ``now``.

    ``since`` is when ideas could first come in (the campaign's opening); by
    default the first member's arrival. An idea dated after ``now`` counts as recent.
    """
    members = list(members)
    if not members:
        return heat_from_counts(HeatCounts(0, 0, 0, 0), 1.0)
    regions = Counter(m.region for m in members if m.region)
    counts = HeatCounts(size=len(members), proposers=len({m.author_id for m in members}),
                        supporters=sum(m.supporters for m in members),
                        recent=sum(1 for m in members if m.created_at >= now - window),
                        regions=tuple(regions.values()))
    start = since if since is not None else min(m.created_at for m in members)
    return heat_from_counts(counts, expected_share(now, start, window))
