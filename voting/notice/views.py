"""公示、异议、十大金点子."""
from datetime import timedelta

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_login import current_user, login_required

from app.auth.decorators import staff_required
from app.campaigns.queries import campaign_by_year
from app.extensions import db
from app.pagecache import public_page
from app.notifications import services as notification_services
from app.timeutil import now
from app.viewutil import attempt, current_actor, run_and_commit, run_form
from voting.judging import queries as voting_queries
from voting.notice import queries, services
from voting.notice.forms import ObjectionForm, PublishForm, RulingForm, SpamForm, announcement_form, citations
from voting.notice.models import EntryStatus, NoticeState, Objection, ObjectionState

bp = Blueprint("notice", __name__, template_folder="templates")
# What this stage knows of an idea's status (ideas.queries.standings); registered in
# blueprint order, so the notice's reading comes after the judging's.
bp.record_once(lambda state: state.app.extensions.setdefault("idea_standings", []).append(queries.removals))
FINALIZED = (NoticeState.finalized,)


# --- 公示 (public) --------------------------------------------------------------------------

@bp.route("/gongshi")
@bp.route("/gongshi/<int:year>")
@public_page
def gongshi(year=None):
    if year is None:
        announcement = queries.latest_announcement(queries.PUBLIC_STATES)
    else:
        announcement = queries.announcement_for_year(year, queries.PUBLIC_STATES) or abort(404)
    return _render_notice(announcement, preview=False)


def _render_notice(announcement, preview):
    entries = queries.entries(announcement) if announcement else []
    return render_template(
        "notice/gongshi.html", announcement=announcement, preview=preview, NoticeState=NoticeState,
        listed=sorted((e for e in entries if e.status is EntryStatus.listed), key=lambda e: e.rank),
        alternates=[e for e in entries if e.status is EntryStatus.alternate],
        removed=[e for e in entries if e.status is EntryStatus.removed],
        accepting=bool(announcement) and not preview and announcement.accepts_objections())


@bp.route("/gongshi/<int:year>/entries/<int:entry_id>/objection", methods=["GET", "POST"])
@login_required
def objection(year, entry_id):
    announcement = queries.announcement_for_year(year, queries.PUBLIC_STATES) or abort(404)
    entry = queries.entry_of(announcement, entry_id) or abort(404)
    back = url_for("notice.gongshi", year=year)
    if not announcement.accepts_objections() or entry.status is not EntryStatus.listed:
        flash("只能在公示期内对名单中的建议提出异议。", "info")
        return redirect(back)
    form = ObjectionForm()
    if form.validate_on_submit():
        filed, _ = attempt(lambda: services.file_objection(
            entry, current_actor(), form.reason.data,
            per_account=current_app.config["NOTICE_OBJECTIONS_PER_ACCOUNT"]))
        if filed:
            flash("异议已提交。工作人员处理后，异议和处理结果会一并在公示页公开。", "success")
            return redirect(f"{back}#entry-{entry.id}")
    return render_template("notice/objection.html", announcement=announcement, entry=entry, form=form)


# --- Staff ---------------------------------------------------------------------------------

def _campaign_or_404(year):
    return campaign_by_year(year) or abort(404)


def _announcement_or_404(year):
    return queries.announcement_of(_campaign_or_404(year)) or abort(404)


@bp.route("/gongshi/manage")
@staff_required
def manage_index():
    return render_template("notice/manage_index.html", rows=queries.campaigns_with_announcements())


@bp.route("/gongshi/manage/<int:year>", methods=["GET", "POST"])
@staff_required
def manage(year):
    campaign = _campaign_or_404(year)
    announcement = queries.announcement_of(campaign)
    form = announcement_form(announcement) if announcement and announcement.is_editable() else None
    if form is not None and form.validate_on_submit():
        return run_and_commit(
            lambda: services.edit_announcement(announcement, current_actor(), form.intro.data or "",
                                               citations(form)),
            "公示内容已保存。", url_for("notice.manage", year=year))
    return _render_manage(campaign, announcement, form=form)


def _render_manage(campaign, announcement, form=None, publish_form=None, ruling_forms=None):
    """The staff page; a form that failed validation comes back with its errors at the fields."""
    rounds = voting_queries.rounds_of(campaign)
    objections = queries.objections(announcement) if announcement else []
    ruling_forms = ruling_forms or {}
    for objection_ in objections:
        if objection_.state is ObjectionState.pending:
            ruling_forms.setdefault(objection_.id, RulingForm(prefix=f"o{objection_.id}"))
    if publish_form is None:
        default_end = now() + timedelta(days=current_app.config["NOTICE_DAYS"])
        publish_form = PublishForm(data={"ends_at": default_end})
    if form is None and announcement and announcement.is_editable():
        form = announcement_form(announcement)
    return render_template(
        "notice/manage.html", campaign=campaign, announcement=announcement,
        final_round=rounds[-1] if rounds else None,
        form=form, publish_form=publish_form, objections=objections, ruling_forms=ruling_forms,
        spam_form=SpamForm(),
        entries=queries.entries(announcement) if announcement else [], NoticeState=NoticeState,
        EntryStatus=EntryStatus, ObjectionState=ObjectionState, now=now())


