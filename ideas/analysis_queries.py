"""Reads for the text-mining pages: similar ideas, dashboard counts, clusters."""
from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db, nlp
from ideas.models import Cluster, ClusterRun, Idea, IdeaAnalysis, IdeaStatus, NlpJob
from ideas.services import ANALYSED

# What a citizen may be pointed to: live ideas, not rejected or merged ones.
SHOWN_AS_SIMILAR = (IdeaStatus.submitted, IdeaStatus.accepted, IdeaStatus.shortlisted, IdeaStatus.finalist)


def similar_ideas(campaign, tokens, exclude=None, top_k=5, min_score=None, statuses=SHOWN_AS_SIMILAR):
    """[(idea, score)] from the index the last rebuild saved, brought up to date
    with ideas analysed since then (added, never refitted)."""
    entry = nlp.similar_index(campaign.id)
    if entry is None or not tokens:
        return []
    with entry.lock:
        fresh = db.session.execute(
            select(IdeaAnalysis.idea_id, IdeaAnalysis.tokens).join(Idea)
            .where(Idea.campaign_id == campaign.id, IdeaAnalysis.idea_id > entry.watermark,
                   Idea.status.in_(ANALYSED)).order_by(IdeaAnalysis.idea_id)).all()
        for idea_id, idea_tokens in fresh:
            entry.index.add(idea_id, idea_tokens)
            entry.watermark = idea_id
        hits = entry.index.query(tokens, top_k=top_k + 5, min_score=min_score, exclude=exclude)
    if not hits:
        return []
    ideas = {i.id: i for i in db.session.scalars(select(Idea).where(Idea.id.in_([h for h, _ in hits])))}
    return [(ideas[i], score) for i, score in hits
            if i in ideas and ideas[i].status in statuses][:top_k]


def counts_by(campaign, column):
    rows = db.session.execute(
        select(column, func.count()).where(Idea.campaign_id == campaign.id, Idea.status.in_(ANALYSED))
        .group_by(column)).all()
    return Counter({key: n for key, n in rows})


def counts_by_day(campaign):
    days = Counter()
    for (submitted_at,) in db.session.execute(select(Idea.submitted_at).where(
            Idea.campaign_id == campaign.id, Idea.status.in_(ANALYSED))):
        days[submitted_at.date()] += 1
    return sorted(days.items())


def review_queue(campaign, limit=200):
    """待人工确认: analysed ideas no theme was confident enough for, not yet confirmed by staff."""
    return db.session.scalars(
        select(Idea).join(IdeaAnalysis).where(
            Idea.campaign_id == campaign.id, Idea.status.in_(ANALYSED), IdeaAnalysis.suggested_theme_id.is_(None),
            IdeaAnalysis.confidence.is_not(None), Idea.theme_confirmed_by_id.is_(None))
        .options(selectinload(Idea.theme), selectinload(Idea.analysis)).order_by(Idea.id).limit(limit)).all()


def latest_cluster_run(campaign):
    return db.session.scalar(select(ClusterRun).where(ClusterRun.campaign_id == campaign.id)
                             .order_by(ClusterRun.id.desc()).limit(1))


def cluster_ideas(cluster):
    return db.session.scalars(select(Idea).join(IdeaAnalysis).where(IdeaAnalysis.cluster_id == cluster.id)
                              .options(selectinload(Idea.theme)).order_by(Idea.id)).all()


def latest_job(campaign):
    return db.session.scalar(select(NlpJob).where(NlpJob.campaign_id == campaign.id)
                             .order_by(NlpJob.id.desc()).limit(1))


def cluster_of_campaign(cluster_id, campaign):
    cluster = db.session.get(Cluster, cluster_id)
    return cluster if cluster is not None and cluster.run.campaign_id == campaign.id else None


def likely_duplicates(campaign, ideas, min_score, top_k=1):
    """{idea id: [(other idea, score)]} for ideas whose text nearly repeats
    another live idea: candidates for merging."""
    found = {}
    for idea in ideas:
        if idea.analysis is not None:
            hits = similar_ideas(campaign, idea.analysis.tokens, exclude=idea.id, top_k=top_k,
                                 min_score=min_score, statuses=(IdeaStatus.submitted, IdeaStatus.accepted))
            if hits:
                found[idea.id] = hits
    return found
