import uuid

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template, request,
                   stream_with_context, url_for)
from flask_login import current_user, login_required
from markupsafe import Markup

from app.auth.decorators import citizen_required, staff_required
from app.campaigns.queries import current_campaign_or_404, theme_choices
from app.extensions import db
from app.forms import ReasonForm, choices
from app.pagecache import public_page
from app.ratelimits import per_account_and_address
from app.validators import clean_text
from app.viewutil import after_arg, attempt, current_actor, flash_form_errors
from ideas import analysis_queries, analysis_services, queries, replies, services
from ideas.exports import stream_ideas
from ideas.forms import (AcceptForm, BulkScreenForm, IdeaForm, MergeForm,
                         ScreeningFilterForm, ThemeConfirmForm, TrackForm)
from ideas.models import Idea, IdeaStatus
from ideas import keep_input
from ideas import autosave, public_queries, public_views
from ideas.selfservice_views import CorrectionForm, ReplyForm, register

bp = Blueprint("ideas", __name__, template_folder="templates")
register(bp)  # the author's own actions and staff's answer
keep_input.register(bp)  # an expired token shows the proposal again instead of an error page
public_views.register(bp)  # public pages of accepted ideas, 附议 and 补充建议
autosave.register(bp)  # the proposal form saves itself as a draft while the citizen writes
bp.add_app_template_global(queries.standing, "idea_standing")
bp.add_app_template_global(autosave.version_of, "draft_version")


def _idea_form(campaign, idea=None):
    form = IdeaForm(obj=idea)
    form.set_theme_choices(theme_choices(campaign))
    if request.method == "GET":
        form.submission_token.data = idea.submission_token if idea else uuid.uuid4().hex
        if idea is not None and idea.theme is not None:
            form.theme.data = idea.theme.code
    return form


def _save(form, campaign, idea=None):
    """Validate and save the form; the response, or None to show the form again."""
    if not form.validate_on_submit():
        return None
    token = idea.submission_token if idea else form.submission_token.data
    # No token, or one longer than any the form hands out (the column's length).
    if not token or len(token) > Idea.submission_token.type.length:
        abort(400, description="表单已失效，请刷新页面后重新填写。")
    try:
        ok, result = attempt(lambda: services.save_idea(current_actor(), campaign, token, form.idea_fields(),
                                                        form.theme.data, submit=not form.is_draft))
    except services.TokenMismatch:
        abort(400)
    if not ok:
        return None
    saved, created_now = result
    if not created_now:
        flash(f"这条建议已经提交过了（编号 {saved.tracking_code}），没有重复提交。", "info")
    elif saved.status is IdeaStatus.draft:
        flash("草稿已保存，可以随时回来继续填写并提交。", "success")
        return redirect(url_for("ideas.edit", idea_id=saved.id))
    else:
        # The code in one unbreakable piece: a phone must not wrap it at its hyphens.
        flash(Markup("提交成功！您的建议编号是 <span class=\"tracking-code\">{}</span>，"
                     "请妥善保存，可凭编号查询进度。").format(saved.tracking_code), "success")
    return redirect(url_for("ideas.detail", idea_id=saved.id))


# Ideas saved (submitted or as drafts), per account and per address; forms sent back
# with errors do not count.
_submission_limits = per_account_and_address("idea", "提交太频繁，请稍后再试。", methods=["POST"],
                                             deduct_when=lambda response: response.status_code == 302)


@bp.route("/new", methods=["GET", "POST"])
@citizen_required
@_submission_limits
def new():
    campaign = current_campaign_or_404()
    form = _idea_form(campaign)
    return _save(form, campaign) or render_template("ideas/form.html", form=form, campaign=campaign)


@bp.route("/<int:idea_id>/edit", methods=["GET", "POST"])
@citizen_required
@_submission_limits
def edit(idea_id):
    idea = db.get_or_404(Idea, idea_id)
    if idea.author_id != current_user.id:
        abort(404)
    if not idea.can_edit(current_user):
        flash("这条建议已经提交，不能再修改。", "info")
        return redirect(url_for("ideas.detail", idea_id=idea.id))
    campaign = idea.campaign
    form = _idea_form(campaign, idea)
    return _save(form, campaign, idea) or render_template(
        "ideas/form.html", form=form, campaign=campaign, idea=idea)