@bp.route("/gongshi/manage/<int:year>/prepare", methods=["POST"])
@staff_required
def prepare(year):
    campaign = _campaign_or_404(year)
    return run_and_commit(
        lambda: services.prepare_announcement(campaign, current_actor(),
                                              current_app.config["NOTICE_ALTERNATES"]),
        "已生成公示名单（待发布）：请填写评语，预览后发布。", url_for("notice.manage", year=year))


@bp.route("/gongshi/manage/<int:year>/preview")
@staff_required
def preview(year):
    return _render_notice(_announcement_or_404(year), preview=True)


@bp.route("/gongshi/manage/<int:year>/publish", methods=["POST"])
@staff_required
def publish(year):
    announcement = _announcement_or_404(year)
    form = PublishForm()
    if not form.validate_on_submit():
        return _render_manage(announcement.campaign, announcement, publish_form=form)
    return run_and_commit(lambda: services.publish(announcement, current_actor(), form.ends_at.data),
                          "已发布公示，公示期内任何登录用户都可以提出异议。",
                          url_for("notice.manage", year=year))


@bp.route("/gongshi/objections/<int:objection_id>/rule", methods=["POST"])
@staff_required
def rule(objection_id):
    objection_ = db.get_or_404(Objection, objection_id)
    announcement = objection_.entry.announcement
    form = RulingForm(prefix=f"o{objection_.id}")
    if not form.validate_on_submit():
        return _render_manage(announcement.campaign, announcement, ruling_forms={objection_.id: form})
    return run_and_commit(
        lambda: services.rule_objection(objection_, current_actor(), form.decision.data == "upheld",
                                        form.ruling.data),
        "处理结果已记录并公开。", url_for("notice.manage", year=announcement.campaign.year) + "#objections")


@bp.route("/gongshi/manage/<int:year>/spam", methods=["POST"])
@staff_required
def spam(year):
    announcement = _announcement_or_404(year)
    return run_form(SpamForm(), lambda form: services.dismiss_as_spam(
                        announcement, current_actor(),
                        queries.objections_by_ids(announcement, form.objection_ids.data), form.reason.data),
                    "已作为无效信息驳回，这些异议不会公开。",
                    url_for("notice.manage", year=year) + "#objections")


@bp.route("/gongshi/manage/<int:year>/finalize", methods=["POST"])
@staff_required
def finalize(year):
    announcement = _announcement_or_404(year)
    back = url_for("notice.manage", year=year)
    finalized, notifications = attempt(lambda: services.finalize(announcement, current_actor()))
    if not finalized:
        return redirect(back)
    # A second commit on purpose: mail leaves only once the result is committed,
    # and a failing mail server (logged inside) never undoes it.
    sent = notification_services.email_notifications(notifications, request.host_url)
    db.session.commit()
    flash(f"已公布十大金点子，获奖者已收到站内通知{f'，并发出 {sent} 封邮件' if sent else ''}。", "success")
    return redirect(back)


# --- 十大金点子 (public) ---------------------------------------------------------------------

@bp.route("/winners")
@bp.route("/winners/<int:year>")
@public_page
def winners(year=None):
    years = queries.finalized_years()
    if year is None:
        year = years[0] if years else None
    elif year not in years:
        abort(404)
    announcement = queries.announcement_for_year(year, FINALIZED) if year else None
    return render_template("notice/winners.html", announcement=announcement, years=years,
                           entries=queries.listed(announcement) if announcement else [])


@bp.route("/winners/<int:year>.txt")
@public_page
def winners_text(year):
    """The final list as the canonical text its published digest is taken of."""
    announcement = queries.announcement_for_year(year, FINALIZED) or abort(404)
    return Response(queries.final_list_text(announcement), mimetype="text/plain; charset=utf-8",
                    headers={"X-Content-SHA256": announcement.digest})


@bp.route("/winners/<int:year>/<int:rank>")
@public_page
def winner(year, rank):
    entry = queries.winner(year, rank) or abort(404)
    return render_template("notice/winner.html", entry=entry, idea=entry.idea,
                           announcement=entry.announcement, is_winner=entry.credits(current_user))
