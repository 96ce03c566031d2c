"""Reads for judging rounds."""
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.audit.models import ActionLog
from app.auth.models import Role, User
from app.extensions import db
from ideas.models import Idea, IdeaStatus
from ideas.queries import Standing
from voting.judging.models import (Assignment, Conflict, Review, ReviewScore, Round, RoundEntry, RoundPool,
                                   RoundState)


def rounds_of(campaign):
    return db.session.scalars(
        select(Round).where(Round.campaign_id == campaign.id).order_by(Round.position)).all()


def previous_round(round_):
    return db.session.scalar(
        select(Round).where(Round.campaign_id == round_.campaign_id, Round.position < round_.position)
        .order_by(Round.position.desc()).limit(1))


def is_final_round(round_):
    later = db.session.scalar(select(func.count()).select_from(Round).where(
        Round.campaign_id == round_.campaign_id, Round.position > round_.position))
    return later == 0


def pool_ideas(round_):
    """The ideas this round judges: every accepted idea, or the previous round's advancers."""
    if round_.pool is RoundPool.accepted:
        return db.session.scalars(
            select(Idea).where(Idea.campaign_id == round_.campaign_id, Idea.status == IdeaStatus.accepted)
            .options(selectinload(Idea.co_proposers), selectinload(Idea.author)).order_by(Idea.id)).all()
    previous = previous_round(round_)
    if previous is None or previous.state not in (RoundState.closed, RoundState.finalized):
        return []
    return db.session.scalars(
        select(Idea).join(RoundEntry, RoundEntry.idea_id == Idea.id)
        .where(RoundEntry.round_id == previous.id, RoundEntry.advanced)
        .options(selectinload(Idea.co_proposers), selectinload(Idea.author)).order_by(Idea.id)).all()


def active_reviewers():
    return db.session.scalars(
        select(User).where(User.role == Role.reviewer, User.is_active).order_by(User.id)).all()


def declared_conflicts():
    return {(c.reviewer_id, c.idea_id) for c in db.session.scalars(select(Conflict))}


def active_assignments(round_):
    return db.session.scalars(
        select(Assignment).where(Assignment.round_id == round_.id, Assignment.active)
        .options(selectinload(Assignment.review).selectinload(Review.scores))
        .order_by(Assignment.idea_id, Assignment.reviewer_id)).all()


def submitted_reviews(round_):
    return db.session.scalars(
        select(Review).join(Assignment).where(Assignment.round_id == round_.id, Assignment.active,
                                              Review.submitted)
        .options(selectinload(Review.scores), selectinload(Review.assignment))).all()


def review_version(round_):
    """Changes whenever the submitted reviews that count change: one submitted, a
    score edited, an assignment dropped. The clock keeps whole seconds, so the scores
    themselves are summed in too (a checksum, not a proof)."""
    counted = (Assignment.round_id == round_.id, Assignment.active, Review.submitted)
    reviews = db.session.execute(select(func.count(Review.id), func.sum(Review.id),
                                        func.max(Review.updated_at))
                                 .join(Assignment).where(*counted)).one()
    scores = db.session.execute(
        select(func.count(ReviewScore.id), func.sum(ReviewScore.value),
               func.sum(ReviewScore.value * ReviewScore.id))
        .join(Review, Review.id == ReviewScore.review_id).join(Assignment).where(*counted)).one()
    return tuple(reviews) + tuple(scores)


def assignments_of_reviewer(reviewer):
    """A reviewer's active assignments in rounds that are open or being prepared to open."""
    return db.session.scalars(
        select(Assignment).join(Round).where(Assignment.reviewer_id == reviewer.id, Assignment.active,
                                             Round.state == RoundState.open)
        .options(selectinload(Assignment.review), selectinload(Assignment.idea).selectinload(Idea.theme),
                 selectinload(Assignment.round))
        .order_by(Round.position, Assignment.id)).all()


@dataclass
class CloseCheck:
    """What is missing before a round closes: sheets not submitted (drafts among them)
    and recusals that left an idea short of its reviewers."""

    unsubmitted: int
    drafts: int
    open_recusals: list

    @property
    def clear(self):
        return not (self.unsubmitted or self.open_recusals)


