"""Reads of ideas: one place for the queries views and exports share."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app.campaigns.models import Theme
from app.extensions import db
from ideas.models import Idea, IdeaAnalysis, IdeaStatus
from ideas.public_models import IdeaSupport


def idea_by_token(token):
    return db.session.execute(select(Idea).where(Idea.submission_token == token)).scalar_one_or_none()


def idea_by_code(code):
    return db.session.execute(select(Idea).where(Idea.tracking_code == code)).scalar_one_or_none()


def ideas_of_author(user, status=None):
    """Newest campaign first, newest idea first within it."""
    stmt = select(Idea).where(Idea.author_id == user.id)
    if status is not None:
        stmt = stmt.where(Idea.status == status)
    return db.session.execute(
        stmt.options(selectinload(Idea.events), selectinload(Idea.theme), selectinload(Idea.campaign))
        .order_by(Idea.campaign_id.desc(), Idea.created_at.desc(), Idea.id.desc())
    ).scalars().all()


@dataclass
class ScreeningFilter:
    status: str | None = None
    theme: str | None = None
    region: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str | None = None


def _screening_statement(campaign, flt):
    stmt = select(Idea).where(Idea.campaign_id == campaign.id, Idea.status != IdeaStatus.draft)
    if flt.status:
        stmt = stmt.where(Idea.status == IdeaStatus(flt.status))
    if flt.theme:
        stmt = stmt.join(Theme, Idea.theme_id == Theme.id).where(Theme.code == flt.theme)
    if flt.region:
        stmt = stmt.where(Idea.region == flt.region)
    if flt.date_from:
        stmt = stmt.where(Idea.submitted_at >= datetime.combine(flt.date_from, time.min))
    if flt.date_to:
        stmt = stmt.where(Idea.submitted_at < datetime.combine(flt.date_to + timedelta(days=1), time.min))
    if flt.q:
        pattern = f"%{flt.q}%"
        stmt = stmt.where(or_(Idea.title.ilike(pattern), Idea.problem.ilike(pattern),
                              Idea.suggestion.ilike(pattern), Idea.benefit.ilike(pattern),
                              Idea.tracking_code.ilike(pattern)))
    return stmt.options(selectinload(Idea.theme), selectinload(Idea.author),
                        selectinload(Idea.analysis).options(
                            selectinload(IdeaAnalysis.suggested_theme),
                            selectinload(IdeaAnalysis.secondary_theme)))


def screening_page(campaign, flt, page, per_page):
    """待筛选 in the screening order (nlp.worth: concrete measures, actors, numbers
    first; it only orders), everything else newest first."""
    stmt = _screening_statement(campaign, flt)
    if flt.status == IdeaStatus.submitted.value:
        stmt = stmt.outerjoin(IdeaAnalysis, IdeaAnalysis.idea_id == Idea.id).order_by(
            IdeaAnalysis.worth_score.desc().nulls_last(), Idea.seq)
    else:
        stmt = stmt.order_by(Idea.submitted_at.desc(), Idea.id.desc())
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def screening_export(campaign, flt):
    stmt = _screening_statement(campaign, flt).options(selectinload(Idea.co_proposers))
    return db.session.execute(stmt.order_by(Idea.seq)).scalars().all()


def status_counts(campaign):
    rows = db.session.execute(
        select(Idea.status, func.count()).where(Idea.campaign_id == campaign.id).group_by(Idea.status)
    ).all()
    return {status: count for status, count in rows}


def ideas_by_ids(campaign, ids):
    return db.session.execute(
        select(Idea).where(Idea.campaign_id == campaign.id, Idea.id.in_(ids)).order_by(Idea.id)
    ).scalars().all()


def next_pending(idea):
    """The 待筛选 idea to look at after this one: the next by number, else the first."""
    pending = select(Idea).where(Idea.campaign_id == idea.campaign_id, Idea.status == IdeaStatus.submitted,
                                 Idea.id != idea.id).order_by(Idea.seq)
    return (db.session.scalars(pending.where(Idea.seq > idea.seq).limit(1)).first()
            or db.session.scalars(pending.limit(1)).first())


@dataclass(frozen=True)
class Standing:
    """An idea's status as the public sees it: ``value`` names the badge style."""

    value: str
    label: str


def standings(ideas):
    """Idea id → Standing. The status column says where the idea last moved; a later
    stage can know more (eliminated in a later round, removed by an upheld objection)
    without moving it, so each stage registers a reader under
    ``app.extensions["idea_standings"]`` (idea ids → {id: Standing}), the later stage last."""
    found = {idea.id: Standing(idea.status.value, idea.status.label) for idea in ideas}
    ids = list(found)
    for reader in current_app.extensions.get("idea_standings", ()) if ids else ():
        found.update(reader(ids))
    return found


def standing(idea):
    return standings([idea])[idea.id]


def supporters_count(idea_ids):
    """Idea id → how many citizens support (附议) it now; 0 for ideas nobody supports.
    Withdrawn support is gone from the table, so it never counts."""
    ids = list(idea_ids)
    counts = dict.fromkeys(ids, 0)
    if ids:
        counts.update(db.session.execute(
            select(IdeaSupport.idea_id, func.count()).where(IdeaSupport.idea_id.in_(ids))
            .group_by(IdeaSupport.idea_id)).all())
    return counts