@bp.route("/mine")
@citizen_required
def mine():
    # An unknown ?status= shows everything rather than an error page.
    status = request.args.get("status", "")
    status = IdeaStatus(status) if status in IdeaStatus._value2member_map_ else None
    return render_template("ideas/mine.html", ideas=queries.ideas_of_author(current_user, status),
                           status=status, statuses=list(IdeaStatus))


@bp.route("/<int:idea_id>")
@login_required
def detail(idea_id):
    idea = db.get_or_404(Idea, idea_id)
    if not idea.can_view(current_user):
        # 404, not 403: do not confirm that someone else's idea exists.
        abort(404)
    forms, duplicates = None, []
    if current_user.is_staff:
        forms = {"accept": AcceptForm(prefix="accept"), "reject": ReasonForm(prefix="reject"),
                 "merge": MergeForm(prefix="merge"), "theme": _theme_form(idea.campaign, idea),
                 "reply": ReplyForm(prefix="reply", department=idea.reply_department, text=idea.reply_text)}
        analysis_services.catch_up_index(idea.campaign)
        duplicates = analysis_queries.likely_duplicates(
            idea.campaign, [idea], current_app.config["NLP_SIMILAR_MIN_SCORE"], top_k=5).get(idea.id, [])
    return render_template("ideas/detail.html", idea=idea, forms=forms, duplicates=duplicates,
                           IdeaStatus=IdeaStatus, own=_own_forms(idea), due=replies.answer_due(idea),
                           supporters=queries.supporters_count([idea.id])[idea.id],
                           supplements=public_views.staff_supplements(idea) if current_user.is_staff else [])


def _own_forms(idea):
    """The author's withdraw and correction forms, where the idea's state allows them."""
    if idea.author_id != current_user.id:
        return None
    return {"withdraw": ReasonForm(prefix="withdraw") if idea.status is IdeaStatus.submitted else None,
            "correction": CorrectionForm(prefix="correction") if idea.status not in (
                IdeaStatus.draft, IdeaStatus.withdrawn, IdeaStatus.merged) else None}


def _theme_form(campaign, idea):
    form = ThemeConfirmForm(prefix=f"theme{idea.id}")
    form.theme.choices = choices(theme_choices(campaign))
    suggested = idea.analysis.suggested_theme if idea.analysis else None
    form.theme.data = (suggested or idea.theme).code if (suggested or idea.theme) else None
    if idea.theme_confirmed_by_id and idea.theme:
        form.theme.data = idea.theme.code
    return form


@bp.route("/track")
def track_lookup():
    form = TrackForm(request.args)
    if request.args and form.validate():
        return redirect(url_for("ideas.track", code=form.code.data.upper()))
    return render_template("ideas/track_lookup.html", form=form)


@bp.route("/track/<code>")
@public_page
def track(code):
    idea = queries.idea_by_code(clean_text(code).strip().upper())
    if idea is None:
        return render_template("ideas/track_lookup.html", form=TrackForm(data={"code": code}),
                               not_found=True), 404
    return render_template("ideas/track.html", idea=idea)


def _screening_filter(campaign):
    form = ScreeningFilterForm(request.args)
    form.status.choices = choices([("", "全部状态")] + [
        (s.value, s.label) for s in IdeaStatus if s is not IdeaStatus.draft])
    form.theme.choices = choices([("", "全部主题")] + theme_choices(campaign))
    flt = queries.ScreeningFilter()
    if "status" not in request.args:
        # The queue opens on what still waits; 全部状态 is one choice away.
        form.status.data = IdeaStatus.submitted.value
        flt = queries.ScreeningFilter(status=form.status.data)
    if form.validate():
        flt = queries.ScreeningFilter(
            status=form.status.data or None, theme=form.theme.data or None,
            region=form.region.data or None, date_from=form.date_from.data,
            date_to=form.date_to.data, q=form.q.data or None)
    return form, flt


@bp.route("/screening")
@staff_required
def screening():
    return _screening_page(BulkScreenForm(formdata=None))


