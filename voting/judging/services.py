"""State changes of judging rounds. Functions flush; the view or command commits once.

The arithmetic (assignment, calibration, agreement, ranking, digests) lives in
``voting.judging.assignment`` and ``voting.judging.scoring``; this module feeds them from the
database and writes their results back."""
from collections import defaultdict
from dataclasses import asdict, dataclass

import numpy as np
from sqlalchemy import delete, select

from app.audit.services import log_action
from app.errors import Refused
from app.locks import lock_row
from app.extensions import db
from app.timeutil import now
from ideas import services as idea_services
from ideas.models import Idea, IdeaStatus
from voting.judging import queries
from voting.judging.assignment import AssignmentInfeasible, assign_reviewers, reassign_after_recusal
from voting.ballots import queries as ballot_queries
from voting.ballots.blend import BlendedKeys, blend_round, public_parts
from voting.ballots.services import vote_window_problem
from voting.judging.models import (Assignment, Conflict, Criterion, Review, ReviewScore, Round, RoundEntry, RoundPool,
                           RoundState)
from voting.judging.scoring import (RELEVANCE_CRITERION, Criterion as RubricCriterion, Review as ScoredReview, Rubric,
                            calibrate, freeze_score_table, idea_spreads, krippendorff_alpha_interval,
                            near_cutoff, rank_ideas, robust_mean, tie_break_keys)

DEFAULT_ROUNDS = (
    ("初审", RoundPool.accepted, 100, 3, True),
    ("复审", RoundPool.previous, 30, 5, True),
    ("终审", RoundPool.previous, 10, None, True),
)
# The notice asks for proposals that attack a named bottleneck: 针对性 first.
DEFAULT_RUBRIC = (
    (RELEVANCE_CRITERION, "是否针对通知列出的瓶颈制约，问题抓得准不准", 0.30),
    ("创新性", "是否突破惯性思维，有新思路、新办法", 0.25),
    ("可行性", "措施是否具体、可操作，责任主体和路径是否清楚", 0.25),
    ("预期效益", "实施后对高质量发展的效果和受益面", 0.20),
)
# A reviewer pair further apart than this (on the 1–10 weighted total) is flagged.
DISAGREEMENT_STD = 2.0
NEAR_CUT_MARGIN = 0.25
# The same closeness on the 0–100 blend of a round with a public vote.
NEAR_CUT_BLEND_MARGIN = 2.5


class VotingError(Refused):
    """A judging action refused, with a message for the user."""


def _require(round_, *states):
    if round_.state not in states:
        raise VotingError(f"“{round_.name}”当前为{round_.state.label}，不能进行这个操作")


def _lock(round_):
    """Serialise score saving against closing: both take the round's row lock
    and re-read its state under it."""
    lock_row(Round, round_.id)
    db.session.refresh(round_)


def _move(round_, state):
    if not round_.state.can_become(state):
        raise VotingError(f"“{round_.name}”不能从{round_.state.label}变为{state.label}")
    round_.state = state


# --- Rounds and rubric -------------------------------------------------------------------

def create_default_rounds(campaign, actor):
    if queries.rounds_of(campaign):
        raise VotingError("本次活动已经设置了评审轮次")
    rounds = []
    for position, (name, pool, advance, k, avoid_region) in enumerate(DEFAULT_ROUNDS, start=1):
        round_ = Round(campaign=campaign, position=position, name=name, pool=pool, advance_count=advance,
                       reviewers_per_idea=k, avoid_same_region=avoid_region)
        for order, (criterion, description, weight) in enumerate(DEFAULT_RUBRIC):
            round_.criteria.append(Criterion(name=criterion, description=description, weight=weight,
                                             scale_min=1, scale_max=10, position=order))
        db.session.add(round_)
        rounds.append(round_)
    db.session.flush()
    log_action(actor, "round.create_defaults", campaign, rounds=[r.name for r in rounds])
    return rounds


