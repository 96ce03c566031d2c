"""Reads for judging rounds."""
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.audit.models import ActionLog
from app.auth.models import Role, User
from app.extensions import db
from ideas.models import Idea, IdeaStatus
from ideas.queries import KeysetPage, Standing
from voting.judging.models import (Assignment, Conflict, Review, ReviewScore, Round, RoundEntry, RoundPool,
                                   RoundState)


# Rows per page of the round page's lists (reviewers, ideas not yet fully reviewed, ranking).
PAGE_SIZE = 50


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


def unscored_count(round_):
    """Ideas of the pool without a submitted review in this round."""
    scored = (select(Assignment.idea_id).join(Review)
              .where(Assignment.round_id == round_.id, Assignment.active, Review.submitted))
    return db.session.scalar(select(func.count()).select_from(RoundEntry).where(
        RoundEntry.round_id == round_.id, RoundEntry.idea_id.not_in(scored)))


def pool_version(round_):
    """Changes whenever the round's pool changes (a checksum, as ``review_version``)."""
    return tuple(db.session.execute(
        select(func.count(), func.sum(RoundEntry.idea_id), func.sum(RoundEntry.idea_id * RoundEntry.idea_id))
        .where(RoundEntry.round_id == round_.id)).one())


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


def close_check(round_, summary=None):
    """What stands in the way of closing; ``summary``: ``progress_summary(round_)``
    when the caller has it already."""
    summary = summary or progress_summary(round_)
    wanted = round_.reviewers_per_idea
    short = []
    if wanted:
        reviewing = select(func.count()).select_from(Assignment).where(
            Assignment.round_id == round_.id, Assignment.active, Assignment.idea_id == Idea.id)
        short = db.session.scalars(select(Idea).where(
            Idea.id.in_(select(Assignment.idea_id).where(
                Assignment.round_id == round_.id, Assignment.active.is_(False),
                Assignment.recusal_reason.is_not(None))),
            reviewing.scalar_subquery() < wanted).order_by(Idea.id)).all()
    return CloseCheck(summary.assigned - summary.submitted, summary.drafts, short)


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


class _Sheets:
    @property
    def todo(self):
        return self.assigned - self.submitted - self.drafts


@dataclass
class Progress(_Sheets):
    """A round's sheets as the database counts them: assigned, submitted, drafts; the
    ideas with an assignment and those not yet fully reviewed. A round of 5,000 ideas
    has 15,000 sheets, too many to read one by one per page."""

    assigned: int
    submitted: int
    drafts: int
    ideas: int
    incomplete_ideas: int


@dataclass
class SheetCounts(_Sheets):
    """One row of the progress tables: a reviewer (a User) or an idea (its id,
    tracking code and title) with its sheets."""

    who: object
    assigned: int
    drafts: int
    submitted: int


def _sheets_by(round_, key):
    """Per ``key`` (reviewer or idea): assigned, drafts (sheets saved, not submitted), submitted."""
    with_review, done = func.count(Review.id), func.count(Review.id).filter(Review.submitted)
    return (select(key.label("key"), func.count().label("assigned"), (with_review - done).label("drafts"),
                   done.label("submitted"))
            .outerjoin(Review, Review.assignment_id == Assignment.id)
            .where(Assignment.round_id == round_.id, Assignment.active).group_by(key))


def progress_summary(round_):
    per_idea = _sheets_by(round_, Assignment.idea_id).subquery()
    row = db.session.execute(select(
        func.coalesce(func.sum(per_idea.c.assigned), 0), func.coalesce(func.sum(per_idea.c.submitted), 0),
        func.coalesce(func.sum(per_idea.c.drafts), 0), func.count(),
        func.count().filter(per_idea.c.submitted < per_idea.c.assigned))).one()
    return Progress(*(int(n) for n in row))


def reviewer_progress(round_, after, per_page):
    """A page of reviewers by id, after the reviewer ``after``, with their sheets."""
    counts = _sheets_by(round_, Assignment.reviewer_id)
    if after:
        counts = counts.where(Assignment.reviewer_id > after)
    counts = counts.order_by(Assignment.reviewer_id).limit(per_page + 1).subquery()
    rows = db.session.execute(select(User, counts.c.assigned, counts.c.drafts, counts.c.submitted)
                              .join(counts, counts.c.key == User.id).order_by(User.id)).all()
    return _page([SheetCounts(*row) for row in rows], per_page, after)


def incomplete_ideas(round_, after, per_page):
    """A page of the ideas still short of submitted reviews, by id, after the idea ``after``."""
    counts = _sheets_by(round_, Assignment.idea_id)
    if after:
        counts = counts.where(Assignment.idea_id > after)
    counts = (counts.having(func.count(Review.id).filter(Review.submitted) < func.count())
              .order_by(Assignment.idea_id).limit(per_page + 1).subquery())
    rows = db.session.execute(select(Idea.id, Idea.tracking_code, Idea.title, counts.c.assigned,
                                     counts.c.drafts, counts.c.submitted)
                              .join(counts, counts.c.key == Idea.id).order_by(Idea.id)).all()
    return _page([SheetCounts(row, row.assigned, row.drafts, row.submitted) for row in rows], per_page, after)


def _page(rows, per_page, after):
    return KeysetPage.of(rows, per_page, after, key=lambda row: row.who.id)


def idea_labels(ids):
    """Idea id → (id, tracking code, title) for a page's few ideas."""
    ids = list(ids)
    if not ids:
        return {}
    return {row.id: row for row in db.session.execute(
        select(Idea.id, Idea.tracking_code, Idea.title).where(Idea.id.in_(ids)))}


def pool_size(round_):
    return db.session.scalar(select(func.count()).select_from(RoundEntry)
                             .where(RoundEntry.round_id == round_.id))


def results(round_):
    return db.session.scalars(
        select(RoundEntry).where(RoundEntry.round_id == round_.id)
        .options(selectinload(RoundEntry.idea).selectinload(Idea.theme))
        .order_by(RoundEntry.rank.is_(None), RoundEntry.rank, RoundEntry.idea_id)).all()


def results_page(round_, after, per_page):
    """A closed round's entries by rank, ``per_page`` of them ranked after ``after``
    (closing ranks every entry of the pool)."""
    stmt = (select(RoundEntry).where(RoundEntry.round_id == round_.id, RoundEntry.rank > (after or 0))
            .options(selectinload(RoundEntry.idea)).order_by(RoundEntry.rank).limit(per_page + 1))
    return KeysetPage.of(db.session.scalars(stmt).all(), per_page, after, key=lambda entry: entry.rank)


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
