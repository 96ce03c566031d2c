"""Text mining of a campaign's ideas: segment once, assign themes, cluster,
extract keywords and keep the similar-ideas index. Heavy work runs here, in
the CLI or a background job, never in a request."""
import threading
import uuid
from collections import defaultdict
from typing import NamedTuple

from flask import current_app
from sqlalchemy import select

from app.audit.services import log_action
from app.campaigns.models import Campaign
from app.extensions import db, nlp
from app.locks import lock_row
from app.states import move
from app.timeutil import now
from ideas import groups
from ideas import services as idea_services
from ideas.models import Cluster, ClusterRun, Idea, IdeaStatus, JobState, NlpJob
from ideas.analysis_queries import (fresh_analyses, latest_cluster_run, latest_job, themes_as_dicts,
                                   unanalysed_ideas)
from ideas.services import ANALYSED, store_tokens, text_hash, text_of

MIN_CLUSTER_GROUP = 8


class FittedModels(NamedTuple):
    """What a rebuild fitted and an update reuses, published for the worker that runs it."""
    themes: list
    model: object
    strategy: str
    keywords: object


def _segment_stale(ideas, progress, total):
    """Segment the ideas whose text changed since their tokens were stored."""
    from nlp.segmenter import segment_many

    stale = [i for i in ideas if i.analysis is None or i.analysis.text_hash != text_hash(text_of(i))]
    segmented = segment_many([text_of(i) for i in stale], n_jobs=2, segmenter=nlp.segmenter)
    for done, (idea, tokens) in enumerate(zip(stale, segmented), start=1):
        store_tokens(idea, tokens, text_hash(text_of(idea)))
        if done % 500 == 0:
            progress(done, total, f"分词 {done}/{len(stale)}")


def rebuild(campaign, progress=lambda done, total, message: None, seed=0):
    """Re-assign themes, re-cluster and re-index every idea of the campaign.
    Only ideas whose text changed are segmented again."""
    # scikit-learn and the models load when a rebuild runs, not with every web worker.
    from nlp.features import TokenCorpus
    from nlp.keywords import KeywordExtractor
    from nlp.similar import SimilarIdeas
    from nlp.themes import ThemeAssigner

    ideas = db.session.scalars(select(Idea).where(Idea.campaign_id == campaign.id, Idea.status.in_(ANALYSED))
                               .order_by(Idea.id)).all()
    total = len(ideas) + 4
    progress(0, total, "分词")
    _segment_stale(ideas, progress, total)
    progress(len(ideas), total, "主题归类")
    if not ideas:
        progress(total, total, "没有可分析的建议")
        return None
    docs = TokenCorpus([i.analysis.tokens for i in ideas])
    themes = themes_as_dicts(campaign)
    theme_by_code = {t.code: t for t in campaign.themes}
    labels = [i.theme.code if i.theme_confirmed_by_id and i.theme else None for i in ideas]
    texts = [text_of(i) for i in ideas]
    assigner = ThemeAssigner(themes, min_per_theme=current_app.config["NLP_MIN_LABELS_PER_THEME"],
                             threshold=current_app.config["NLP_THEME_THRESHOLD"])
    try:
        model, strategy = assigner.fit(docs, labels, texts=texts), assigner.strategy_
    except ValueError:
        # The staff labels share too few words to learn from: the zero-shot
        # model, fitted first and reading only the theme texts, speaks until they do.
        model, strategy = assigner.zero_shot_, "zero_shot"
    try:
        keywords = KeywordExtractor(top_n=8).fit(docs)
    except ValueError:
        # Every word is in most ideas (a handful of alike ideas): keep the common ones too.
        keywords = KeywordExtractor(top_n=8, max_df=1.0).fit(docs)
    _store_results(ideas, model.analyse(docs, texts=texts), keywords.extract(docs), theme_by_code)

    progress(len(ideas) + 1, total, "聚类")
    previous = latest_cluster_run(campaign)
    run = ClusterRun(campaign_id=campaign.id, strategy=strategy)
    db.session.add(run)
    db.session.flush()
    _cluster(campaign, previous, run, ideas, docs, themes, seed)
    _work_units(campaign, run, ideas, docs)

    progress(len(ideas) + 2, total, "相似建议索引")
    try:
        index = SimilarIdeas(top_k=5, min_score=current_app.config["NLP_SIMILAR_MIN_SCORE"]).fit(
            [i.analysis.tokens for i in ideas], [i.id for i in ideas])
    except ValueError:
        index = None  # no idea has a usable word yet: nothing to compare with
    if index is not None:
        nlp.save_index(campaign.id, index, max(i.id for i in ideas))
        nlp.save_models(campaign.id, FittedModels(themes, model, strategy, keywords))
    progress(total, total, "完成")
    return run