def update_round(round_, actor, **fields):
    _require(round_, RoundState.draft)
    for name, value in fields.items():
        setattr(round_, name, value)
    if round_.blend_published_at is not None:
        problem = vote_window_problem(round_, round_.vote_opens_at, round_.vote_closes_at)
        if problem:
            raise VotingError(f"公众投票时间已公布：{problem[1]}")
    db.session.flush()
    log_action(actor, "round.update", round_, **{k: str(v) for k, v in fields.items()})


def save_criterion(round_, actor, name, description, weight, scale_min, scale_max, criterion=None):
    _require(round_, RoundState.draft)
    if criterion is None:
        criterion = Criterion(round=round_, position=len(round_.criteria))
        db.session.add(criterion)
    criterion.name, criterion.description, criterion.weight = name, description, weight
    criterion.scale_min, criterion.scale_max = scale_min, scale_max
    db.session.flush()
    log_action(actor, "round.criterion", round_, name=name, weight=weight,
               scale=f"{scale_min}-{scale_max}")
    return criterion


def delete_criterion(criterion, actor):
    round_ = criterion.round
    _require(round_, RoundState.draft)
    if len(round_.criteria) == 1:
        raise VotingError("评分细则至少需要一个评分项")
    round_.criteria.remove(criterion)
    db.session.flush()
    log_action(actor, "round.criterion_delete", round_, name=criterion.name)


def rubric_of(round_):
    return Rubric(tuple(RubricCriterion(c.name, c.weight, c.scale_min, c.scale_max) for c in round_.criteria))


# --- Pool and assignment ----------------------------------------------------------------

def forbidden_pairs(round_, ideas, reviewers):
    """(reviewer id, idea id) pairs a reviewer must not judge: own or co-proposed
    idea, an author from the same work unit, the same region when the round
    says so, or a declared conflict."""
    declared = queries.declared_conflicts()
    pairs = set()
    for idea in ideas:
        people = {idea.author_id} | {c.user_id for c in idea.co_proposers}
        unit = (idea.author.work_unit or "").strip()
        for reviewer in reviewers:
            if (reviewer.id in people
                    or (unit and unit == (reviewer.work_unit or "").strip())
                    or (round_.avoid_same_region and idea.region and idea.region == reviewer.region)
                    or (reviewer.id, idea.id) in declared):
                pairs.add((reviewer.id, idea.id))
    return pairs


def prepare_round(round_, actor, seed=0):
    """Fill the pool and assign reviewers automatically, keeping manual assignments."""
    _require(round_, RoundState.draft)
    ideas = queries.pool_ideas(round_)
    if not ideas:
        raise VotingError("评审池为空：初审需要已采纳的建议，后续轮次需要上一轮已截止")
    reviewers = queries.active_reviewers()
    if not reviewers:
        raise VotingError("还没有评审专家账号")
    pool_ids = {idea.id for idea in ideas}
    if round_.blend_published_at is not None and pool_ids != {e.idea_id for e in round_.entries}:
        raise VotingError("公众投票的计分办法已经公布，本轮评审池不能再改变")
    db.session.execute(delete(RoundEntry).where(RoundEntry.round_id == round_.id))
    db.session.execute(delete(Assignment).where(Assignment.round_id == round_.id, ~Assignment.manual))
    db.session.execute(delete(Assignment).where(Assignment.round_id == round_.id,
                                                Assignment.idea_id.not_in(pool_ids)))
    db.session.add_all(RoundEntry(round=round_, idea_id=idea.id) for idea in ideas)
    forbidden = forbidden_pairs(round_, ideas, reviewers)
    kept = {(a.reviewer_id, a.idea_id) for a in queries.active_assignments(round_)}
    k = round_.reviewers_per_idea or len(reviewers)
    if round_.reviewers_per_idea is None:
        pairs = {(r.id, i.id) for r in reviewers for i in ideas if (r.id, i.id) not in forbidden}
    else:
        try:
            result = assign_reviewers(
                [i.id for i in ideas], [r.id for r in reviewers], k, forbidden=forbidden, keep=kept,
                idea_themes={i.id: i.theme_id for i in ideas},
                reviewer_preference=_theme_breadth(reviewers), seed=seed)
        except AssignmentInfeasible as exc:
            raise VotingError(str(exc)) from exc
        pairs = result.pairs()
    db.session.add_all(Assignment(round=round_, reviewer_id=r, idea_id=i) for r, i in sorted(pairs - kept))
    db.session.flush()
    log_action(actor, "round.assign", round_, ideas=len(ideas), reviewers=len(reviewers),
               assignments=len(pairs), seed=seed)
    return len(pairs)


