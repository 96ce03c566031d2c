"""Text-mining pages: the similar-ideas hint, the theme dashboard and its dial,
the off-topic queue, clusters, rebuilds."""
from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.decorators import roles_required, staff_required
from app.auth.models import Role
from app.campaigns.queries import current_campaign_or_404, theme_by_code, theme_choices
from app.extensions import db, nlp
from app.forms import choices
from app.ratelimits import max_request_bytes, per_account_and_address
from app.regions import REGIONS
from app.timeutil import now
from app.viewutil import after_arg, attempt, back_or, current_actor, page_arg, run_form
from ideas import analysis_queries as queries
from ideas import group_queries, groups
from ideas import analysis_services as services
from ideas import heat_queries
from ideas import queries as idea_queries
from ideas.forms import OffTopicForm, ThemeConfirmForm
from ideas.group_forms import ClusterDecisionForm
from ideas.models import Idea, NlpJob

bp = Blueprint("analysis", __name__, template_folder="templates")
MAX_QUERY_CHARS = 2000


@bp.route("/similar", methods=["POST"])
@roles_required(Role.citizen, Role.staff, Role.admin)
@per_account_and_address("similar", "查询太频繁，请稍后再试。")
# Percent-encoded, a Chinese character takes 9 bytes; a longer request is not the hint's.
@max_request_bytes(9 * MAX_QUERY_CHARS + 1024, "查询的文字太长。")
def similar():
    """While a citizen writes: ideas already submitted that look like it. The
    text comes in the body (a long one would not fit a URL). Reviewers get no
    look-up: pasting an assigned idea would find it. The tracking code and its
    link only for ideas the asker may open (their own, or everything for staff)."""
    campaign = current_campaign_or_404()
    text = (request.form.get("text") or "")[:MAX_QUERY_CHARS]
    tokens = nlp.segmenter.segment(text) if len(text.strip()) >= 4 else ""
    services.catch_up_index(campaign)
    duplicates, related = queries.similar_lookup(campaign, tokens)
    floor = current_app.config["NLP_SIMILAR_MIN_SCORE"]
    # ``items``: the one list of earlier pages, kept for clients that read it.
    return jsonify(duplicates=[_similar_item(*hit) for hit in duplicates],
                   related=[_similar_item(*hit) for hit in related],
                   items=[_similar_item(*hit) for hit in duplicates + related if hit[1] >= floor][:5],
                   theme=queries.theme_suggestion(campaign, tokens))


def _similar_item(idea, score):
    """A public idea leads to its page, where the writer can support it or add to it; the
    writer's own ideas (all, for staff) to their tracking page. Of anyone else's idea, not
    even the title: it may not be screened yet, and its author did not agree to show it."""
    item = {"title": idea.title, "status": idea.status.label, "score": round(score, 3)}
    if idea.can_view(current_user):
        item.update(code=idea.tracking_code, url=url_for("ideas.track", code=idea.tracking_code))
    elif idea.is_public:
        item.update(code=idea.tracking_code, url=url_for("ideas.public_idea", code=idea.tracking_code))
    else:
        item.update(title="一条尚未公开的类似建议", status="不公开")
    return item


@bp.route("/")
@staff_required
def dashboard():
    campaign = current_campaign_or_404()
    by_theme = queries.counts_by(campaign, "theme_id")
    themes = [(t.name, by_theme.get(t.id, 0)) for t in campaign.themes]
    by_region = queries.counts_by(campaign, "region")
    regions = [(r, by_region.get(r, 0)) for r in REGIONS]
    job = _checked(queries.latest_job(campaign))
    thresholds = current_app.config["NLP_DIAL_THRESHOLDS"]
    return render_template(
        "ideas/analysis/dashboard.html", campaign=campaign, themes=themes, regions=regions,
        days=[(d.strftime("%m-%d"), n) for d, n in queries.counts_by_day(campaign)],
        run=queries.latest_cluster_run(campaign), job=job, unanalysed=queries.unanalysed_count(campaign),
        review_queue=queries.review_queue(campaign), theme_names={t.id: t.name for t in campaign.themes},
        dial=queries.theme_dial(campaign, thresholds), threshold=current_app.config["NLP_THEME_THRESHOLD"],
        off_topic=sum(queries.off_topic_kinds(campaign).values()))


GATE_KINDS = {"complaint": "具体诉求或求助", "advert": "广告或商业信息", "empty": "内容过少"}


