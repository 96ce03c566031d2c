"""Reads for the public pages of accepted ideas: the list, one idea, its supplements."""
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.campaigns.models import Theme
from app.extensions import db
from ideas.models import PUBLIC_STATUSES, Idea
from ideas.public_models import IdeaSupplement, IdeaSupport


def _public():
    return select(Idea).where(Idea.public_consent.is_(True), Idea.status.in_(PUBLIC_STATUSES))


def public_idea(code):
    """The idea with this tracking code if it has a public page, else None."""
    return db.session.scalars(_public().where(Idea.tracking_code == code)).first()


def public_page(campaign, theme_code, page, per_page):
    stmt = _public().where(Idea.campaign_id == campaign.id)
    if theme_code:
        stmt = stmt.join(Theme, Idea.theme_id == Theme.id).where(Theme.code == theme_code)
    stmt = stmt.options(selectinload(Idea.theme)).order_by(Idea.seq.desc())
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def supplements(idea, include_hidden=False):
    stmt = select(IdeaSupplement).where(IdeaSupplement.idea_id == idea.id)
    if not include_hidden:
        stmt = stmt.where(IdeaSupplement.hidden_at.is_(None))
    return db.session.scalars(stmt.order_by(IdeaSupplement.id)).all()


def supports(idea, user):
    return user.is_authenticated and db.session.scalar(select(IdeaSupport.id).where(
        IdeaSupport.idea_id == idea.id, IdeaSupport.user_id == user.id)) is not None


def supplement_counts(idea_ids):
    """Idea id → its supplements (hidden ones too: staff read them all), for the screening list."""
    ids = list(idea_ids)
    if not ids:
        return {}
    return dict(db.session.execute(
        select(IdeaSupplement.idea_id, func.count()).where(IdeaSupplement.idea_id.in_(ids))
        .group_by(IdeaSupplement.idea_id)).all())