def _theme_breadth(reviewers):
    """Reviewers who have scored across many themes keep the reviewer–idea graph
    connected, which calibration needs: prefer them slightly."""
    rows = db.session.execute(
        select(Assignment.reviewer_id, Idea.theme_id).join(Idea, Idea.id == Assignment.idea_id)
        .join(Review, Review.assignment_id == Assignment.id).where(Review.submitted).distinct()).all()
    themes = defaultdict(set)
    for reviewer_id, theme_id in rows:
        themes[reviewer_id].add(theme_id)
    return {r.id: len(themes[r.id]) / 11 for r in reviewers}


def add_assignment(round_, idea, reviewer, actor):
    """A manual assignment by staff, e.g. an extra review for a disputed idea."""
    _require(round_, RoundState.draft, RoundState.open)
    if (reviewer.id, idea.id) in forbidden_pairs(round_, [idea], [reviewer]):
        raise VotingError(f"{reviewer.display_name} 与该建议存在回避关系，不能分配")
    assignment = _activate(round_, idea.id, reviewer.id)
    assignment.manual = True
    db.session.flush()
    log_action(actor, "assignment.add", assignment, round=round_.id, idea=idea.id, reviewer=reviewer.id)
    return assignment


def _activate(round_, idea_id, reviewer_id):
    existing = db.session.scalar(select(Assignment).where(
        Assignment.round_id == round_.id, Assignment.idea_id == idea_id, Assignment.reviewer_id == reviewer_id))
    if existing is not None and existing.active:
        raise VotingError("该评审专家已分配到这条建议")
    if existing is None:
        existing = Assignment(round=round_, idea_id=idea_id, reviewer_id=reviewer_id)
        db.session.add(existing)
    existing.active = True
    db.session.flush()
    return existing


def remove_assignment(assignment, actor):
    _require(assignment.round, RoundState.draft, RoundState.open)
    if assignment.review is not None and assignment.review.submitted:
        raise VotingError("该评审专家已提交评分，不能取消分配")
    assignment.active = False
    db.session.flush()
    log_action(actor, "assignment.remove", assignment, idea=assignment.idea_id, reviewer=assignment.reviewer_id)


def open_round(round_, actor):
    _require(round_, RoundState.draft)
    if not round_.entries or not queries.active_assignments(round_):
        raise VotingError("请先生成评审分配，再开始评审")
    if not round_.criteria:
        raise VotingError("评分细则至少需要一个评分项")
    _move(round_, RoundState.open)
    db.session.flush()
    log_action(actor, "round.open", round_)


# --- Reviewing --------------------------------------------------------------------------

