"""Reads for group and cluster screening."""
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from ideas.group_models import GroupState, IdeaGroup, IdeaGroupMember
from ideas.models import Idea, IdeaAnalysis, IdeaStatus


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


def cluster_units(cluster):
    """What staff decide in a cluster: [(idea, open group or None)], the
    cluster's representative ideas first, then by the screening order. A group
    is listed once, by its lead; its other members go with it."""
    ideas = db.session.scalars(
        select(Idea).join(IdeaAnalysis).where(IdeaAnalysis.cluster_id == cluster.id,
                                              Idea.status == IdeaStatus.submitted)
        .options(selectinload(Idea.analysis), selectinload(Idea.author))).all()
    groups = groups_of_ideas([i.id for i in ideas])
    rank = {idea_id: n for n, idea_id in enumerate(cluster.representatives or ())}
    units = [(idea, groups.get(idea.id)) for idea in ideas
             if idea.id not in groups or groups[idea.id].lead_id == idea.id]
    return sorted(units, key=lambda u: (rank.get(u[0].id, len(rank)), -(u[0].analysis.worth_score or 0),
                                        u[0].id))
