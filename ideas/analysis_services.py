"""Text mining of a campaign's ideas: segment once, assign themes, cluster,
extract keywords and keep the similar-ideas index. Heavy work runs here, in
the CLI or a background job, never in a request."""
import threading
import uuid
from collections import defaultdict

from flask import current_app
from sqlalchemy import select

from app.audit.services import log_action
from app.campaigns.models import Campaign
from app.extensions import db, nlp
from app.states import move
from app.timeutil import now
from ideas import services as idea_services
from ideas.models import Cluster, ClusterRun, Idea, JobState, NlpJob
from ideas.services import ANALYSED, store_tokens, text_hash, text_of

MIN_CLUSTER_GROUP = 8
MIN_IDEAS_FOR_THEMES = 10


def themes_as_dicts(campaign):
    return [{"code": t.code, "name": t.name, "description": t.description, "keywords": t.keyword_list,
             "is_other": t.is_other} for t in campaign.themes]


def rebuild(campaign, progress=lambda done, total, message: None, seed=0):
    """Re-assign themes, re-cluster and re-index every idea of the campaign.
    Only ideas whose text changed are segmented again."""
    # scikit-learn and the models load when a rebuild runs, not with every web worker.
    from nlp.cluster import IdeaClusterer
    from nlp.features import TokenCorpus
    from nlp.keywords import KeywordExtractor
    from nlp.segmenter import segment_many
    from nlp.similar import SimilarIdeas
    from nlp.themes import ThemeAssigner

    ideas = db.session.scalars(select(Idea).where(Idea.campaign_id == campaign.id, Idea.status.in_(ANALYSED))
                               .order_by(Idea.id)).all()
    total = len(ideas) + 4
    progress(0, total, "分词")
    stale = [i for i in ideas if i.analysis is None or i.analysis.text_hash != text_hash(text_of(i))]
    segmented = segment_many([text_of(i) for i in stale], n_jobs=2, segmenter=nlp.segmenter)
    for done, (idea, tokens) in enumerate(zip(stale, segmented), start=1):
        store_tokens(idea, tokens, text_hash(text_of(idea)))
        if done % 500 == 0:
            progress(done, total, f"分词 {done}/{len(stale)}")
    progress(len(ideas), total, "主题归类")
    if not ideas:
        progress(total, total, "没有可分析的建议")
        return None
    docs = TokenCorpus([i.analysis.tokens for i in ideas])
    themes = themes_as_dicts(campaign)
    theme_by_code = {t.code: t for t in campaign.themes}
    labels = [i.theme.code if i.theme_confirmed_by_id and i.theme else None for i in ideas]
    strategy, codes, confidences = "too_few", [None] * len(ideas), [None] * len(ideas)
    if len(ideas) >= MIN_IDEAS_FOR_THEMES:
        assigner = ThemeAssigner(themes, min_per_theme=current_app.config["NLP_MIN_LABELS_PER_THEME"],
                                 threshold=current_app.config["NLP_THEME_THRESHOLD"])
        try:
            assigner.fit(docs, labels)
        except ValueError:
            # Early in a campaign the ideas may share too few words to learn
            # from; the citizens' own choice of theme stands until then.
            pass
        else:
            strategy = assigner.strategy_
            codes, confidences = assigner.assign(docs)
    try:
        keywords = KeywordExtractor(top_n=8).fit_extract(docs)
    except ValueError:
        # Every word is in most ideas (a handful of alike ideas): keep the common ones too.
        keywords = KeywordExtractor(top_n=8, max_df=1.0).fit_extract(docs)
    for idea, code, confidence, words in zip(ideas, codes, confidences, keywords):
        idea.analysis.suggested_theme_id = theme_by_code[code].id if code else None
        idea.analysis.confidence = None if confidence is None else float(confidence)
        idea.analysis.keywords = " ".join(word for word, _ in words)

    progress(len(ideas) + 1, total, "聚类")
    run = ClusterRun(campaign_id=campaign.id, strategy=strategy)
    db.session.add(run)
    db.session.flush()
    group_summaries = []
    groups = defaultdict(list)
    for n, idea in enumerate(ideas):
        theme_id = idea.theme_id if idea.theme_confirmed_by_id else idea.analysis.suggested_theme_id
        groups[theme_id].append(n)
    for theme_id, rows in sorted(groups.items(), key=lambda item: (item[0] is None, item[0] or 0)):
        if len(rows) < MIN_CLUSTER_GROUP:
            continue
        try:
            clusterer = IdeaClusterer(themes=themes, k_range=(2, max(2, min(12, len(rows) // 6))),
                                      random_state=seed).fit(docs[rows])
        except ValueError as exc:
            # Ideas too alike to tell apart (no word both shared and distinctive): one group left whole.
            group_summaries.append({"theme_id": theme_id, "n_ideas": len(rows), "skipped": str(exc)})
            continue
        summary = clusterer.summary()
        group_summaries.append({"theme_id": theme_id, "n_ideas": len(rows),
                                      **{k: summary[k] for k in ("params", "n_clusters", "silhouette",
                                                                 "inertia", "k_scores")}})
        made = []
        for info in summary["clusters"]:
            nearest = theme_by_code.get(info["theme"]) if info["theme"] else None
            made.append(Cluster(run_id=run.id, scope_theme_id=theme_id, name=info["name"][:100],
                                terms=" ".join(info["terms"]), size=info["size"],
                                nearest_theme_id=nearest.id if nearest else None,
                                theme_score=info["theme_score"]))
        db.session.add_all(made)
        db.session.flush()
        for row, label in zip(rows, clusterer.labels_):
            ideas[row].analysis.cluster_id = made[int(label)].id
    # Assigned whole, not appended to: a JSON column does not see in-place changes.
    run.summary = {"groups": group_summaries}
    db.session.flush()

    progress(len(ideas) + 2, total, "相似建议索引")
    try:
        index = SimilarIdeas(top_k=5, min_score=current_app.config["NLP_SIMILAR_MIN_SCORE"]).fit(
            [i.analysis.tokens for i in ideas], [i.id for i in ideas])
    except ValueError:
        index = None  # no idea has a usable word yet: nothing to compare with
    if index is not None:
        nlp.save_index(campaign.id, index, max(i.id for i in ideas))
    progress(total, total, "完成")
    return run


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


# --- Background rebuilds ---------------------------------------------------------------------

def start_rebuild(campaign, actor):
    """Queue a rebuild: RQ on Redis when REDIS_URL is set, a local thread otherwise.
    The request that asks for it only writes the job row."""
    job = NlpJob(campaign_id=campaign.id, queue_id=uuid.uuid4().hex)
    db.session.add(job)
    db.session.flush()
    log_action(actor, "nlp.rebuild", campaign, job=job.id)
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
    """The worker side: runs the rebuild, committing progress as it goes."""
    job = db.session.get(NlpJob, job_id)
    move(job, JobState.running)
    db.session.commit()

    def progress(done, total, message):
        job.done, job.total, job.message = done, total, message
        db.session.commit()

    try:
        rebuild(db.session.get(Campaign, job.campaign_id), progress)
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