def update(campaign, progress=lambda done, total, message: None):
    """Analyse only the ideas submitted since the last rebuild (or not yet read in
    their present text), with the models it fitted: each gets its themes, gate
    decision and keywords, and joins a near-duplicate group (``groups.extend``);
    no other idea is touched, nothing is refitted, and the new ideas join no
    cluster until the next rebuild. Returns how many ideas it read, or None when
    there is no rebuild to go on from (none yet, or the themes changed since):
    then only a rebuild will do."""
    from nlp.features import TokenCorpus

    fitted = nlp.rebuild_models(campaign.id)
    entry = nlp.similar_index(campaign.id)
    if fitted is None or entry is None or fitted.themes != themes_as_dicts(campaign):
        return None
    ideas = unanalysed_ideas(campaign)
    total = len(ideas) + 2
    progress(0, total, "分词")
    _segment_stale(ideas, progress, total)
    progress(len(ideas), total, "主题归类")
    docs = TokenCorpus([i.analysis.tokens for i in ideas])
    if ideas:
        theme_by_code = {t.code: t for t in campaign.themes}
        _store_results(ideas, fitted.model.analyse(docs, texts=[text_of(i) for i in ideas]),
                       fitted.keywords.extract(docs), theme_by_code)
    progress(len(ideas) + 1, total, "相似建议与分组")
    entry.catch_up(fresh_analyses(campaign, entry.watermark))
    groups.extend(campaign, ideas, entry.index, current_app.config["NLP_GROUP_MIN_SCORE"])
    progress(total, total, "完成")
    return len(ideas)


def _store_results(ideas, results, keywords, theme_by_code):
    for idea, result, words in zip(ideas, results, keywords):
        _store_result(idea.analysis, result, theme_by_code)
        idea.analysis.keywords = " ".join(word for word, _ in words)
        idea.analysis.analysed_hash = idea.analysis.text_hash


def _store_result(analysis, result, theme_by_code):
    """One ``nlp.themes.ThemeResult`` into the idea's analysis row. An idea
    staff have already called a proposal is never set aside again."""
    status = result.status
    if status == "off_topic" and analysis.gate_overruled_by_id:
        status = "needs_review"
    analysis.theme_status = status
    analysis.confidence = float(result.confidence)
    analysis.suggested_theme_id = theme_by_code[result.primary].id if status == "assigned" else None
    secondary = theme_by_code.get(result.secondary) if result.secondary else None
    analysis.secondary_theme_id = secondary.id if secondary else None
    analysis.secondary_confidence = float(result.secondary_confidence) if secondary else None
    analysis.on_topic_probability = float(result.on_topic_probability)
    gated = status == "off_topic"
    analysis.gate_kind = result.kind if gated else ""
    analysis.gate_reason = result.reason if gated else ""
    analysis.gate_reply = result.reply if gated else ""


