"""A reviewer's side of a round: scoring an assignment and stepping back from it.
Functions flush; the caller commits."""
from collections import defaultdict

from app.audit.services import log_action
from app.extensions import db
from app.notifications.services import notify
from app.timeutil import now
from voting.judging import queries
from voting.judging.assignment import AssignmentInfeasible, reassign_after_recusal
from voting.judging.guards import VotingError, lock_round, require_state
from voting.judging.models import Conflict, Review, ReviewScore, RoundState
from voting.judging.panels import activate, forbidden_pairs, inactive_pairs


def save_review(assignment, reviewer, values, comment, submit):
    """Save a reviewer's scores ({criterion id: int}); a draft may be partial,
    a submission must score every criterion within its scale."""
    if assignment.reviewer_id != reviewer.id or not assignment.active:
        raise VotingError("这不是您的评审任务")
    round_ = assignment.round
    lock_round(round_)
    if not round_.accepts_scores():
        raise VotingError(f"“{round_.name}”已截止或尚未开始，评分未保存")
    criteria = {c.id: c for c in round_.criteria}
    for criterion_id, value in values.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            raise VotingError("未知的评分项")
        if value is not None and not criterion.scale_min <= value <= criterion.scale_max:
            raise VotingError(f"“{criterion.name}”的分数须在 "
                              f"{criterion.scale_min}–{criterion.scale_max} 之间")
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
    lock_round(round_)
    require_state(round_, RoundState.draft, RoundState.open)
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
            forbidden=forbidden_pairs(round_, [assignment.idea], reviewers) | inactive_pairs(round_),
            idea_themes={i.id: i.theme_id for i in ideas})
    except AssignmentInfeasible:
        replacement = None
    if replacement is not None:
        added = activate(round_, assignment.idea_id, replacement.added_reviewer_id)
    log_action(reviewer, "assignment.recuse", assignment, idea=assignment.idea_id, reason=reason,
               replaced_by=added.reviewer_id if added else None)
    return added


def ask_to_revisit(round_, reviewer, actor, link):
    """Ask the reviewer to look at their sheets again (staff saw something in the
    diagnostics); the scores are untouched."""
    notification = _notify_reviewer(round_, reviewer, link, f"请复核您在“{round_.name}”中的评分",
                                    "工作人员请您再看一遍本轮已提交的评分表，确认分数反映您的判断；截止前可以修改。")
    log_action(actor, "round.revisit", round_, reviewer=reviewer.id)
    return notification


def remind(round_, reviewer, actor, link):
    """Remind the reviewer of the sheets they have not submitted."""
    left = sum(1 for a in queries.active_assignments(round_)
               if a.reviewer_id == reviewer.id and not (a.review and a.review.submitted))
    if not left:
        raise VotingError(f"{reviewer.display_name} 已提交本轮全部评分")
    deadline = f"，截止时间 {round_.closes_at:%Y-%m-%d %H:%M}" if round_.closes_at else ""
    notification = _notify_reviewer(round_, reviewer, link, f"“{round_.name}”还有 {left} 份评分待提交",
                                    f"您在“{round_.name}”还有 {left} 份评分表未提交{deadline}。")
    log_action(actor, "round.remind", round_, reviewer=reviewer.id)
    return notification


def _notify_reviewer(round_, reviewer, link, subject, body):
    """An in-site notification to a reviewer of the open round (the caller logs it)."""
    require_state(round_, RoundState.open)
    if not any(a.reviewer_id == reviewer.id for a in queries.active_assignments(round_)):
        raise VotingError("这位专家在本轮没有评审任务")
    return notify(reviewer, subject, body, link)