def save_review(assignment, reviewer, values, comment, submit):
    """Save a reviewer's scores ({criterion id: int}); a draft may be partial,
    a submission must score every criterion within its scale."""
    if assignment.reviewer_id != reviewer.id or not assignment.active:
        raise VotingError("这不是您的评审任务")
    round_ = assignment.round
    _lock(round_)
    if not round_.accepts_scores():
        raise VotingError(f"“{round_.name}”已截止或尚未开始，评分未保存")
    criteria = {c.id: c for c in round_.criteria}
    for criterion_id, value in values.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            raise VotingError("未知的评分项")
        if value is not None and not criterion.scale_min <= value <= criterion.scale_max:
            raise VotingError(f"“{criterion.name}”的分数须在 {criterion.scale_min}–{criterion.scale_max} 之间")
    if submit and any(values.get(c) is None for c in criteria):
        raise VotingError("提交前请为每个评分项打分")
    review = assignment.review or Review(assignment=assignment)
    db.session.add(review)
    existing = {s.criterion_id: s for s in review.scores}
    changes = {}
    for criterion_id, value in values.items():
        score = existing.get(criterion_id)
        if value is None:
            if score is not None:
                review.scores.remove(score)
            continue
        if score is None:
            review.scores.append(ReviewScore(criterion_id=criterion_id, value=value))
        elif score.value != value:
            score.value = value
        else:
            continue
        changes[criteria[criterion_id].name] = value
    review.comment = comment or ""
    review.updated_at = now()
    if submit:
        review.submitted = True
        review.submitted_at = review.submitted_at or now()
    db.session.flush()
    log_action(reviewer, "review.submit" if submit else "review.save", assignment,
               round=round_.id, idea=assignment.idea_id, scores=changes)
    return review


def recuse(assignment, reviewer, reason):
    """The reviewer steps back; the conflict is recorded and the idea gets another reviewer."""
    if assignment.reviewer_id != reviewer.id or not assignment.active:
        raise VotingError("这不是您的评审任务")
    if not reason:
        raise VotingError("请说明回避理由")
    round_ = assignment.round
    _lock(round_)
    _require(round_, RoundState.draft, RoundState.open)
    assignment.active = False
    assignment.recusal_reason = reason
    if (reviewer.id, assignment.idea_id) not in queries.declared_conflicts():
        db.session.add(Conflict(reviewer_id=reviewer.id, idea_id=assignment.idea_id, reason=reason))
    db.session.flush()
    current = defaultdict(list)
    for a in queries.active_assignments(round_):
        current[a.idea_id].append(a.reviewer_id)
    current[assignment.idea_id].append(reviewer.id)
    reviewers = queries.active_reviewers()
    ideas = [e.idea for e in round_.entries]
    added = None
    try:
        replacement = reassign_after_recusal(
            current, assignment.idea_id, reviewer.id, [r.id for r in reviewers],
            forbidden=forbidden_pairs(round_, [assignment.idea], reviewers) | _inactive_pairs(round_),
            idea_themes={i.id: i.theme_id for i in ideas})
    except AssignmentInfeasible:
        replacement = None
    if replacement is not None:
        added = _activate(round_, assignment.idea_id, replacement.added_reviewer_id)
    log_action(reviewer, "assignment.recuse", assignment, idea=assignment.idea_id, reason=reason,
               replaced_by=added.reviewer_id if added else None)
    return added


def _inactive_pairs(round_):
    return {(a.reviewer_id, a.idea_id) for a in db.session.scalars(
        select(Assignment).where(Assignment.round_id == round_.id, ~Assignment.active))}


# --- Closing ------------------------------------------------------------------------------

@dataclass
class RoundOutcome:
    ranking: object
    alpha: float | None
    components: int
    table: object
    # Idea id → BlendParts in a round with a public vote, which then ranks by the blend.
    blend: dict | None = None