@bp.route("/off-topic", methods=["GET", "POST"])
@staff_required
def off_topic():
    """不属于本次征集: what the gate set aside, decided in bulk. A refused
    batch shows the page again with the same boxes ticked."""
    campaign = current_campaign_or_404()
    kind = request.args.get("kind") if request.args.get("kind") in GATE_KINDS else None
    form = OffTopicForm()
    if form.validate_on_submit():
        ideas = (queries.off_topic_ideas(campaign, kind) if form.scope.data == "all"
                 else idea_queries.ideas_by_ids(campaign, form.idea_ids.data))
        ok, done = attempt(lambda: services.decide_off_topic(ideas, form.decision.data, current_actor(),
                                                             form.reason.data), form, "idea_ids")
        if ok:
            flash(f"已处理 {len(done)} 条：{services.OFF_TOPIC_DECISIONS[form.decision.data]}。", "success")
            return redirect(url_for("analysis.off_topic", kind=kind))
    page = queries.off_topic_page(campaign, kind, page_arg(), current_app.config["SCREENING_PAGE_SIZE"])
    return render_template("ideas/analysis/off_topic.html", form=form, page=page, kind=kind, kinds=GATE_KINDS,
                           counts=queries.off_topic_kinds(campaign), selected=set(form.idea_ids.data or ()),
                           doubt=current_app.config["NLP_OFF_TOPIC_DOUBT"])


# Topics drawn on the 热点 page's chart: more lines than this no longer read on a phone.
RISE_TOPICS = 5


@bp.route("/hot")
@staff_required
def hot():
    """热点: clusters and themes by heat, and how the hottest rose day by day."""
    campaign, at = current_campaign_or_404(), now()
    clusters = heat_queries.hot_clusters(campaign, at)
    days, series = heat_queries.rise(campaign, [h.cluster for h in clusters[:RISE_TOPICS]], at)
    return render_template("ideas/analysis/hot.html", campaign=campaign, clusters=clusters,
                           themes=heat_queries.hot_themes(campaign, at), days=days, series=series,
                           window_days=heat_queries.WINDOW.days)


@bp.route("/clusters/<int:cluster_id>", methods=["GET", "POST"])
@staff_required
def cluster(cluster_id):
    """A cluster as a work unit, a page at a time: its representative ideas
    first; the ticked ones accepted and the rest of the page set aside with one
    reason, in one decision that covers exactly the units the page showed."""
    campaign = current_campaign_or_404()
    found = queries.cluster_of_campaign(cluster_id, campaign)
    if found is None:
        abort(404)
    form = ClusterDecisionForm()
    if form.validate_on_submit():
        ok, counts = attempt(lambda: groups.decide_cluster(
            found, form.shown.data or (), form.shown_groups.data or (), form.idea_ids.data or (),
            current_actor(), form.reason.data, form.credit.data), form, "reason")
        if ok:
            flash(f"已采纳 {counts[0]} 项，其余 {counts[1]} 项不予采纳。", "success")
            return redirect(url_for("analysis.cluster", cluster_id=found.id, after=after_arg()))
    size = group_queries.CLUSTER_PAGE_SIZE
    return render_template("ideas/analysis/cluster.html", cluster=found, form=form, page_size=size,
                           page=group_queries.cluster_page(found, after_arg(), size),
                           pending=group_queries.pending_unit_count(found),
                           representatives=set(found.representatives or ()),
                           selected=set(form.idea_ids.data or ()))


def _start(kind):
    campaign = current_campaign_or_404()
    ok, job = attempt(lambda: services.start_rebuild(campaign, current_actor(), kind))
    if ok:
        services.dispatch(current_app._get_current_object(), job.id)
        flash(f"已在后台开始{NlpJob.KIND_LABELS[kind]}，本页会显示进度。", "success")
    return redirect(url_for("analysis.dashboard"))


@bp.route("/rebuild", methods=["POST"])
@staff_required
def rebuild():
    return _start("rebuild")


@bp.route("/update", methods=["POST"])
@staff_required
def update():
    """Only what came in since the last rebuild, with the models it fitted."""
    return _start("update")


def _checked(job):
    """The job, marked failed first if its background worker died."""
    if job is not None and services.fail_abandoned(current_app, job):
        db.session.commit()
    return job


@bp.route("/jobs/<int:job_id>")
@staff_required
def job_status(job_id):
    job = _checked(db.get_or_404(NlpJob, job_id))
    return jsonify(state=job.state, label=NlpJob.STATE_LABELS[job.state], done=job.done, total=job.total,
                   percent=job.percent, message=job.message)


@bp.route("/ideas/<int:idea_id>/theme", methods=["POST"])
@staff_required
def confirm_theme(idea_id):
    idea = db.get_or_404(Idea, idea_id)
    form = ThemeConfirmForm(prefix=f"theme{idea.id}")
    names = dict(theme_choices(idea.campaign))
    form.theme.choices = choices(names.items())
    return run_form(form, lambda form: services.confirm_theme(
                        idea, theme_by_code(idea.campaign, form.theme.data), current_actor()),
                    f"{idea.tracking_code} 的主题已确认为“{names.get(form.theme.data, '')}”。",
                    back_or(url_for("ideas.detail", idea_id=idea.id)))