def close_check(round_, read_progress=None):
    """What stands in the way of closing; ``read_progress``: ``progress(round_)`` when
    the caller has it already."""
    by_reviewer, by_idea = read_progress or progress(round_)
    counts = Counter()
    for row in by_reviewer.values():
        counts.update(row["counts"])
    recused = db.session.scalars(select(Assignment).where(
        Assignment.round_id == round_.id, Assignment.active.is_(False),
        Assignment.recusal_reason.is_not(None))
        .options(selectinload(Assignment.idea))).all()
    wanted = round_.reviewers_per_idea
    short = {a.idea_id: a.idea for a in recused
             if wanted and by_idea.get(a.idea_id, {"counts": Counter()})["counts"]["assigned"] < wanted}
    return CloseCheck(counts["assigned"] - counts["submitted"], counts["draft"], list(short.values()))


@dataclass
class RoundTasks:
    """One round of a reviewer's work: their sheets, how many are submitted, the deadline
    and the first sheet not yet submitted (None: all done)."""

    round: object
    assignments: list
    submitted: int
    next_open: object

    @property
    def total(self):
        return len(self.assignments)


def reviewer_tasks(reviewer):
    by_round = {}
    for assignment in assignments_of_reviewer(reviewer):
        by_round.setdefault(assignment.round_id, []).append(assignment)
    tasks = []
    for assignments in by_round.values():
        done = [a for a in assignments if a.review and a.review.submitted]
        tasks.append(RoundTasks(assignments[0].round, assignments, len(done),
                                next((a for a in assignments if a not in done), None)))
    return tasks


def progress(round_):
    """Per reviewer and per idea: assigned, drafts, submitted; ``who`` is the reviewer
    (a User) or the idea (its id, tracking code and title). Counted by the database:
    a round of 5,000 ideas has 15,000 sheets, too many to read one by one per page."""
    active = (Assignment.round_id == round_.id, Assignment.active)
    drafted, submitted = func.count(Review.id), func.count(Review.id).filter(Review.submitted)

    def counted(key):
        return (select(key, func.count(), drafted, submitted)
                .outerjoin(Review, Review.assignment_id == Assignment.id).where(*active).group_by(key))

    reviewers = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_(select(Assignment.reviewer_id).where(*active))))}
    ideas = {row.id: row for row in db.session.execute(select(Idea.id, Idea.tracking_code, Idea.title).where(
        Idea.id.in_(select(Assignment.idea_id).where(*active))))}
    tables = []
    for key, who in ((Assignment.reviewer_id, reviewers), (Assignment.idea_id, ideas)):
        table = {}
        for row_id, assigned, with_review, done in db.session.execute(counted(key).order_by(key)):
            counts = Counter(assigned=assigned, submitted=done, draft=with_review - done,
                             todo=assigned - with_review)
            table[row_id] = {"who": who[row_id], "counts": counts, "complete": done == assigned}
        tables.append(table)
    return tuple(tables)


def results(round_):
    return db.session.scalars(
        select(RoundEntry).where(RoundEntry.round_id == round_.id)
        .options(selectinload(RoundEntry.idea).selectinload(Idea.theme))
        .order_by(RoundEntry.rank.is_(None), RoundEntry.rank, RoundEntry.idea_id)).all()


def eliminations(idea_ids):
    """Idea id → Standing for the ideas whose last round has closed without advancing
    them: the status column still says where the previous round put them."""
    rows = db.session.execute(
        select(RoundEntry.idea_id, Round.position, Round.state, RoundEntry.advanced)
        .join(Round, Round.id == RoundEntry.round_id).where(RoundEntry.idea_id.in_(idea_ids))).all()
    last = {}
    for idea_id, position, state, advanced in sorted(rows, key=lambda row: row.position):
        last[idea_id] = (position, state, advanced)
    return {idea_id: Standing("rejected", f"未入围（第 {position} 轮）")
            for idea_id, (position, state, advanced) in last.items()
            if state in (RoundState.closed, RoundState.finalized) and not advanced}


def reopenings(round_):
    """The round's reopenings from the action log, oldest first: who, when, why (for staff only)."""
    return db.session.scalars(select(ActionLog).where(
        ActionLog.action == "round.reopen", ActionLog.target_type == "Round",
        ActionLog.target_id == round_.id)
        .options(selectinload(ActionLog.actor)).order_by(ActionLog.id)).all()
