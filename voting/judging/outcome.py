"""A round's result, computed from its submitted reviews without writing: the
calibrated ranking that closing stores and the provisional view of an open
round. The arithmetic lives in ``voting.judging.scoring``.

A round may carry a public vote. The judging knows only the interface below;
``voting.ballots`` provides it when the app is wired (``app.extensions["public_part"]``),
so the vote, a later stage, sits above the judging and is never imported by it."""
import threading
from abc import ABC, abstractmethod
from bisect import bisect_right
from collections import defaultdict
from dataclasses import asdict, dataclass, replace

import numpy as np
from flask import current_app

from app.extensions import db
from ideas.queries import KeysetPage
from voting.judging import queries
from voting.judging.digest import freeze_score_table
from voting.judging.estimators import (ESTIMATORS, FULL_PANEL_ESTIMATOR, PARTIAL_PANEL_ESTIMATOR,
                                       estimator_for_round)
from voting.judging.guards import VotingError
from voting.judging.models import Round
from voting.judging.scoring import (RELEVANCE_CRITERION, Criterion as RubricCriterion, Review as ScoredReview,
                                    Rubric, calibrate, idea_spreads,
                                    krippendorff_alpha_interval, near_cutoff, rank_ideas, robust_mean,
                                    tie_break_keys)

# The published tie-break, as every page states it: the keys of scoring.TieBreakKeys in
# their order (a test holds the two together), then the draw with the recorded seed.
TIE_BREAK_KEYS = (("calibrated", "校准分"), ("median", "中位数"), ("relevance", RELEVANCE_CRITERION),
                  ("top_marks", "满分项个数"))
TIE_BREAK_DRAW = "以记录的种子抽签"


def tie_break_steps():
    """The tie-break's steps in Chinese, for the templates (the ``tie_break_steps`` global)."""
    return [label for _, label in TIE_BREAK_KEYS] + [TIE_BREAK_DRAW]


# The published rule for the score that ranks a round (校准分), as every page states it:
# which estimator (``voting.judging.estimators.estimator_for_round``) for which kind of
# round, chosen by bench/judging_estimators.py on seeds it then left aside.
SCORING_RULE = (
    (PARTIAL_PANEL_ESTIMATOR, "每条建议只由部分专家评审的轮次（初审、复审）",
     "按“分数 = 专家宽严偏移 + 专家尺度 × 建议质量 + 噪声”拟合，每位专家的偏移、尺度和可靠度都由评分数据估计"
     "（交替最小二乘，留一法，经验贝叶斯），评分与他人不一致的专家权重较小"),
    (FULL_PANEL_ESTIMATOR, "每位专家评审全部建议的轮次（终审）",
     "每位专家给出的名次换算为正态分数后取平均（专家内百分位排名），宽严和尺度不起作用"),
)


def scoring_rule(round_=None):
    """The rule's lines (condition, method) for the templates (the ``scoring_rule`` global);
    with a round, only the line that ranks it."""
    if round_ is None:
        return [(condition, method) for _, condition, method in SCORING_RULE]
    name = estimator_for_round(round_.reviewers_per_idea)
    return [(condition, method) for estimator, condition, method in SCORING_RULE if estimator == name]


# A reviewer pair further apart than this (on the 1–10 weighted total) is flagged.
DISAGREEMENT_STD = 2.0
NEAR_CUT_MARGIN = 0.25
# The same closeness on the 0–100 blend of a round with a public vote.
NEAR_CUT_BLEND_MARGIN = 2.5


class PublicPart(ABC):
    """What a round's public vote adds to judging (the interface; for a round
    without a vote each method answers None). ``voting.ballots.round_part`` implements it."""

    @abstractmethod
    def blend(self, round_, rubric, calibrated, keys, include_voided):
        """None, or (idea id → parts with ``expert_part``, ``votes``, ``public_part``,
        ``blended``; idea id → ranking keys) for a round with a public vote."""

    @abstractmethod
    def pool_change_problem(self, round_):
        """Why the round's pool may no longer change, or None."""

    @abstractmethod
    def update_problem(self, round_):
        """Why the round's edited settings clash with its published vote, or None."""

    @abstractmethod
    def close_problem(self, round_):
        """Why the round may not close yet because of its vote, or None."""

    @abstractmethod
    def version(self, round_):
        """Something that changes whenever the votes that count change (None without a vote)."""