def compute_outcome(round_, seed=None, include_voided=False):
    """Everything closing stores, computed from the submitted reviews (and the
    valid public votes, if the round has a vote), without writing.
    ``include_voided`` counts voided votes too, to show staff what voiding changed."""
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
        raise VotingError(f"还有 {len(unscored)} 条建议没有任何已提交的评分，不能截止")
    totals = [(r.reviewer_id, r.idea_id, rubric.total(r.scores)) for r in reviews if r.idea_id in pool]
    calibration = calibrate(totals)
    keys = tie_break_keys([r for r in reviews if r.idea_id in pool], rubric, calibration.quality,
                          relevance_criterion=_relevance_name(rubric))
    blend = _blend(round_, rubric, calibration.quality, include_voided) if round_.public_vote else None
    ranking_keys = {i: BlendedKeys(blend[i].blended, k) for i, k in keys.items()} if blend else keys
    ranking = rank_ideas(ranking_keys, min(round_.advance_count, len(pool)), seed=seed)
    table = freeze_score_table([r for r in reviews if r.idea_id in pool], ranking.rank,
                               calibrated=calibration.quality,
                               public={i: asdict(p) for i, p in blend.items()} if blend else None)
    outcome = RoundOutcome(ranking, _agreement(totals), calibration.n_components, table, blend)
    return outcome, totals, calibration, keys


def _blend(round_, rubric, calibrated, include_voided):
    return blend_round(calibrated, ballot_queries.vote_totals(round_, include_voided),
                       lowest=rubric.min_total, highest=rubric.max_total, expert_weight=round_.expert_weight)


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
            carried.append(ScoredReview(r.assignment.idea_id, f"{previous.position}:{r.assignment.reviewer_id}",
                                        scores))
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
    """Where a round stands while it is open: nothing is stored."""

    rows: list
    unscored: int
    alpha: float | None


def provisional_results(round_):
    """Ranks and flags from the reviews submitted so far, so staff can add
    reviews to disputed ideas and ideas near the cut before closing."""
    try:
        outcome, totals, calibration, keys = compute_outcome(round_, seed=0)
    except VotingError:
        pool = {e.idea_id for e in round_.entries}
        scored = {r.assignment.idea_id for r in queries.submitted_reviews(round_)}
        return Provisional([], len(pool - scored), None)
    rows = _result_rows(round_, outcome, totals, calibration, keys)
    return Provisional(sorted(rows, key=lambda row: row["rank"]), 0, outcome.alpha)


def _result_rows(round_, outcome, totals, calibration, keys):
    by_idea = defaultdict(list)
    for _, idea_id, total in totals:
        by_idea[idea_id].append(total)
    spreads = idea_spreads(by_idea, max_std=DISAGREEMENT_STD)
    if outcome.blend:
        near = near_cutoff({i: p.blended for i, p in outcome.blend.items()}, outcome.ranking.n_advance,
                           NEAR_CUT_BLEND_MARGIN)
    else:
        near = near_cutoff(calibration.quality, outcome.ranking.n_advance, NEAR_CUT_MARGIN)
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
            "calibrated": calibration.quality[entry.idea_id],
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


@dataclass
class VoteEffect:
    """A round's result with and without the voided votes, for the fraud screen.
    Without complete expert scores only the public side can be shown."""

    rows: list
    expert_ready: bool


def vote_effect(round_):
    seed = round_.tie_seed if round_.tie_seed is not None else 0
    pool = [e.idea for e in round_.entries]
    try:
        outcomes = {flag: compute_outcome(round_, seed, include_voided=flag)[0] for flag in (False, True)}
    except VotingError:
        outcomes = None
    rows = {idea.id: {"idea": idea} for idea in pool}
    for flag, suffix in ((False, "valid"), (True, "all")):
        if outcomes:
            for idea_id, parts in outcomes[flag].blend.items():
                rows[idea_id].update({f"votes_{suffix}": parts.votes, f"public_{suffix}": parts.public_part,
                                      f"blended_{suffix}": parts.blended,
                                      f"rank_{suffix}": outcomes[flag].ranking.rank[idea_id]})
        else:
            totals = ballot_queries.vote_totals(round_, include_voided=flag)
            counts = {idea.id: totals.get(idea.id, 0) for idea in pool}
            for idea_id, public in public_parts(counts).items():
                rows[idea_id].update({f"votes_{suffix}": counts[idea_id], f"public_{suffix}": public})
    key = (lambda row: row["rank_valid"]) if outcomes else (lambda row: (-row["votes_valid"], row["idea"].id))
    return VoteEffect(sorted(rows.values(), key=key), outcomes is not None)


