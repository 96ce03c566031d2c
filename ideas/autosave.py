"""Autosave of the proposal form (app/static/js/site.js sends it every few seconds
while the citizen writes and once on leaving the page): the same draft save as
保存草稿, answered in JSON. ``register(bp)`` adds the route."""
from flask import jsonify, request, url_for
from flask_login import current_user

from app.auth.decorators import citizen_required
from app.campaigns.queries import current_campaign_or_404, theme_choices
from app.ratelimits import per_account_and_address
from app.validators import strip_filter
from app.viewutil import attempt, current_actor
from ideas import queries, services
from ideas.forms import IdeaForm
from ideas.models import Idea


def version_of(idea):
    """The draft's version as the page and the browser's local copy carry it: fixed
    width, so comparing the strings compares the times."""
    return f"{idea.updated_at:%Y%m%d%H%M%S%f}"


@citizen_required
@per_account_and_address("autosave", "自动保存太频繁，请稍后再试。")
def autosave():
    # Cleaned as the form's own field is: a NUL would reach PostgreSQL's text comparison.
    token = strip_filter(request.form.get("submission_token", ""))
    if not token or len(token) > Idea.submission_token.type.length:
        return jsonify(saved=False, message="表单已失效，请刷新页面后重新填写。"), 400
    idea = queries.idea_by_token(token)
    campaign = idea.campaign if idea is not None and idea.author_id == current_user.id \
        else current_campaign_or_404()
    form = IdeaForm()
    form.set_theme_choices(theme_choices(campaign))
    # Checked as 保存草稿 is: only what is filled in. It never submits.
    form.save_draft.data, form.submit.data = True, False
    if not form.validate():
        return jsonify(saved=False, message="有需要修改的内容，暂未自动保存；提交时会逐项提示。")
    try:
        ok, result = attempt(lambda: services.save_idea(current_actor(), campaign, token, form.idea_fields(),
                                                        form.theme.data, submit=False), form, "title")
    except services.TokenMismatch:
        return jsonify(saved=False, message="表单已失效，请刷新页面后重新填写。"), 400
    if not ok:
        return jsonify(saved=False, message="暂未自动保存，请稍后再试。")
    saved, changed = result
    if not changed:
        return jsonify(saved=False, submitted=True,
                       message=f"这条建议已经提交（编号 {saved.tracking_code}）。")
    return jsonify(saved=True, id=saved.id, edit_url=url_for("ideas.edit", idea_id=saved.id),
                   version=version_of(saved))


def register(bp):
    bp.add_url_rule("/autosave", view_func=autosave, methods=["POST"])