def _cluster(campaign, previous, run, ideas, docs, themes, seed):
    """Cluster the on-topic ideas theme by theme. A cluster essentially the
    same as one of the previous run (by members) keeps that row, its id and
    its name; the others are new rows; each says what it came from."""
    from nlp.cluster import IdeaClusterer, match_clusters

    old = {c.id: c for c in previous.clusters} if previous else {}
    groups = defaultdict(list)
    for n, idea in enumerate(ideas):
        idea.analysis.cluster_id = None
        if idea.analysis.theme_status != "off_topic":
            theme_id = idea.theme_id if idea.theme_confirmed_by_id else idea.analysis.suggested_theme_id
            groups[theme_id].append(n)
    code_of = {t.id: t.code for t in campaign.themes}
    found, group_summaries = [], []
    for theme_id, rows in sorted(groups.items(), key=lambda item: (item[0] is None, item[0] or 0)):
        if len(rows) < MIN_CLUSTER_GROUP:
            continue
        inside = set(rows)
        rest = [n for n in range(len(ideas)) if n not in inside]
        y = [code_of.get(ideas[n].theme_id if ideas[n].theme_confirmed_by_id
                         else ideas[n].analysis.suggested_theme_id) for n in rows]
        try:
            clusterer = IdeaClusterer(themes=themes, k_range=(2, max(2, min(12, len(rows) // 6))),
                                      random_state=seed).fit(docs[rows], y=y,
                                                             rest=docs[rest] if rest else None)
        except ValueError as exc:
            # Ideas too alike to tell apart (no word both shared and distinctive): one group left whole.
            group_summaries.append({"theme_id": theme_id, "n_ideas": len(rows), "skipped": str(exc)})
            continue
        summary = clusterer.summary()
        group_summaries.append({"theme_id": theme_id, "n_ideas": len(rows),
                                **{k: summary[k] for k in ("params", "n_clusters", "silhouette",
                                                           "inertia", "k_scores")}})
        for label, info in enumerate(summary["clusters"]):
            members = [ideas[row].id for row, got in zip(rows, clusterer.labels_) if got == label]
            found.append((theme_id, info, members))
    matched = match_clusters({i: {"name": c.name, "members": c.members} for i, c in old.items()},
                             [members for _, _, members in found])
    theme_by_code = {t.code: t for t in campaign.themes}
    by_id = {idea.id: idea for idea in ideas}
    for (theme_id, info, members), match in zip(found, matched["clusters"]):
        cluster = old.pop(match["id"]) if match["id"] is not None else Cluster(name=info["name"][:100])
        nearest = theme_by_code.get(info["theme"]) if info["theme"] else None
        cluster.run, cluster.scope_theme_id = run, theme_id
        cluster.terms, cluster.size, cluster.members = " ".join(info["terms"]), len(members), members
        cluster.nearest_theme_id, cluster.theme_score = (nearest.id if nearest else None), info["theme_score"]
        cluster.change, cluster.sources = match["status"], match["from"]
        db.session.add(cluster)
        db.session.flush()
        for idea_id in members:
            by_id[idea_id].analysis.cluster_id = cluster.id
    # Assigned whole, not appended to: a JSON column does not see in-place changes.
    run.summary = {"groups": group_summaries, "removed": [{"id": c.id, "name": c.name} for c in old.values()]}
    db.session.flush()


def _work_units(campaign, run, ideas, docs):
    """Groups of messages that say the same thing, and each cluster's
    representative ideas, from one TF-IDF of the rebuild's ideas."""
    from nlp.features import TokenTfidf
    from nlp.representative import representatives

    for idea in ideas:
        if idea.analysis.worth_score is None:  # analysed before the screening order existed
            idea_services.store_worth(idea)
    try:
        X = TokenTfidf().fit_transform(docs)
    except ValueError:
        return  # no usable word in any idea
    groups.regroup(campaign, ideas, X, current_app.config["NLP_GROUP_MIN_SCORE"])
    row_of = {idea.id: n for n, idea in enumerate(ideas)}
    for cluster in run.clusters:
        ids = [i for i in cluster.members if i in row_of]
        cluster.representatives = [ids[n] for n in representatives(X[[row_of[i] for i in ids]], k=10)]
    db.session.flush()


def confirm_theme(idea, theme, actor):
    """Staff confirm or correct an idea's theme; the next rebuild learns from it."""
    if theme.campaign_id != idea.campaign_id:
        raise idea_services.ScreeningError("主题不属于本次活动")
    old = idea.theme
    idea.theme = theme
    idea.theme_confirmed_by_id = actor.id
    db.session.flush()
    if old is None or old.id != theme.id:
        idea_services.add_note(idea, actor, f"主题由“{old.name if old else '未选择'}”改为“{theme.name}”")
    log_action(actor, "idea.theme", idea, theme=theme.code, old=old.code if old else None)


def catch_up_index(campaign):
    """Add ideas analysed since the last rebuild (by any worker) to this
    process's copy of the similar-ideas index: the one step that writes to it,
    taken before a look-up so that the look-up itself only reads."""
    entry = nlp.similar_index(campaign.id)
    if entry is not None:
        entry.catch_up(fresh_analyses(campaign, entry.watermark))


OFF_TOPIC_DECISIONS = {"reject": "不属于本次征集，不予采纳", "keep": "属于本次征集，退回筛选"}


def decide_off_topic(ideas, decision, actor, reason):
    """One decision for many ideas the gate set aside, all or none (the view
    commits once; a refusal rolls the whole batch back). ``reject`` closes each
    as 不属于本次征集, its own suggested reply kept in its history; ``keep``
    sends it back to screening, and later rebuilds leave it there."""
    if not ideas:
        raise idea_services.ScreeningError("请先勾选要处理的建议")
    idea_services.lock_ideas(*ideas)
    for idea in ideas:
        analysis = idea.analysis
        if (idea.status is not IdeaStatus.submitted or analysis is None
                or analysis.theme_status != "off_topic"):
            raise idea_services.ScreeningError(
                f"{idea.tracking_code} 已不在“不属于本次征集”队列中（可能已有人处理），"
                "本次一条也没有处理，请刷新后重试")
        if decision == "reject":
            reply = f"\n答复：{analysis.gate_reply}" if analysis.gate_reply else ""
            idea_services.reject_locked(idea, actor, f"不属于本次征集。{reason}{reply}")
        else:
            analysis.theme_status, analysis.gate_overruled_by_id = "needs_review", actor.id
            analysis.gate_kind = analysis.gate_reason = analysis.gate_reply = ""
            idea_services.add_note(idea, actor, f"经工作人员确认属于本次征集，退回筛选。{reason}")
            log_action(actor, "idea.on_topic", idea, code=idea.tracking_code, reason=reason)
    db.session.flush()
    return ideas


# --- Background rebuilds ---------------------------------------------------------------------

def start_rebuild(campaign, actor, kind="rebuild"):
    """Queue a rebuild or an update (``NlpJob.KIND_LABELS``): RQ on Redis when
    REDIS_URL is set, a local thread otherwise. The request that asks for it only
    writes the job row. One job at a time per campaign: two would form the same
    groups twice. The campaign row is locked for that check, for the moment the
    request takes to commit."""
    lock_row(Campaign, campaign.id)
    running = latest_job(campaign)
    if running is not None and running.state in (JobState.queued, JobState.running):
        raise idea_services.ScreeningError(
            f"{NlpJob.KIND_LABELS[running.kind]}正在进行，完成后再开始新的分析")
    job = NlpJob(campaign_id=campaign.id, queue_id=uuid.uuid4().hex, kind=kind)
    db.session.add(job)
    db.session.flush()
    log_action(actor, "nlp.update" if kind == "update" else "nlp.rebuild", campaign, job=job.id)
    return job


ABANDONED = "处理这次分析的后台进程意外停止，任务没有完成。请重新开始。"


def _rq_queue(app):
    """The ``nlp`` queue when rebuilds go through RQ, else None."""
    redis_url = app.config.get("REDIS_URL")
    if app.config["NLP_JOB_RUNNER"] == "inline" or not redis_url:
        return None
    from redis import Redis
    from rq import Queue

    return Queue("nlp", connection=Redis.from_url(redis_url))


def dispatch(app, job_id):
    """After the job row is committed: hand it to a worker."""
    if app.config["NLP_JOB_RUNNER"] == "inline":
        run_rebuild_job(job_id)
        return
    queue = _rq_queue(app)
    if queue is not None:
        # Named by the row, so the row can be checked against RQ later (fail_abandoned).
        queue.enqueue("app.worker.run_job", "ideas.analysis_services:run_rebuild_job", job_id,
                      job_id=db.session.get(NlpJob, job_id).queue_id, job_timeout=3600)
    else:
        threading.Thread(target=_run_in_app, args=(app, job_id), daemon=True).start()


def fail_abandoned(app, job):
    """A rebuild whose RQ worker died (killed, out of memory) would stay
    "running" for ever. RQ keeps started jobs in a registry that the worker's
    heartbeat renews; once it lapses, the registry's clean-up fails the job, and
    this marks the row failed too, so staff can start again. Flushes; returns
    whether the row changed."""
    queue = _rq_queue(app)
    if queue is None or job.state not in (JobState.queued, JobState.running) or not job.queue_id:
        return False
    from redis.exceptions import RedisError
    from rq.exceptions import NoSuchJobError
    from rq.job import Job, JobStatus
    from rq.registry import StartedJobRegistry

    try:
        StartedJobRegistry(queue=queue).cleanup()
        status = Job.fetch(job.queue_id, connection=queue.connection).get_status()
    except NoSuchJobError:
        status = None  # Redis lost it (flushed, restarted without persistence): it will never run
    except RedisError:
        return False  # Redis unreachable: nothing known, nothing changed
    if status not in (None, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
        return False
    move(job, JobState.failed)
    job.message, job.finished_at = ABANDONED, now()
    db.session.flush()
    return True


def _run_in_app(app, job_id):
    with app.app_context():
        run_rebuild_job(job_id)


def run_rebuild_job(job_id):
    """The worker side: runs the rebuild (or the update, unless only a rebuild
    will do), committing progress as it goes."""
    job = db.session.get(NlpJob, job_id)
    move(job, JobState.running)
    db.session.commit()

    def progress(done, total, message):
        job.done, job.total, job.message = done, total, message
        db.session.commit()

    try:
        campaign = db.session.get(Campaign, job.campaign_id)
        if job.kind != "update" or update(campaign, progress) is None:
            rebuild(campaign, progress)
        move(job, JobState.done)
        job.finished_at = now()
        db.session.commit()
    except Exception as exc:  # recorded for staff; the worker carries on
        db.session.rollback()
        job = db.session.get(NlpJob, job_id)
        move(job, JobState.failed)
        job.message, job.finished_at = f"{type(exc).__name__}: {exc}"[:500], now()
        db.session.commit()
        current_app.logger.exception("文本分析任务失败")

