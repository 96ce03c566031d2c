"""Reads for the text-mining pages: similar ideas, dashboard counts, clusters,
the off-topic queue and the 待人工确认 dial. Nothing here writes, not even to
the in-memory index (``analysis_services.catch_up_index`` does that)."""
from collections import Counter

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.campaigns.queries import theme_by_code
from app.extensions import db, nlp
from ideas.models import (UNANALYSED, AnalysisTally, Cluster, ClusterRun, Idea, IdeaAnalysis, IdeaStatus,
                          NlpJob)
from ideas.queries import idea_counts
from ideas.services import ANALYSED

# What a citizen may be pointed to: live ideas, not rejected or merged ones.
SHOWN_AS_SIMILAR = (IdeaStatus.submitted, IdeaStatus.accepted, IdeaStatus.shortlisted, IdeaStatus.finalist)


def themes_as_dicts(campaign):
    return [{"code": t.code, "name": t.name, "description": t.description, "keywords": t.keyword_list,
             "is_other": t.is_other} for t in campaign.themes]


def fresh_analyses(campaign, watermark):
    """(idea id, tokens) of analysed ideas past an index's watermark, in id order."""
    return db.session.execute(
        select(IdeaAnalysis.idea_id, IdeaAnalysis.tokens).join(Idea)
        .where(Idea.campaign_id == campaign.id, IdeaAnalysis.idea_id > watermark,
               Idea.status.in_(ANALYSED)).order_by(IdeaAnalysis.idea_id)).all()


def _unanalysed(stmt, campaign):
    # The partial index ix_idea_analyses_unanalysed holds exactly these analyses.
    return stmt.select_from(IdeaAnalysis).join(Idea).where(
        UNANALYSED, Idea.campaign_id == campaign.id, Idea.status.in_(ANALYSED))


def unanalysed_ideas(campaign):
    """Analysed ideas (by number) the themes have not read in their present text:
    submitted since the last rebuild, for the update to take in."""
    return db.session.scalars(_unanalysed(select(Idea), campaign).order_by(Idea.seq, Idea.id)
                              .options(selectinload(Idea.analysis))).all()


def unanalysed_count(campaign):
    return db.session.scalar(_unanalysed(select(func.count()), campaign))


def _live(hits, statuses, top_k):
    """[(idea, score)] for the hits whose idea exists and has one of ``statuses``."""
    if not hits:
        return []
    ideas = {i.id: i for i in db.session.scalars(select(Idea).where(Idea.id.in_([h for h, _ in hits])))}
    return [(ideas[i], score) for i, score in hits
            if i in ideas and ideas[i].status in statuses][:top_k]


def similar_ideas(campaign, tokens, exclude=None, top_k=5, min_score=None, statuses=SHOWN_AS_SIMILAR):
    """[(idea, score)] from the campaign's index, as it stands."""
    entry = nlp.similar_index(campaign.id)
    if entry is None or not tokens:
        return []
    return _live(entry.query(tokens, top_k=top_k + 5, min_score=min_score, exclude=exclude), statuses, top_k)


def similar_lookup(campaign, tokens, top_k=5):
    """(可能重复, 相关建议) for a text being written: two lists of (idea, score),
    the first above the index's duplicate floor, the second ranked below it."""
    entry = nlp.similar_index(campaign.id)
    if entry is None or not tokens:
        return [], []
    found = entry.lookup(tokens, top_k=top_k + 5)
    return (_live(found.duplicates, SHOWN_AS_SIMILAR, len(found.duplicates)),
            _live(found.related, SHOWN_AS_SIMILAR, top_k))


def theme_suggestion(campaign, tokens):
    """{code, name, confidence} of the theme to suggest while a citizen types,
    or None (too little text, or not a proposal for this campaign)."""
    if not tokens:
        return None
    model = nlp.theme_model(campaign.id, themes_as_dicts(campaign), current_app.config["NLP_THEME_THRESHOLD"])
    result = model.analyse([tokens])[0]
    theme = theme_by_code(campaign, result.best) if result.best and result.status != "off_topic" else None
    if theme is None:
        return None
    return {"code": theme.code, "name": theme.name, "confidence": round(result.confidence, 3)}