def public_part():
    return current_app.extensions["public_part"]


def rubric_of(round_):
    return Rubric(tuple(RubricCriterion(c.name, c.weight, c.scale_min, c.scale_max) for c in round_.criteria))


@dataclass
class RoundOutcome:
    ranking: object
    alpha: float | None
    components: int
    table: object
    # Idea id → blend parts in a round with a public vote, which then ranks by the blend.
    blend: dict | None = None


@dataclass
class ExpertScores:
    """The reviews' side of a result, computed once however many vote counts it is blended with."""

    rubric: object
    reviews: list
    totals: list
    quality: dict
    """Idea id → the score the published rule gives (校准分)."""
    estimator: str
    components: int
    keys: dict


def _unscored_error(count):
    return VotingError(f"还有 {count} 条建议没有任何已提交的评分，不能截止")


def expert_scores(round_):
    # Counted first, so an open round still being reviewed never reads its 15,000 sheets
    # to learn that; reviews carried over may cover the rest, so then they are read.
    unscored = queries.unscored_count(round_)
    if unscored and not round_.carry_over:
        raise _unscored_error(unscored)
    rubric = rubric_of(round_)
    names = {c.id: c.name for c in round_.criteria}
    reviews = [ScoredReview(r.assignment.idea_id, r.assignment.reviewer_id,
                            {names[s.criterion_id]: s.value for s in r.scores})
               for r in queries.submitted_reviews(round_)]
    if round_.carry_over:
        reviews += _carried_reviews(round_, rubric)
    pool = {e.idea_id for e in round_.entries}
    unscored = pool - {r.idea_id for r in reviews}
    if unscored:
        raise _unscored_error(len(unscored))
    reviews = [r for r in reviews if r.idea_id in pool]
    totals = [(r.reviewer_id, r.idea_id, rubric.total(r.scores)) for r in reviews]
    estimator = estimator_for_round(round_.reviewers_per_idea)
    quality = ESTIMATORS[estimator](totals)
    # The reviewer–idea graph's connected parts, which no estimator can compare.
    components = calibrate(totals).n_components
    keys = tie_break_keys(reviews, rubric, quality, relevance_criterion=_relevance_name(rubric))
    return ExpertScores(rubric, reviews, totals, quality, estimator, components, keys)


def outcome_of(round_, scores, seed=None, include_voided=False):
    """The ranking from ``scores`` (and the round's valid public votes, or all of
    them with ``include_voided``, to show staff what voiding changed)."""
    blended = public_part().blend(round_, scores.rubric, scores.quality, scores.keys, include_voided)
    blend, ranking_keys = blended if blended else (None, scores.keys)
    ranking = rank_ideas(ranking_keys, min(round_.advance_count, len(scores.keys)), seed=seed)
    table = freeze_score_table(scores.reviews, ranking.rank, calibrated=scores.quality,
                               public={i: asdict(p) for i, p in blend.items()} if blend else None)
    return RoundOutcome(ranking, _agreement(scores.totals), scores.components, table, blend)


def compute_outcome(round_, seed=None, include_voided=False):
    """Everything closing stores, computed from the submitted reviews (and the
    valid public votes, if the round has a vote), without writing."""
    scores = expert_scores(round_)
    outcome = outcome_of(round_, scores, seed, include_voided)
    return outcome, scores.totals, scores.quality, scores.keys


def _relevance_name(rubric):
    names = [c.name for c in rubric.criteria]
    return RELEVANCE_CRITERION if RELEVANCE_CRITERION in names else names[0]


def _carried_reviews(round_, rubric):
    previous = queries.previous_round(round_)
    if previous is None:
        return []
    names = {c.id: c.name for c in previous.criteria}
    wanted = {c.name for c in rubric.criteria}
    carried = []
    for r in queries.submitted_reviews(previous):
        scores = {names[s.criterion_id]: s.value for s in r.scores}
        if set(scores) == wanted:
            # Offset the reviewer id so a carried review never collides with this round's.
            carried.append(ScoredReview(r.assignment.idea_id,
                                        f"{previous.position}:{r.assignment.reviewer_id}", scores))
    return carried