def close_round(round_, actor, seed=None):
    """One transaction: scores freeze, ranks are stored, the top N advance and
    the digest of the frozen table is recorded. Any failure leaves it all undone."""
    _lock(round_)
    _require(round_, RoundState.open)
    _require_vote_over(round_)
    outcome, totals, calibration, keys = compute_outcome(round_, seed)
    final = queries.is_final_round(round_)
    for row in _result_rows(round_, outcome, totals, calibration, keys):
        entry = row.pop("entry")
        row.pop("idea")
        for name, value in row.items():
            setattr(entry, name, value)
        if entry.advanced:
            _advance(entry.idea, round_, final, actor)
    round_.tie_seed = outcome.ranking.seed
    round_.frozen_table = outcome.table.text
    round_.digest = outcome.table.digest
    round_.agreement_alpha = outcome.alpha
    round_.calibration_components = outcome.components
    round_.closed_at = now()
    _move(round_, RoundState.closed)
    db.session.flush()
    public = {"public_votes": sum(p.votes for p in outcome.blend.values())} if outcome.blend else {}
    log_action(actor, "round.close", round_, digest=round_.digest, seed=round_.tie_seed,
               advanced=sorted(outcome.ranking.advancing), **public)
    return outcome


def _require_vote_over(round_):
    if not round_.public_vote:
        return
    if round_.blend_published_at is None:
        raise VotingError("本轮开启了公众投票但计分办法尚未公布：请先公布计分办法，或关闭公众投票")
    if now() < round_.vote_closes_at:
        raise VotingError(f"公众投票尚未结束（{round_.vote_closes_at:%Y-%m-%d %H:%M} 截止），不能截止本轮")


def _advance(idea, round_, final, actor):
    target = IdeaStatus.finalist if final else IdeaStatus.shortlisted
    reason = f"{round_.name}排名第 {next(e.rank for e in round_.entries if e.idea_id == idea.id)} 位，晋级"
    if idea.status is target:
        idea_services.add_note(idea, actor, reason)
    else:
        idea_services.transition(idea, target, actor, reason)


def finalize_round(round_, actor):
    _lock(round_)
    _require(round_, RoundState.closed)
    _move(round_, RoundState.finalized)
    round_.finalized_at = now()
    db.session.flush()
    log_action(actor, "round.finalize", round_, digest=round_.digest)


def reopen_round(round_, actor, reason):
    """An admin's explicit, logged reopen of a closed round: results are cleared
    and the ideas it advanced go back to where they were."""
    if not reason:
        raise VotingError("重新开放须说明理由")
    _lock(round_)
    _require(round_, RoundState.closed)
    later = [r for r in queries.rounds_of(round_.campaign) if r.position > round_.position
             and r.state is not RoundState.draft]
    if later:
        raise VotingError("后续轮次已经开始，不能重新开放本轮")
    final = queries.is_final_round(round_)
    previous_status = IdeaStatus.shortlisted if round_.position > 1 else IdeaStatus.accepted
    for entry in round_.entries:
        if entry.advanced:
            target = previous_status if final or round_.position == 1 else None
            if target is not None and entry.idea.status is not target:
                idea_services.transition(entry.idea, target, actor, f"{round_.name}重新开放：{reason}")
        for field in ("review_count", "raw_mean", "robust_mean", "median", "calibrated", "spread", "rank",
                      "expert_part", "public_votes", "public_part", "blended"):
            setattr(entry, field, None)
        entry.advanced = entry.flag_disagreement = entry.flag_near_cut = entry.in_cut_tie = False
    old_digest = round_.digest
    round_.frozen_table = round_.digest = round_.tie_seed = round_.agreement_alpha = None
    round_.closed_at = None
    _move(round_, RoundState.open)
    db.session.flush()
    log_action(actor, "round.reopen", round_, reason=reason, old_digest=old_digest)
