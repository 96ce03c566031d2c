"""Routes on the ideas blueprint for the author's own actions and for staff's
answer (答复); ``register(bp)`` adds them, so ideas/views.py stays the screening flow."""
from flask import abort, url_for
from flask_login import current_user
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired

from app.auth.decorators import citizen_required, staff_required
from app.extensions import db
from app.forms import BaseForm, ReasonForm, choices
from app.validators import CharLength, strip_filter
from app.viewutil import current_actor, run_form
from ideas import replies, selfservice
from ideas.models import Idea


class ReplyForm(BaseForm):
    department = StringField("答复部门", filters=[strip_filter],
                             validators=[DataRequired("请填写答复部门，如 省发展改革委"), CharLength(2, 50)])
    text = TextAreaField("答复内容", filters=[strip_filter],
                         validators=[DataRequired("请填写答复内容，提出人会看到"), CharLength(10, 2000)])


class CorrectionForm(BaseForm):
    text = TextAreaField("补充说明", filters=[strip_filter],
                         description="10–1000 字：更正或补充，工作人员会看到",
                         validators=[DataRequired("请填写补充说明"), CharLength(10, 1000)])


class _OneButton(BaseForm):
    """A form with nothing but its CSRF token (the post_button macro)."""


def _own_idea(idea_id):
    idea = db.get_or_404(Idea, idea_id)
    # 404, not 403: do not confirm that someone else's idea exists.
    if idea.author_id != current_user.id:
        abort(404)
    return idea


@citizen_required
def delete_draft(idea_id):
    idea = _own_idea(idea_id)
    return run_form(_OneButton(), lambda form: selfservice.delete_draft(idea, current_actor()),
                    "草稿已删除。", url_for("ideas.mine"))


def _on_own_idea(idea_id, form, action, success):
    idea = _own_idea(idea_id)
    return run_form(form, lambda form: action(idea, current_actor(), form), success,
                    url_for("ideas.detail", idea_id=idea.id))


@citizen_required
def withdraw(idea_id):
    return _on_own_idea(idea_id, ReasonForm(prefix="withdraw"),
                        lambda idea, actor, form: selfservice.withdraw_idea(idea, actor, form.reason.data),
                        "建议已撤回，撤回理由记入办理记录。")


@citizen_required
def correct(idea_id):
    return _on_own_idea(idea_id, CorrectionForm(prefix="correction"),
                        lambda idea, actor, form: selfservice.add_correction(idea, actor, form.text.data),
                        "补充说明已提交，工作人员会看到。")


class ConsentForm(BaseForm):
    consent = SelectField(choices=choices([("yes", "同意公开"), ("no", "不再公开")]),
                          validators=[DataRequired("请选择是否公开")])


@citizen_required
def public_consent(idea_id):
    form = ConsentForm()
    agreed = form.consent.data == "yes"
    return _on_own_idea(idea_id, form,
                        lambda idea, actor, form: selfservice.set_public_consent(idea, actor, agreed),
                        "已同意公开，采纳后任何人可以阅读这条建议。" if agreed else "已不再公开这条建议。")


@staff_required
def reply(idea_id):
    idea = db.get_or_404(Idea, idea_id)
    return run_form(ReplyForm(prefix="reply"),
                    lambda form: replies.reply_to_idea(idea, current_actor(), form.department.data,
                                                       form.text.data),
                    "答复已保存，提出人会收到通知。", url_for("ideas.detail", idea_id=idea.id))


def register(bp):
    for rule, view in (("/<int:idea_id>/delete", delete_draft), ("/<int:idea_id>/withdraw", withdraw),
                       ("/<int:idea_id>/correction", correct), ("/<int:idea_id>/reply", reply),
                       ("/<int:idea_id>/public-consent", public_consent)):
        bp.add_url_rule(rule, view_func=view, methods=["POST"])