def _agreement(totals):
    reviewers = sorted({str(r) for r, _, _ in totals})
    ideas = sorted({i for _, i, _ in totals})
    if len(reviewers) < 2:
        return None
    row = {r: n for n, r in enumerate(reviewers)}
    column = {i: n for n, i in enumerate(ideas)}
    matrix = np.full((len(reviewers), len(ideas)), np.nan)
    for reviewer, idea, total in totals:
        matrix[row[str(reviewer)], column[idea]] = total
    try:
        alpha = krippendorff_alpha_interval(matrix)
    except ValueError:
        return None
    return None if np.isnan(alpha) else alpha


@dataclass
class Provisional:
    """Where a round stands while it is open: nothing is stored. ``rows``: plain
    dicts by rank, each with its ``idea_id``."""

    rows: list
    unscored: int
    alpha: float | None


@dataclass
class ProvisionalPage:
    """One page of the provisional ranking; ``total``: rows in the whole ranking."""

    rows: KeysetPage
    total: int
    unscored: int
    alpha: float | None


# Results kept per process (provisional ranking, diagnostics), this many at the most.
PROVISIONAL_CACHE_SIZE = 64


def provisional_results(round_, stamp=None, stale_ok=False):
    """Ranks and flags from the reviews submitted so far, so staff can add
    reviews to disputed ideas and ideas near the cut before closing."""
    return cached(round_, "provisional", _provisional, stamp, stale_ok)


def provisional_page(round_, after, per_page, stamp=None):
    """The rows of ``provisional_results`` ranked after ``after``, ``per_page`` of
    them, each with its idea's number and title: read for the page's ideas only.
    A page view never waits for a recalculation it can do without (see ``cached``)."""
    provisional = provisional_results(round_, stamp, stale_ok=True)
    start = bisect_right(provisional.rows, after, key=lambda row: row["rank"]) if after else 0
    page = KeysetPage.of(provisional.rows[start:start + per_page + 1], per_page, after,
                         key=lambda row: row["rank"])
    ideas = queries.idea_labels(row["idea_id"] for row in page.items)
    page = replace(page, items=[{**row, "idea": ideas[row["idea_id"]]} for row in page.items])
    return ProvisionalPage(page, len(provisional.rows), provisional.unscored, provisional.alpha)


def version(round_):
    """The round's version stamp (see ``cached``): read once, it can serve several look-ups."""
    return queries.pool_version(round_), queries.review_version(round_), public_part().version(round_)


def cached(round_, name, compute, stamp=None, stale_ok=False):
    """``compute(round_)``, kept per process until the round's version stamp
    changes: its pool, a review submitted or edited, an assignment dropped, a vote
    cast, withdrawn, voided or restored. Estimating is the heavy part (about 11 s
    for 5,000 ideas), so a page view alone never recalculates. (Settings that also
    shape the result cannot change while the round is open.) The result must not
    hold ORM objects, which belong to one request's session. ``stamp``:
    ``version(round_)`` when the caller read it just now (its sums cost tens of
    milliseconds at 15,000 sheets).

    With ``stale_ok`` (a page to look at, not a decision to take) and an earlier
    result kept, that result is returned at once and a thread of this process
    computes the new one (``PROVISIONAL_IN_BACKGROUND``; ``refreshing`` tells)."""
    cache = _cache()
    stamp = stamp or version(round_)
    key = (round_.id, name)
    kept = cache.get(key)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    if kept is not None and stale_ok and current_app.config["PROVISIONAL_IN_BACKGROUND"]:
        _refresh_in_background(current_app._get_current_object(), round_.id, name, compute)
        return kept[1]
    kept = (stamp, compute(round_))
    cache.put(key, kept)
    return kept[1]


def refreshing(round_):
    """Whether a result of the round shown now is being recalculated."""
    return any(key[0] == round_.id for key in _cache().running)


