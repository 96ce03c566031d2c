from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.decorators import admin_required, roles_required, staff_required
from app.auth.models import Role, User
from app.campaigns.queries import current_campaign_or_404
from app.extensions import db
from app.forms import ReasonForm, choices
from app.timeutil import now
from app.viewutil import after_arg, attempt, current_actor, flash_form_errors, run_and_commit, run_form
from ideas.queries import idea_by_code
from voting.judging import diagnostics, outcome, panels, queries, reviews
from voting.judging import rounds as round_services
from voting.judging.forms import (CloseForm, ConfirmForm, CriterionForm, ExtraReviewsForm,
                                  ManualAssignmentForm, RoundForm, review_form, review_values)
from voting.judging.models import Assignment, Criterion, Round, RoundPool, RoundState
from voting.judging.scale_offset import extra_review_count

bp = Blueprint("voting", __name__, template_folder="templates")
# What this stage knows of an idea's status (ideas.queries.standings); registered in
# blueprint order, so the notice's reading comes after the judging's.
bp.record_once(lambda state: state.app.extensions.setdefault("idea_standings", [])
               .append(queries.eliminations))
bp.add_app_template_global(outcome.tie_break_steps)
bp.add_app_template_global(outcome.scoring_rule)
reviewer_required = roles_required(Role.reviewer)


# --- Staff --------------------------------------------------------------------------------

@bp.route("/rounds", methods=["GET", "POST"])
@staff_required
def rounds():
    campaign = current_campaign_or_404()
    if request.method == "POST":
        return run_and_commit(lambda: round_services.create_default_rounds(campaign, current_actor()),
                              "已按默认设置创建初审、复审、终审三轮。", url_for("voting.rounds"))
    return render_template("voting/rounds.html", campaign=campaign, rounds=queries.rounds_of(campaign))


@bp.route("/rounds/<int:round_id>", methods=["GET", "POST"])
@staff_required
def round_detail(round_id):
    round_ = db.get_or_404(Round, round_id)
    form = RoundForm(obj=round_)
    if request.method == "GET":
        form.pool.data = round_.pool.value
    if form.validate_on_submit():
        fields = {name: getattr(form, name).data for name in (
            "name", "advance_count", "reviewers_per_idea", "opens_at", "closes_at", "carry_over",
            "avoid_same_region")}
        fields["pool"] = RoundPool(form.pool.data)
        return run_and_commit(lambda: round_services.update_round(round_, current_actor(), **fields),
                              "轮次设置已保存。", url_for("voting.round_detail", round_id=round_.id))
    # Every list is a page (?reviewers_after=, ?ideas_after=, ?rank_after=, ?results_after=):
    # a round has 5,000 ideas.
    summary = queries.progress_summary(round_)
    is_open = round_.state is RoundState.open
    reviewers = queries.active_reviewers()
    manual = ManualAssignmentForm()
    manual.reviewer.choices = choices([(r.id, r.display_name) for r in reviewers])
    stamp = outcome.version(round_) if is_open else None  # one read for both cached results
    diagnosed = diagnostics.diagnostics(round_, stamp, stale_ok=True) if is_open else None
    return render_template(
        "voting/round.html", round_=round_, form=form, criterion_form=CriterionForm(), manual=manual,
        reason_form=ReasonForm(), close_form=CloseForm(), finalize_form=ConfirmForm(),
        check=queries.close_check(round_, summary) if is_open else None,
        reopenings=queries.reopenings(round_), pool_size=queries.pool_size(round_),
        diagnosed=diagnosed, uncertain=diagnostics.most_uncertain(diagnosed) if diagnosed else [],
        reviewer_names={r.id: r.display_name for r in reviewers},
        extra_form=ExtraReviewsForm(count=extra_review_count(round_.advance_count)), summary=summary,
        by_reviewer=queries.reviewer_progress(round_, after_arg("reviewers_after"), queries.PAGE_SIZE),
        incomplete=queries.incomplete_ideas(round_, after_arg("ideas_after"), queries.PAGE_SIZE),
        results=queries.results_page(round_, after_arg("results_after"), queries.PAGE_SIZE)
        if round_.digest else None, RoundState=RoundState,
        provisional=outcome.provisional_page(round_, after_arg("rank_after"), queries.PAGE_SIZE, stamp)
        if is_open else None, refreshing=is_open and outcome.refreshing(round_),
        overdue=bool(round_.closes_at and round_.closes_at <= now()))


