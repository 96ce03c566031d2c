"""An expired form token or session on the proposal form must not throw the
proposal away: the form comes back with everything typed and says what to do.
Nothing is saved on such a request; the next send carries a fresh token."""
from flask import jsonify, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from app.base.views import csrf_error
from app.campaigns.queries import current_campaign_or_404, theme_choices
from app.extensions import db
from ideas.forms import IdeaForm
from ideas.models import Idea

FORM_ENDPOINTS = ("ideas.new", "ideas.edit")


def _campaign():
    idea = db.session.get(Idea, request.view_args.get("idea_id", 0))
    if idea is not None and current_user.is_authenticated and idea.author_id == current_user.id:
        return idea.campaign
    return current_campaign_or_404()


def form_with_what_was_typed(error):
    if request.endpoint == "ideas.autosave":
        # The form's own answer, as for any draft it cannot save yet; the browser keeps its copy.
        return jsonify(saved=False, expired=True,
                       message="页面已过期（安全令牌失效）：内容已保存在本机，刷新页面后继续。")
    if request.endpoint not in FORM_ENDPOINTS:
        return csrf_error(error)
    campaign = _campaign()
    form = IdeaForm(formdata=request.form)
    form.set_theme_choices(theme_choices(campaign))
    if current_user.is_authenticated:
        message = ("页面已过期（安全令牌失效），您填写的内容都保留在下面。"
                   "请核对后再点一次“提交建议”或“保存草稿”。")
    else:
        message = ("页面已过期：登录已失效，您填写的内容都保留在下面。"
                   "请先登录（在新标签页打开），再回到本页点一次“提交建议”。")
    # 200 like any form shown again with its errors: the page is the form, ready to send again.
    return render_template("ideas/form.html", form=form, campaign=campaign, expired=message,
                           login_url=url_for("auth.login"))


def register(bp):
    bp.register_error_handler(CSRFError, form_with_what_was_typed)
