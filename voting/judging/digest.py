"""Frozen score tables: the canonical text a closed round publishes, and its SHA-256.

Ids are compared as given when rows are ordered, so one round must use ids of one type.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from voting.judging.scoring import DEFAULT_KEY_DECIMALS, Review

@dataclass(frozen=True)
class FrozenTable:
    text: str
    digest: str


def freeze_score_table(
    reviews: Iterable[Review],
    ranks: Mapping[Hashable, int],
    *,
    calibrated: Mapping[Hashable, float] | None = None,
    public: Mapping[Hashable, Mapping[str, float | int]] | None = None,
    score_decimals: int = 2,
    calibrated_decimals: int = DEFAULT_KEY_DECIMALS,
) -> FrozenTable:
    """The canonical published table of a round and its SHA-256 digest.

    One JSON object per line, UTF-8, each line ending in "\\n", written with
    sorted keys, no spaces and non-ASCII characters as themselves; ids as
    strings, numbers as strings with fixed decimals:
      {"criterion":"针对性","idea":"12","reviewer":"7","score":"8.00"}  one per
          score, all of them sorted by code point;
      {"calibrated":"71.2345","idea":"12","rank":1}  one per idea, by rank
          ("calibrated" present only when given).
    With a public vote, ``public`` adds the idea's figures to its rank line,
    floats with the calibrated decimals and counts as integers in strings:
      {"blended":"63.1250","calibrated":"7.1000","expert_part":"67.7778",
       "idea":"12","public_part":"54.5455","rank":1,"votes":"37"}
    The digest is the lowercase hex SHA-256 of the whole text.
    """
    score_lines = sorted(
        _canonical_line({
            "criterion": criterion, "idea": str(review.idea_id),
            "reviewer": str(review.reviewer_id), "score": _fixed(score, score_decimals),
        })
        for review in reviews
        for criterion, score in review.scores.items()
    )
    if len(set(score_lines)) != len(score_lines):
        raise ValueError("评分表中有重复的行")
    rank_lines = []
    for idea, rank in sorted(ranks.items(), key=lambda item: (item[1], str(item[0]))):
        row = {"idea": str(idea), "rank": int(rank)}
        if calibrated is not None:
            row["calibrated"] = _fixed(calibrated[idea], calibrated_decimals)
        for name, value in (public[idea].items() if public is not None else ()):
            row[name] = str(value) if isinstance(value, int) else _fixed(value, calibrated_decimals)
        rank_lines.append(_canonical_line(row))
    text = "".join(line + "\n" for line in score_lines + rank_lines)
    return FrozenTable(text, table_digest(text))


def table_digest(table_text: str) -> str:
    return hashlib.sha256(table_text.encode("utf-8")).hexdigest()


def verify_digest(table_text: str, digest: str) -> bool:
    """True only if the published text is byte for byte the table that was frozen."""
    return hmac.compare_digest(table_digest(table_text), digest.strip().lower())


def _canonical_line(row: dict) -> str:
    return json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _fixed(value: float, decimals: int) -> str:
    if not math.isfinite(value):
        raise ValueError("分数必须是有限数值")
    text = f"{value:.{decimals}f}"
    # "-0.00" and "0.00" are the same score and must hash the same.
    return text[1:] if text.startswith("-") and float(text) == 0 else text