def _screening_page(bulk):
    """The queue with its filters from the query string; ``bulk`` keeps a refused
    batch's selection and reason, with the errors at its fields."""
    campaign = current_campaign_or_404()
    form, flt = _screening_filter(campaign)
    page = queries.screening_page(campaign, flt, after_arg(), current_app.config["SCREENING_PAGE_SIZE"])
    analysis_services.catch_up_index(campaign)
    duplicates = analysis_queries.likely_duplicates(campaign, page.items,
                                                    current_app.config["NLP_DUPLICATE_MIN_SCORE"])
    return render_template("ideas/screening.html", form=form, page=page, campaign=campaign,
                           counts=queries.status_counts(campaign), statuses=list(IdeaStatus),
                           bulk=bulk, duplicates=duplicates,
                           theme_forms={i.id: _theme_form(campaign, i) for i in page.items},
                           merge_form=MergeForm(prefix="merge"),
                           overdue_count=replies.overdue_count(campaign),
                           overdue=replies.overdue_ids(campaign, [i.id for i in page.items]),
                           supporters=queries.supporters_count(i.id for i in page.items),
                           supplement_counts=public_queries.supplement_counts(
                               i.id for i in page.items))


@bp.route("/export.<fmt>")
@staff_required
def export(fmt):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    campaign = current_campaign_or_404()
    _, flt = _screening_filter(campaign)
    body = stream_with_context(stream_ideas(campaign, flt, fmt))
    mimetype = ("text/csv; charset=utf-8" if fmt == "csv" else
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    filename = f"ideas-{campaign.year}.{fmt}"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


def _screen_action(idea_id, form, action):
    """Decide, then go on to the next idea waiting (下一条); a refusal stays on this one."""
    idea = db.get_or_404(Idea, idea_id)
    here = url_for("ideas.detail", idea_id=idea.id)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(here)
    ok, _ = attempt(lambda: action(idea, current_actor(), form))
    if not ok:
        return redirect(here)
    following = queries.next_pending(idea)
    flash(f"{idea.tracking_code} 已处理。"
          + ("下面是下一条待筛选的建议。" if following else "没有其他待筛选的建议了。"), "success")
    return redirect(url_for("ideas.detail", idea_id=following.id) if following
                    else url_for("ideas.screening"))


@bp.route("/<int:idea_id>/accept", methods=["POST"])
@staff_required
def accept(idea_id):
    return _screen_action(idea_id, AcceptForm(prefix="accept"),
                          lambda idea, actor, form: services.accept_idea(idea, actor, form.reason.data or ""))


@bp.route("/<int:idea_id>/reject", methods=["POST"])
@staff_required
def reject(idea_id):
    return _screen_action(idea_id, ReasonForm(prefix="reject"),
                          lambda idea, actor, form: services.reject_idea(idea, actor, form.reason.data))


@bp.route("/<int:idea_id>/merge", methods=["POST"])
@staff_required
def merge(idea_id):
    form = MergeForm(prefix="merge")
    if form.validate_on_submit() and not form.is_confirmed:
        # Merging cannot be undone: first both ideas side by side.
        idea = db.get_or_404(Idea, idea_id)
        return render_template("ideas/merge_confirm.html", idea=idea, form=form,
                               kept=queries.idea_by_code(form.target_code.data.upper()))
    return _screen_action(idea_id, form,
                          lambda idea, actor, form: services.merge_duplicate(
                              idea, form.target_code.data, actor, form.reason.data, credit=form.credit.data))


@bp.route("/screening/bulk", methods=["POST"])
@staff_required
def bulk():
    campaign = current_campaign_or_404()
    form = BulkScreenForm()
    if not form.validate_on_submit():
        # The same page again, with what was ticked and typed, the errors at their fields.
        return _screening_page(form)
    ideas = queries.ideas_by_ids(campaign, form.idea_ids.data)
    done, refused = services.bulk_screen(ideas, form.action.data,
                                         current_actor(), form.reason.data or "")
    db.session.commit()
    if done:
        flash(f"已处理 {len(done)} 条。", "success")
    for message in refused:
        flash(message, "error")
    return redirect(url_for("ideas.screening", **request.args))