@bp.route("/rounds/<int:round_id>/criteria", methods=["POST"])
@bp.route("/rounds/<int:round_id>/criteria/<int:criterion_id>", methods=["POST"])
@staff_required
def criterion(round_id, criterion_id=None):
    round_ = db.get_or_404(Round, round_id)
    existing = db.get_or_404(Criterion, criterion_id) if criterion_id else None
    if existing is not None and existing.round_id != round_.id:
        abort(404)
    return run_form(
        CriterionForm(),
        lambda form: round_services.save_criterion(round_, current_actor(), form.name.data,
                                                   form.description.data or "", form.weight.data,
                                                   form.scale_min.data, form.scale_max.data, existing),
        "评分细则已保存。", url_for("voting.round_detail", round_id=round_.id))


@bp.route("/rounds/<int:round_id>/criteria/<int:criterion_id>/delete", methods=["POST"])
@staff_required
def delete_criterion(round_id, criterion_id):
    criterion_ = db.get_or_404(Criterion, criterion_id)
    if criterion_.round_id != round_id:
        abort(404)
    return run_and_commit(lambda: round_services.delete_criterion(criterion_, current_actor()),
                          "评分项已删除。", url_for("voting.round_detail", round_id=round_id))


@bp.route("/rounds/<int:round_id>/<any(prepare, open):action>", methods=["POST"])
@staff_required
def round_action(round_id, action):
    round_ = db.get_or_404(Round, round_id)
    calls = {
        "prepare": (lambda: panels.prepare_round(round_, current_actor()), "已生成评审分配。"),
        "open": (lambda: round_services.open_round(round_, current_actor()),
                 "评审已开始，专家现在可以打分。"),
    }
    call, message = calls[action]
    return run_and_commit(call, message, url_for("voting.round_detail", round_id=round_.id))


@bp.route("/rounds/<int:round_id>/close", methods=["POST"])
@staff_required
def close(round_id):
    round_ = db.get_or_404(Round, round_id)
    return run_form(CloseForm(),
                    lambda form: round_services.close_round(round_, current_actor(), seed=form.seed.data),
                    "本轮已截止：评分冻结，排名和摘要已保存。",
                    url_for("voting.round_detail", round_id=round_.id))


@bp.route("/rounds/<int:round_id>/finalize", methods=["POST"])
@staff_required
def finalize(round_id):
    round_ = db.get_or_404(Round, round_id)
    return run_form(ConfirmForm(), lambda form: round_services.finalize_round(round_, current_actor()),
                    "本轮结果已定稿。", url_for("voting.round_detail", round_id=round_.id))


@bp.route("/rounds/<int:round_id>/reopen", methods=["POST"])
@admin_required
def reopen(round_id):
    round_ = db.get_or_404(Round, round_id)
    return run_form(ReasonForm(),
                    lambda form: round_services.reopen_round(round_, current_actor(), form.reason.data),
                    "本轮已重新开放。", url_for("voting.round_detail", round_id=round_.id))


@bp.route("/rounds/<int:round_id>/assignments", methods=["POST"])
@staff_required
def add_assignment(round_id):
    round_ = db.get_or_404(Round, round_id)
    form = ManualAssignmentForm()
    form.reviewer.choices = choices([(r.id, r.display_name) for r in queries.active_reviewers()])
    back = url_for("voting.round_detail", round_id=round_.id)
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back)
    idea = idea_by_code(form.idea_code.data.upper())
    if idea is None or idea.id not in {e.idea_id for e in round_.entries}:
        flash("本轮评审池中没有这个编号的建议。", "error")
        return redirect(back)
    reviewer = db.session.get(User, form.reviewer.data)
    return run_and_commit(lambda: panels.add_assignment(round_, idea, reviewer, current_actor()),
                          "已增加一份评审。", back)


