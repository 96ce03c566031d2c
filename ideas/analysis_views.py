"""Text-mining pages: the similar-ideas hint, the theme dashboard, clusters, rebuilds."""
from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.decorators import roles_required, staff_required
from app.auth.models import Role
from app.campaigns.queries import current_campaign_or_404, theme_by_code, theme_choices
from app.extensions import db, nlp
from app.forms import choices
from app.ratelimits import max_request_bytes, per_account_and_address
from app.regions import REGIONS
from app.viewutil import back_or, current_actor, run_form
from ideas import analysis_queries as queries
from ideas import analysis_services as services
from ideas.forms import ThemeConfirmForm
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
    items = []
    for idea, score in queries.similar_ideas(campaign, tokens):
        item = {"title": idea.title, "status": idea.status.label, "score": round(score, 3)}
        if idea.can_view(current_user):
            item.update(code=idea.tracking_code, url=url_for("ideas.track", code=idea.tracking_code))
        items.append(item)
    return jsonify(items=items)


@bp.route("/")
@staff_required
def dashboard():
    campaign = current_campaign_or_404()
    by_theme = queries.counts_by(campaign, Idea.theme_id)
    themes = [(t.name, by_theme.get(t.id, 0)) for t in campaign.themes]
    by_region = queries.counts_by(campaign, Idea.region)
    regions = [(r, by_region.get(r, 0)) for r in REGIONS]
    job = _checked(queries.latest_job(campaign))
    return render_template(
        "ideas/analysis/dashboard.html", campaign=campaign, themes=themes, regions=regions,
        days=[(d.strftime("%m-%d"), n) for d, n in queries.counts_by_day(campaign)],
        run=queries.latest_cluster_run(campaign), job=job,
        review_queue=queries.review_queue(campaign), theme_names={t.id: t.name for t in campaign.themes})


@bp.route("/clusters/<int:cluster_id>")
@staff_required
def cluster(cluster_id):
    campaign = current_campaign_or_404()
    found = queries.cluster_of_campaign(cluster_id, campaign)
    if found is None:
        abort(404)
    return render_template("ideas/analysis/cluster.html", cluster=found, ideas=queries.cluster_ideas(found))


@bp.route("/rebuild", methods=["POST"])
@staff_required
def rebuild():
    campaign = current_campaign_or_404()
    job = services.start_rebuild(campaign, current_actor())
    db.session.commit()
    services.dispatch(current_app._get_current_object(), job.id)
    flash("已在后台开始重新分析，本页会显示进度。", "success")
    return redirect(url_for("analysis.dashboard"))


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
