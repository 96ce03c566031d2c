"""Reads for group and cluster screening."""
from dataclasses import replace

from sqlalchemy import and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from ideas.group_models import GroupState, IdeaGroup, IdeaGroupMember
from ideas.models import Idea, IdeaAnalysis, IdeaStatus
from ideas.queries import NO_WORTH, KeysetPage


def _with_members(stmt):
    return stmt.options(selectinload(IdeaGroup.lead).selectinload(Idea.analysis),
                        selectinload(IdeaGroup.members).selectinload(IdeaGroupMember.idea)
                        .selectinload(Idea.analysis))


def open_groups(campaign):
    """待决定 groups, the ones more people raised first."""
    sizes = (select(IdeaGroupMember.group_id, func.count().label("n")).group_by(IdeaGroupMember.group_id)
             .subquery())
    stmt = (select(IdeaGroup).join(sizes, sizes.c.group_id == IdeaGroup.id)
            .where(IdeaGroup.campaign_id == campaign.id, IdeaGroup.state == GroupState.open)
            .order_by(sizes.c.n.desc(), IdeaGroup.id))
    return db.session.scalars(_with_members(stmt)).all()


def group_of_campaign(group_id, campaign):
    group = db.session.scalar(_with_members(select(IdeaGroup).where(IdeaGroup.id == group_id)))
    return group if group is not None and group.campaign_id == campaign.id else None


def groups_of_ideas(ids):
    """{idea id: its group} for the ideas' open groups (a member's, or the one it leads)."""
    if not ids:
        return {}
    stmt = (select(IdeaGroupMember.idea_id, IdeaGroup).join(IdeaGroup)
            .where(IdeaGroupMember.idea_id.in_(ids), IdeaGroup.state == GroupState.open))
    return dict(db.session.execute(_with_members(stmt)).all())


def members_least_alike_first(group):
    """The lead, then the members least like it: where a wrong group shows."""
    return group.members[:1] + sorted(group.members[1:], key=lambda m: (m.score, m.id))


# Units per page of a cluster's decision page: what one decision covers.
CLUSTER_PAGE_SIZE = 50


def _pending_units(cluster):
    """The cluster's ideas still to screen that each stand for a unit: alone, or
    leading their open group (its other members go with it)."""
    following = exists().where(IdeaGroupMember.idea_id == Idea.id, IdeaGroupMember.group_id == IdeaGroup.id,
                               IdeaGroup.state == GroupState.open, IdeaGroup.lead_id != Idea.id)
    return (select(Idea).join(IdeaAnalysis, IdeaAnalysis.idea_id == Idea.id)
            .where(IdeaAnalysis.cluster_id == cluster.id, Idea.status == IdeaStatus.submitted, ~following))


def pending_unit_count(cluster):
    return db.session.scalar(select(func.count()).select_from(_pending_units(cluster).subquery()))


def cluster_page(cluster, after, per_page):
    """What staff decide in a cluster, a page at a time: a KeysetPage of
    (idea, open group or None), the cluster's representative ideas first, then
    in the screening order, after the idea ``after``. A decided unit leaves the
    list, so the next page to decide is the first one again."""
    rank = {idea_id: n for n, idea_id in enumerate(cluster.representatives or ())}
    position = case(rank, value=Idea.id, else_=len(rank)) if rank else literal(0)
    worth = func.coalesce(IdeaAnalysis.worth_score, NO_WORTH)
    stmt = _pending_units(cluster).order_by(position, worth.desc(), Idea.id)
    anchor = db.session.execute(select(position, worth).select_from(Idea).join(IdeaAnalysis)
                                .where(Idea.id == after)).one_or_none() if after else None
    if anchor is not None:
        stmt = stmt.where(or_(position > anchor[0], and_(position == anchor[0], or_(
            worth < anchor[1], and_(worth == anchor[1], Idea.id > after)))))
    ideas = db.session.scalars(stmt.options(selectinload(Idea.analysis), selectinload(Idea.author))
                               .limit(per_page + 1)).all()
    page = KeysetPage.of(ideas, per_page, after if anchor is not None else None)
    groups = groups_of_ideas([i.id for i in page.items])
    return replace(page, items=[(idea, groups.get(idea.id)) for idea in page.items])
