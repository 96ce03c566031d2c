"""Reads for 热点: the heat (``nlp.heat``) of each cluster and each theme of a
campaign, and how the hottest topics rose day by day.

Everything is aggregated in SQL, a few grouped queries per page whatever the
campaign's size: never a load of the ideas one by one."""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Date, case, distinct, func, or_, select, union_all
from sqlalchemy.orm import aliased

from app.extensions import db
from app.timeutil import now as clock
from ideas.analysis_queries import SHOWN_AS_SIMILAR, latest_cluster_run
from ideas.models import Cluster, Idea, IdeaAnalysis, IdeaStatus
from ideas.public_models import IdeaSupport
from nlp.heat import WINDOW, Heat, HeatCounts, expected_share, heat_from_counts

# Ideas that speak for a topic: live ones. Rejected ones were set aside by staff,
# merged ones speak through the idea they were merged into (as its supporters).
HEATED = (*SHOWN_AS_SIMILAR, IdeaStatus.winner)
UNTHEMED = "未归类"


def merged_supporters(campaign):
    """(idea id, n): the distinct authors of the duplicates merged into an idea,
    its own author aside (co-proposers are among them)."""
    duplicate = aliased(Idea)
    return (select(duplicate.merged_into_id.label("idea_id"),
                   func.count(distinct(duplicate.author_id)).label("n"))
            .join(Idea, Idea.id == duplicate.merged_into_id)
            .where(duplicate.campaign_id == campaign.id, duplicate.status == IdeaStatus.merged,
                   duplicate.author_id != Idea.author_id)
            .group_by(duplicate.merged_into_id))


def citizen_supports(campaign):
    """(idea id, n): the citizens who support (附议) an idea on its public page."""
    return (select(IdeaSupport.idea_id.label("idea_id"), func.count().label("n"))
            .join(Idea, Idea.id == IdeaSupport.idea_id)
            .where(Idea.campaign_id == campaign.id)
            .group_by(IdeaSupport.idea_id))


# Where an idea's supporters come from: each gives (idea id, n) rows for a
# campaign, and an idea's supporter count is their sum.
SUPPORT_SOURCES = [merged_supporters, citizen_supports]


def supporter_counts(campaign):
    """Subquery (idea_id, supporters) over every source of ``SUPPORT_SOURCES``."""
    sources = [source(campaign) for source in SUPPORT_SOURCES]
    rows = (union_all(*sources) if len(sources) > 1 else sources[0]).subquery()
    return (select(rows.c.idea_id, func.sum(rows.c.n).label("supporters"))
            .group_by(rows.c.idea_id).subquery())


def theme_of_idea():
    """The theme an idea counts under: the one staff confirmed, else the one
    the analysis assigned, else the author's choice."""
    return case((Idea.theme_confirmed_by_id.is_not(None), Idea.theme_id),
                else_=func.coalesce(IdeaAnalysis.suggested_theme_id, Idea.theme_id))


def members(campaign, topic, *columns, support=None):
    """The live, on-topic ideas of the campaign, with ``topic`` (a column
    naming what each belongs to) first and ``columns`` after; joined to the
    ``support`` subquery (:func:`supporter_counts`) when columns read it."""
    stmt = select(topic.label("topic"), *columns).select_from(Idea).join(IdeaAnalysis)
    if support is not None:
        stmt = stmt.outerjoin(support, support.c.idea_id == Idea.id)
    return stmt.where(Idea.campaign_id == campaign.id, Idea.status.in_(HEATED),
                      or_(IdeaAnalysis.theme_status.is_(None), IdeaAnalysis.theme_status != "off_topic"))


def _cluster_topic(run):
    return case((IdeaAnalysis.cluster_id.in_(select(Cluster.id).where(Cluster.run_id == run.id)),
                 IdeaAnalysis.cluster_id))


def heat_by(campaign, topic, at=None):
    """{topic: nlp.heat.Heat} for every topic with at least one live idea."""
    at = at or clock()
    support = supporter_counts(campaign)
    supporters = func.coalesce(func.sum(support.c.supporters), 0)
    recent = func.coalesce(func.sum(case((Idea.submitted_at >= at - WINDOW, 1), else_=0)), 0)
    totals = db.session.execute(
        members(campaign, topic, func.count(), func.count(distinct(Idea.author_id)), supporters, recent,
                support=support).group_by(topic))
    regions = {}
    for key, _, n in db.session.execute(members(campaign, topic, Idea.region, func.count())
                                        .where(Idea.region.is_not(None)).group_by(topic, Idea.region)):
        regions.setdefault(key, []).append(n)
    expected = expected_share(at, campaign.submit_opens_at)
    return {key: heat_from_counts(HeatCounts(size, proposers, int(backers), int(late),
                                             tuple(regions.get(key, ()))), expected)
            for key, size, proposers, backers, late in totals}


@dataclass
class HotCluster:
    cluster: Cluster
    theme: str
    heat: Heat


@dataclass
class HotTheme:
    theme_id: int | None
    name: str
    heat: Heat


def hot_clusters(campaign, at=None):
    """The latest run's clusters with their heat, hottest first (ties: larger, then older)."""
    run = latest_cluster_run(campaign)
    if run is None:
        return []
    heats = heat_by(campaign, _cluster_topic(run), at)
    names = {t.id: t.name for t in campaign.themes}
    found = [HotCluster(c, names.get(c.scope_theme_id, UNTHEMED), heats[c.id])
             for c in run.clusters if c.id in heats]
    return sorted(found, key=lambda h: (-h.heat.score, -h.heat.size, h.cluster.id))


def hot_themes(campaign, at=None):
    """Every theme with its heat, hottest first; ideas of no theme last, as 未归类."""
    heats = heat_by(campaign, theme_of_idea(), at)
    empty = heat_from_counts(HeatCounts(0, 0, 0, 0), 1.0)
    found = [HotTheme(t.id, t.name, heats.get(t.id, empty)) for t in campaign.themes]
    found.sort(key=lambda h: -h.heat.score)
    if None in heats:
        found.append(HotTheme(None, UNTHEMED, heats[None]))
    return found


def rise(campaign, clusters, at=None):
    """How ``clusters`` grew: (days, [(cluster, cumulative live ideas on each day)])
    from the campaign's opening to today or its close, whichever is first."""
    if not clusters:
        return [], []
    at = at or clock()
    ids = [c.id for c in clusters]
    day = func.date(Idea.submitted_at, type_=Date)
    topic = IdeaAnalysis.cluster_id
    daily = {}
    for key, when, n in db.session.execute(
            members(campaign, topic, day, func.count()).where(topic.in_(ids))
            .group_by(topic, day)):
        when = when if isinstance(when, date) else date.fromisoformat(str(when))
        daily.setdefault(key, {})[when] = n
    first = campaign.submit_opens_at.date()
    last = min(at, campaign.submit_closes_at).date()
    starts = [min(d) for d in daily.values()]
    first = min([first, *starts])
    days = [first + timedelta(days=n) for n in range((max(last, first) - first).days + 1)]
    series = []
    for cluster in clusters:
        total, counts = 0, []
        for d in days:
            total += daily.get(cluster.id, {}).get(d, 0)
            counts.append(total)
        series.append((cluster, counts))
    return days, series