def wait_for_refreshes():
    """Until the recalculations under way are done (for the command line and tests)."""
    for thread in list(_cache().running.values()):
        thread.join()


def _cache():
    return current_app.extensions.setdefault("provisional_results", _ProvisionalCache())


def _refresh_in_background(app, round_id, name, compute):
    cache, key = _cache(), (round_id, name)

    def run():
        with app.app_context():
            try:
                round_ = db.session.get(Round, round_id)
                # The stamp before the reviews are read: a review arriving meanwhile makes it stale again.
                stamp = version(round_)
                cache.put(key, (stamp, compute(round_)))
            except Exception:  # the page keeps showing the earlier result; the next view tries again
                app.logger.exception("评审轮次 %s 的暂定结果未能在后台重算", round_id)
            finally:
                db.session.remove()
                cache.finish(key)

    thread = threading.Thread(target=run, daemon=True, name=f"provisional-{round_id}-{name}")
    if cache.start(key, thread):
        thread.start()


class _ProvisionalCache:
    """(round id, name) → (stamp, result), the oldest dropped first; a lock because
    the web server's threads share it."""

    def __init__(self):
        self._kept = {}
        self._lock = threading.Lock()
        self.running = {}
        """(round id, name) → the thread recalculating it: one at a time per key."""

    def start(self, key, thread):
        with self._lock:
            if key in self.running:
                return False
            self.running[key] = thread
            return True

    def finish(self, key):
        with self._lock:
            self.running.pop(key, None)

    def get(self, key):
        with self._lock:
            return self._kept.get(key)

    def put(self, key, kept):
        with self._lock:
            self._kept.pop(key, None)
            while len(self._kept) >= PROVISIONAL_CACHE_SIZE:
                self._kept.pop(next(iter(self._kept)))
            self._kept[key] = kept


def _provisional(round_):
    """Rows without the round's ORM objects, which belong to one request's session."""
    try:
        outcome, totals, calibrated, keys = compute_outcome(round_, seed=0)
    except VotingError:
        return Provisional([], queries.unscored_count(round_), None)
    rows = [{key: value for key, value in row.items() if key not in ("entry", "idea")}
            | {"idea_id": row["idea"].id}
            for row in result_rows(round_, outcome, totals, calibrated, keys)]
    return Provisional(sorted(rows, key=lambda row: row["rank"]), 0, outcome.alpha)


def result_rows(round_, outcome, totals, calibrated, keys):
    by_idea = defaultdict(list)
    for _, idea_id, total in totals:
        by_idea[idea_id].append(total)
    spreads = idea_spreads(by_idea, max_std=DISAGREEMENT_STD)
    if outcome.blend:
        near = near_cutoff({i: p.blended for i, p in outcome.blend.items()}, outcome.ranking.n_advance,
                           NEAR_CUT_BLEND_MARGIN)
    else:
        near = near_cutoff(calibrated, outcome.ranking.n_advance, NEAR_CUT_MARGIN)
    tied = set(outcome.ranking.cut_line_tie.ideas) if outcome.ranking.cut_line_tie else set()
    advancing = set(outcome.ranking.advancing)
    rows = []
    for entry in round_.entries:
        scores = by_idea[entry.idea_id]
        rows.append({
            "entry": entry, "idea": entry.idea,
            "review_count": len(scores),
            "raw_mean": sum(scores) / len(scores),
            "robust_mean": robust_mean(scores),
            "median": keys[entry.idea_id].median,
            "calibrated": calibrated[entry.idea_id],
            "spread": spreads[entry.idea_id].std,
            "rank": outcome.ranking.rank[entry.idea_id],
            "advanced": entry.idea_id in advancing,
            "flag_disagreement": spreads[entry.idea_id].high_disagreement,
            "flag_near_cut": entry.idea_id in near,
            "in_cut_tie": entry.idea_id in tied,
        })
        if outcome.blend:
            parts = outcome.blend[entry.idea_id]
            rows[-1].update(expert_part=parts.expert_part, public_votes=parts.votes,
                            public_part=parts.public_part, blended=parts.blended)
    return rows
