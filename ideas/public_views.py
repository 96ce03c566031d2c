"""Public pages of accepted ideas (with their authors' consent) and what citizens
add to them: 附议 and 补充建议; staff hide a supplement with a reason.
``register(bp)`` adds the routes to the ideas blueprint."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import TextAreaField
from wtforms.validators import DataRequired

from app.auth.decorators import citizen_required, staff_required
from app.auth.models import Role
from app.campaigns.queries import current_campaign_or_404, theme_choices
from app.extensions import db
from app.forms import BaseForm, ReasonForm
from app.identity.queries import is_phone_verified
from app.pagecache import public_page
from app.validators import CharLength, clean_text, strip_filter
from app.viewutil import attempt, current_actor, page_arg, run_and_commit, run_form
from ideas import public_queries, public_services
from ideas.public_models import IdeaSupplement
from ideas.queries import supporters_count

PUBLIC_PAGE_SIZE = 20


class SupplementForm(BaseForm):
    text = TextAreaField("补充建议", filters=[strip_filter], render_kw={"data-max-chars": 300},
                         description="5–300 字：在这条建议的基础上补充什么；提出人和工作人员会看到，公开显示",
                         validators=[DataRequired("请填写补充建议"), CharLength(5, 300)])


def _public_or_404(code):
    idea = public_queries.public_idea(clean_text(code).strip().upper())
    if idea is None:
        abort(404, description="没有这条公开的建议：它可能尚未采纳，或提出人没有同意公开。")
    return idea


@public_page
def public_list():
    campaign = current_campaign_or_404()
    themes = theme_choices(campaign)
    theme = request.args.get("theme", "")
    theme = theme if theme in dict(themes) else ""
    page = public_queries.public_page(campaign, theme, page_arg(), PUBLIC_PAGE_SIZE)
    if page.page > max(page.pages, 1):
        abort(404, description=f"没有第 {page.page} 页（共 {max(page.pages, 1)} 页）。")
    return render_template("ideas/public_list.html", campaign=campaign, page=page, themes=themes, theme=theme,
                           counts=supporters_count(i.id for i in page.items))


def _render_public(idea, form=None, status=200):
    # No form for anyone else: its CSRF token would start a session, and the anonymous page could
    # not be cached.
    citizen = current_user.is_authenticated and current_user.role is Role.citizen
    return render_template(
        "ideas/public_idea.html", idea=idea, form=form or (SupplementForm() if citizen else None),
        count=supporters_count([idea.id])[idea.id], supports=public_queries.supports(idea, current_user),
        supplements=public_queries.supplements(idea),
        verified=current_user.is_authenticated and is_phone_verified(current_user)), status


@public_page
def public_idea(code):
    return _render_public(_public_or_404(code))


@citizen_required
def support(code):
    idea = _public_or_404(code)
    return run_form(BaseForm(), lambda form: public_services.support(idea, current_actor()),
                    "已附议，感谢您的支持。", url_for("ideas.public_idea", code=idea.tracking_code))


@citizen_required
def withdraw_support(code):
    idea = _public_or_404(code)
    return run_form(BaseForm(), lambda form: public_services.withdraw_support(idea, current_actor()),
                    "已撤回附议。", url_for("ideas.public_idea", code=idea.tracking_code))


@citizen_required
def supplement(code):
    idea = _public_or_404(code)
    form = SupplementForm()
    if form.validate_on_submit():
        ok, _ = attempt(lambda: public_services.add_supplement(idea, current_actor(), form.text.data),
                        form, "text")
        if ok:
            flash("补充建议已发表，提出人会收到通知。", "success")
            return redirect(url_for("ideas.public_idea", code=idea.tracking_code) + "#supplements")
    # The page again with what was typed and the message under the field.
    return _render_public(idea, form, 200)


def staff_supplements(idea):
    """(supplement, its hide form) for the staff page of the idea, hidden ones too."""
    return [(item, None if item.is_hidden else ReasonForm(prefix=f"hide{item.id}"))
            for item in public_queries.supplements(idea, include_hidden=True)]


@staff_required
def hide_supplement(supplement_id):
    item = db.get_or_404(IdeaSupplement, supplement_id)
    back = url_for("ideas.detail", idea_id=item.idea_id)
    form = ReasonForm(prefix=f"hide{item.id}")
    if not form.validate_on_submit():
        flash("隐藏补充建议须填写理由，记入操作日志。", "error")
        return redirect(back)
    return run_and_commit(lambda: public_services.hide_supplement(item, current_actor(), form.reason.data),
                          "补充建议已隐藏，不再公开显示。", back)


def register(bp):
    bp.add_url_rule("/public", view_func=public_list)
    bp.add_url_rule("/<code>", view_func=public_idea)
    for rule, view in (("/<code>/support", support), ("/<code>/support/withdraw", withdraw_support),
                       ("/<code>/supplements", supplement),
                       ("/supplements/<int:supplement_id>/hide", hide_supplement)):
        bp.add_url_rule(rule, view_func=view, methods=["POST"])
