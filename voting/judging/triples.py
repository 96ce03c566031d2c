"""One round's reviews as arrays: the shared input of every estimator."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import numpy as np

Triple = tuple[Hashable, Hashable, float]
"""(reviewer id, idea id, rubric total)."""


@dataclass(frozen=True)
class Design:
    """Reviews in input order: reviewer and idea as indices into `reviewers` and `ideas`, totals in `y`."""

    reviewers: list[Hashable]
    ideas: list[Hashable]
    r: np.ndarray
    i: np.ndarray
    y: np.ndarray

    @classmethod
    def of(cls, observations: Iterable[Triple]) -> Design:
        triples = list(observations)
        if not triples:
            raise ValueError("没有评分数据")
        reviewers = list(dict.fromkeys(r for r, _, _ in triples))
        ideas = list(dict.fromkeys(i for _, i, _ in triples))
        reviewer_of = {r: n for n, r in enumerate(reviewers)}
        idea_of = {i: n for n, i in enumerate(ideas)}
        r = np.array([reviewer_of[t[0]] for t in triples])
        i = np.array([idea_of[t[1]] for t in triples])
        y = np.array([t[2] for t in triples], dtype=float)
        if not np.isfinite(y).all():
            raise ValueError("评分包含无效数值")
        if len(set(zip(r.tolist(), i.tolist()))) != len(triples):
            raise ValueError("同一评审专家对同一建议有重复评分")
        return cls(reviewers, ideas, r, i, y)

    @property
    def n_reviewers(self) -> int:
        return len(self.reviewers)

    @property
    def n_ideas(self) -> int:
        return len(self.ideas)

    def per_reviewer(self, values: np.ndarray) -> np.ndarray:
        return np.bincount(self.r, weights=values, minlength=self.n_reviewers)

    def per_idea(self, values: np.ndarray) -> np.ndarray:
        return np.bincount(self.i, weights=values, minlength=self.n_ideas)

    def by_idea(self, values: np.ndarray) -> dict[Hashable, float]:
        return {idea: float(v) for idea, v in zip(self.ideas, values)}


