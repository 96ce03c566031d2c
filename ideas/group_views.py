"""Group and cluster screening pages (staff only): load, check, validate, call one service."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for

from app.auth.decorators import staff_required
from app.campaigns.queries import current_campaign_or_404
from app.viewutil import attempt, current_actor
from ideas import group_queries, groups
from ideas.group_forms import GroupDecisionForm, GroupSplitForm

bp = Blueprint("groups", __name__, template_folder="templates")


@bp.route("/")
@staff_required
def index():
    campaign = current_campaign_or_404()
    return render_template("ideas/groups/index.html", groups=group_queries.open_groups(campaign))


def _group_or_404(group_id):
    group = group_queries.group_of_campaign(group_id, current_campaign_or_404())
    if group is None:
        abort(404)
    return group


@bp.route("/<int:group_id>", methods=["GET", "POST"])
@staff_required
def detail(group_id):
    group = _group_or_404(group_id)
    form, split = GroupDecisionForm(), GroupSplitForm(prefix="split")
    if form.validate_on_submit():
        ok, _ = attempt(lambda: groups.decide_group(group, form.decision.data, current_actor(),
                                                    form.reason.data, form.credit.data,
                                                    form.into_code.data), form, "decision")
        if ok:
            flash(f"已{groups.DECISIONS[form.decision.data]}：{len(group.members)} 条建议。", "success")
            return redirect(url_for("groups.index"))
    return _render(group, form, split)


def _render(group, form, split):
    return render_template("ideas/groups/detail.html", group=group, form=form, split=split,
                           members=group_queries.members_least_alike_first(group))


@bp.route("/<int:group_id>/split", methods=["POST"])
@staff_required
def split(group_id):
    group = _group_or_404(group_id)
    form = GroupSplitForm(prefix="split")
    if form.validate_on_submit():
        ok, _ = attempt(lambda: groups.split_group(group, current_actor(), form.reason.data), form, "reason")
        if ok:
            flash(f"已拆分，{len(group.members)} 条建议恢复为分组处理前的状态，将单独筛选。", "success")
            return redirect(url_for("groups.index"))
    return _render(group, GroupDecisionForm(formdata=None), form)
