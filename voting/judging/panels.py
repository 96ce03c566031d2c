"""Who reviews which idea: a round's pool and its reviewer panels, fed to the
pure solver in ``voting.judging.assignment``. Functions flush; the caller commits."""
from collections import Counter, defaultdict

from sqlalchemy import delete, select

from app.audit.services import log_action
from app.extensions import db
from ideas.models import Idea
from voting.judging import queries
from voting.judging.diagnostics import diagnostics
from voting.judging.assignment import AssignmentInfeasible, assign_reviewers, extra_reviewers
from voting.judging.guards import VotingError, require_state
from voting.judging.models import Assignment, Review, RoundEntry, RoundState
from voting.judging.outcome import public_part


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
    require_state(round_, RoundState.draft)
    ideas = queries.pool_ideas(round_)
    if not ideas:
        raise VotingError("评审池为空：初审需要已采纳的建议，后续轮次需要上一轮已截止")
    reviewers = queries.active_reviewers()
    if not reviewers:
        raise VotingError("还没有评审专家账号")
    pool_ids = {idea.id for idea in ideas}
    if pool_ids != {e.idea_id for e in round_.entries}:
        problem = public_part().pool_change_problem(round_)
        if problem:
            raise VotingError(problem)
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
    require_state(round_, RoundState.draft, RoundState.open)
    if (reviewer.id, idea.id) in forbidden_pairs(round_, [idea], [reviewer]):
        raise VotingError(f"{reviewer.display_name} 与该建议存在回避关系，不能分配")
    assignment = activate(round_, idea.id, reviewer.id)
    assignment.manual = True
    db.session.flush()
    log_action(actor, "assignment.add", assignment, round=round_.id, idea=idea.id, reviewer=reviewer.id)
    return assignment


def activate(round_, idea_id, reviewer_id):
    existing = db.session.scalar(select(Assignment).where(
        Assignment.round_id == round_.id, Assignment.idea_id == idea_id,
        Assignment.reviewer_id == reviewer_id))
    if existing is not None and existing.active:
        raise VotingError("该评审专家已分配到这条建议")
    if existing is None:
        existing = Assignment(round=round_, idea_id=idea_id, reviewer_id=reviewer_id)
        db.session.add(existing)
    existing.active = True
    db.session.flush()
    return existing


def remove_assignment(assignment, actor):
    require_state(assignment.round, RoundState.draft, RoundState.open)
    if assignment.review is not None and assignment.review.submitted:
        raise VotingError("该评审专家已提交评分，不能取消分配")
    assignment.active = False
    db.session.flush()
    log_action(actor, "assignment.remove", assignment, idea=assignment.idea_id,
               reviewer=assignment.reviewer_id)


def inactive_pairs(round_):
    return {(a.reviewer_id, a.idea_id) for a in db.session.scalars(
        select(Assignment).where(Assignment.round_id == round_.id, ~Assignment.active))}


def add_extra_reviews(round_, ideas, actor, count=None):
    """One more reviewer for each idea, by the assignment rules: never a forbidden or
    recused pair nor one already assigned, and the eligible reviewer with the fewest
    active assignments in the round (the lowest id among equals), so loads stay level.
    Returns the new assignments; an idea no reviewer may take is refused by name, or,
    with ``count``, passed over for the next until ``count`` ideas have one more."""
    require_state(round_, RoundState.open)
    reviewers = queries.active_reviewers()
    active = queries.active_assignments(round_)
    load = Counter(a.reviewer_id for a in active)
    taken = {(a.reviewer_id, a.idea_id) for a in active} | inactive_pairs(round_)
    forbidden = forbidden_pairs(round_, ideas, reviewers) | taken
    try:
        chosen = extra_reviewers([i.id for i in ideas], [r.id for r in reviewers], load, forbidden,
                                 count=count)
    except AssignmentInfeasible as exc:
        idea = next(i for i in ideas if i.id == exc.idea_ids[0])
        raise VotingError(f"{idea.tracking_code} 已没有可以分配的评审专家") from exc
    added = []
    for idea in (i for i in ideas if i.id in chosen):
        assignment = activate(round_, idea.id, chosen[idea.id])
        assignment.manual = True
        added.append(assignment)
    db.session.flush()
    log_action(actor, "assignment.extra", round_, pairs=[[a.idea_id, a.reviewer_id] for a in added])
    return added


def add_reviews_at_cut(round_, count, actor):
    """The adaptive step before a cut: the ``count`` ideas whose side of the cut is
    least certain (distance to the cut line in SDs of the scale-and-offset fit, by
    `diagnostics.CUT_UNCERTAINTY`) and that some reviewer may still take get one more
    reviewer each, by `add_extra_reviews`."""
    found = diagnostics(round_)
    if found is None:
        raise VotingError("还有建议没有任何已提交的评分，收齐后才能判断哪些建议最不确定")
    ideas = {e.idea_id: e.idea for e in round_.entries}
    return add_extra_reviews(round_, [ideas[idea_id] for idea_id, *_ in found.uncertain], actor, count=count)
