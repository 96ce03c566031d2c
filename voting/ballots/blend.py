"""The published blend of expert scores and the public vote: pure arithmetic, no Flask.

For every idea in a round's pool, with w the expert share:

  expert_part = (calibrated − lowest possible total) / (highest − lowest) × 100, clipped to 0–100
  public_part = (other ideas with fewer valid votes + ½ · other ideas with as many) / (ideas − 1) × 100
                (the mid-rank percentile; one idea alone, or all equal, gives 50)
  blended     = w · expert_part + (1 − w) · public_part

The public part depends only on the order of the vote counts, so a flood of
votes for one idea lifts it at most to 100, never beyond what the expert
share allows.
"""
from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

from scipy.stats import rankdata


@dataclass(frozen=True)
class BlendParts:
    expert_part: float
    votes: int
    public_part: float
    blended: float


def expert_part(score: float, lowest: float, highest: float) -> float:
    """The calibrated score placed linearly on 0–100 over the rubric's possible totals."""
    if not highest > lowest:
        raise ValueError("评分细则的最高总分必须大于最低总分")
    return min(100.0, max(0.0, (score - lowest) / (highest - lowest) * 100))


def public_parts(votes: Mapping[Hashable, int]) -> dict[Hashable, float]:
    """Mid-rank percentile of each idea's vote count among all the ideas given."""
    ideas = list(votes)
    if len(ideas) == 1:
        return {ideas[0]: 50.0}
    # The average rank of a value counts the ideas below it plus half the ties
    # including itself, 1-based: rank − 1 is "fewer + half the other ties".
    ranks = rankdata([votes[i] for i in ideas], method="average")
    return {idea: float((rank - 1) / (len(ideas) - 1) * 100) for idea, rank in zip(ideas, ranks)}


def blended(expert: float, public: float, expert_weight: float) -> float:
    if not 0 <= expert_weight <= 1:
        raise ValueError("专家权重须在 0–1 之间")
    return expert_weight * expert + (1 - expert_weight) * public


def blend_round(
    calibrated: Mapping[Hashable, float],
    votes: Mapping[Hashable, int],
    *,
    lowest: float,
    highest: float,
    expert_weight: float,
) -> dict[Hashable, BlendParts]:
    """Both parts and the blend for every idea of ``calibrated`` (the pool);
    an idea missing from ``votes`` has none, votes for ideas outside the pool are ignored."""
    counts = {idea: int(votes.get(idea, 0)) for idea in calibrated}
    publics = public_parts(counts) if counts else {}
    parts = {}
    for idea, score in calibrated.items():
        expert = expert_part(score, lowest, highest)
        parts[idea] = BlendParts(expert, counts[idea], publics[idea],
                                 blended(expert, publics[idea], expert_weight))
    return parts


@dataclass(frozen=True)
class BlendedKeys:
    """Ranking keys of a round with a public vote: the blend first, then the
    round's published tie-break keys (anything with ``rounded``)."""

    blended: float
    tie_break: object

    def rounded(self, decimals: int) -> tuple:
        return (round(self.blended, decimals), *self.tie_break.rounded(decimals))