@bp.route("/rounds/<int:round_id>/extra-reviews", methods=["POST"])
@staff_required
def extra_reviews(round_id):
    round_ = db.get_or_404(Round, round_id)

    return run_form(ExtraReviewsForm(),
                    lambda form: panels.add_reviews_at_cut(round_, form.count.data, current_actor()),
                    "已给分数线附近最不确定的建议各加一位评审。",
                    url_for("voting.round_detail", round_id=round_.id))


@bp.route("/rounds/<int:round_id>/reviewers/<int:reviewer_id>/<any(revisit, remind):request_>",
          methods=["POST"])
@staff_required
def ask_reviewer(round_id, reviewer_id, request_):
    """A notification to one reviewer: revisit their sheets, or a reminder of unsubmitted ones."""
    round_ = db.get_or_404(Round, round_id)
    reviewer = db.get_or_404(User, reviewer_id)
    call = reviews.ask_to_revisit if request_ == "revisit" else reviews.remind
    done = (f"已请 {reviewer.display_name} 复核评分。" if request_ == "revisit"
            else f"已提醒 {reviewer.display_name}。")
    return run_and_commit(lambda: call(round_, reviewer, current_actor(), url_for("voting.my_reviews")),
                          done, url_for("voting.round_detail", round_id=round_.id))


@bp.route("/assignments/<int:assignment_id>/delete", methods=["POST"])
@staff_required
def remove_assignment(assignment_id):
    assignment = db.get_or_404(Assignment, assignment_id)
    return run_and_commit(lambda: panels.remove_assignment(assignment, current_actor()), "已取消该分配。",
                          url_for("voting.round_detail", round_id=assignment.round_id))


@bp.route("/rounds/<int:round_id>/table.txt")
def frozen_table(round_id):
    """The frozen score table, public, so anyone can recompute its SHA-256 digest."""
    round_ = db.get_or_404(Round, round_id)
    if not round_.frozen_table:
        abort(404)
    return Response(round_.frozen_table, mimetype="text/plain; charset=utf-8",
                    headers={"X-Content-SHA256": round_.digest})


# --- Reviewers ----------------------------------------------------------------------------

@bp.route("/review")
@reviewer_required
def my_reviews():
    return render_template("voting/my_reviews.html", tasks=queries.reviewer_tasks(current_user))


def _own_assignment(assignment_id):
    assignment = db.get_or_404(Assignment, assignment_id)
    # 404, not 403: a reviewer learns nothing about assignments that are not theirs.
    if not assignment.belongs_to(current_user) or not assignment.active:
        abort(404)
    return assignment


@bp.route("/review/<int:assignment_id>", methods=["GET", "POST"])
@reviewer_required
def review(assignment_id):
    assignment = _own_assignment(assignment_id)
    round_ = assignment.round
    form = review_form(round_.criteria, assignment.review)
    if form.validate_on_submit():
        submit = "submit" in request.form
        saved, _ = attempt(lambda: reviews.save_review(assignment, current_actor(), review_values(form),
                                                       form.comment.data, submit))
        if saved:
            flash("评分已提交，截止前仍可修改。" if submit else "草稿已保存。", "success")
            return redirect(url_for("voting.review", assignment_id=assignment.id))
    return render_template("voting/review.html", assignment=assignment, idea=assignment.idea, form=form,
                           round_=round_, recuse_form=ReasonForm(prefix="recuse"))


@bp.route("/review/<int:assignment_id>/recuse", methods=["POST"])
@reviewer_required
def recuse(assignment_id):
    assignment = _own_assignment(assignment_id)
    form = ReasonForm(prefix="recuse")
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("voting.review", assignment_id=assignment.id))
    return run_and_commit(lambda: reviews.recuse(assignment, current_actor(), form.reason.data),
                "已申请回避，这条建议已交给其他专家。", url_for("voting.my_reviews"))