def theme_dial(campaign, thresholds):
    """For each 待人工确认 threshold, how many on-topic ideas not yet confirmed
    by staff it would send to them (``nlp.calibration.staff_load``), counted
    in one pass by the database: over the kept tallies on PostgreSQL."""
    from nlp.calibration import dial_rows

    if _tallied():
        bucket, weight = AnalysisTally.bucket, AnalysisTally.confidence_sum
        counts = [func.coalesce(func.sum(AnalysisTally.n), 0)]
        for threshold in thresholds:
            above = bucket >= round(threshold * 100)
            counts += [func.coalesce(func.sum(AnalysisTally.n).filter(above), 0),
                       func.coalesce(func.sum(weight).filter(above), 0)]
        stmt = select(*counts).where(
            AnalysisTally.campaign_id == campaign.id, AnalysisTally.status.in_([s.name for s in ANALYSED]),
            AnalysisTally.confirmed.is_(False), AnalysisTally.theme_status.in_(("assigned", "needs_review")))
    else:
        counts = [func.count()]
        for threshold in thresholds:
            above = IdeaAnalysis.confidence >= threshold
            counts += [func.count().filter(above),
                       func.coalesce(func.sum(IdeaAnalysis.confidence).filter(above), 0)]
        stmt = select(*counts).select_from(Idea).join(IdeaAnalysis).where(
            Idea.campaign_id == campaign.id, Idea.status.in_(ANALYSED), Idea.theme_confirmed_by_id.is_(None),
            IdeaAnalysis.theme_status.in_(("assigned", "needs_review")))
    row = db.session.execute(stmt).one()
    return dial_rows(int(row[0]), [(threshold, int(row[1 + 2 * n]), row[2 + 2 * n])
                                   for n, threshold in enumerate(thresholds)])


def _tallied():
    """Whether the database keeps ``AnalysisTally`` (PostgreSQL's triggers do)."""
    return db.session.get_bind().dialect.name == "postgresql"


def _off_topic(stmt, campaign, kind=None):
    stmt = stmt.where(Idea.campaign_id == campaign.id, Idea.status == IdeaStatus.submitted,
                      IdeaAnalysis.theme_status == "off_topic")
    return stmt.where(IdeaAnalysis.gate_kind == kind) if kind else stmt


def _off_topic_statement(campaign, kind=None):
    return _off_topic(select(Idea).join(IdeaAnalysis), campaign, kind)


def off_topic_page(campaign, kind, page, per_page):
    """不属于本次征集: submitted ideas the gate set aside, those it was least
    sure of first (staff read them; the rest they can decide in bulk)."""
    stmt = _off_topic_statement(campaign, kind).options(selectinload(Idea.analysis),
                                                        selectinload(Idea.author))
    # Ordered as ix_idea_analyses_off_topic is, backwards; counted from the tallies.
    found = db.paginate(stmt.order_by(IdeaAnalysis.on_topic_probability.desc(), IdeaAnalysis.idea_id.desc()),
                        page=page, per_page=per_page, error_out=False, count=False)
    kinds = off_topic_kinds(campaign)
    found.total = kinds.get(kind, 0) if kind else sum(kinds.values())
    return found


def off_topic_ideas(campaign, kind=None, ids=None):
    """The queue's ideas (all under the filter, or those of ``ids`` among them)."""
    stmt = _off_topic_statement(campaign, kind)
    if ids is not None:
        stmt = stmt.where(Idea.id.in_(ids))
    return db.session.scalars(stmt.options(selectinload(Idea.analysis)).order_by(Idea.id)).all()


def off_topic_kinds(campaign):
    """{gate kind: ideas in the queue}, for the filter."""
    if _tallied():
        stmt = select(AnalysisTally.gate_kind, func.sum(AnalysisTally.n)).where(
            AnalysisTally.campaign_id == campaign.id, AnalysisTally.status == IdeaStatus.submitted.name,
            AnalysisTally.theme_status == "off_topic").group_by(AnalysisTally.gate_kind)
        return {kind: int(n) for kind, n in db.session.execute(stmt).all() if n}
    stmt = _off_topic(select(IdeaAnalysis.gate_kind, func.count()).select_from(Idea).join(IdeaAnalysis),
                      campaign)
    return dict(db.session.execute(stmt.group_by(IdeaAnalysis.gate_kind)).all())


def counts_by(campaign, by):
    """Analysed ideas by "theme_id" or "region" (``ideas.queries.idea_counts``)."""
    return Counter(idea_counts(campaign, by, ANALYSED))


def counts_by_day(campaign):
    return sorted((day, n) for day, n in idea_counts(campaign, "day", ANALYSED).items() if day is not None)


def review_queue(campaign, limit=200):
    """待人工确认: analysed ideas no theme was confident enough for, not yet confirmed by staff."""
    return db.session.scalars(
        select(Idea).join(IdeaAnalysis).where(
            Idea.campaign_id == campaign.id, Idea.status.in_(ANALYSED),
            IdeaAnalysis.theme_status == "needs_review",
            Idea.theme_confirmed_by_id.is_(None))
        .options(selectinload(Idea.theme), selectinload(Idea.analysis).options(
            selectinload(IdeaAnalysis.secondary_theme))).order_by(Idea.id).limit(limit)).all()


def latest_cluster_run(campaign):
    """The campaign's last clustering; its clusters carry ids over from earlier ones."""
    return db.session.scalar(select(ClusterRun).where(ClusterRun.campaign_id == campaign.id)
                             .order_by(ClusterRun.id.desc()).limit(1))


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
