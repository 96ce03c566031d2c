from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.audit.models import ACTION_LABELS
from app.audit.queries import first_broken_link, recent_actions
from app.auth import services as auth_services
from app.auth.decorators import admin_required
from app.auth.forms import CreateAccountForm
from app.auth.models import Role, User, mask_phone
from app.auth.queries import list_users
from app.campaigns import queries as campaign_queries
from app.campaigns import services as campaign_services
from app.campaigns.models import Campaign, Theme
from app.admin import services as admin_services
from app.admin.forms import CampaignForm, EditAccountForm, NewCampaignForm, ThemeForm
from app.extensions import db
from app.validators import clean_text
from app.viewutil import attempt, commit_form, current_actor, page_arg, run_and_commit

bp = Blueprint("admin", __name__, template_folder="templates")


@bp.route("/")
@admin_required
def index():
    return redirect(url_for("admin.users"))


@bp.route("/users", methods=["GET", "POST"])
@admin_required
def users():
    form = CreateAccountForm()
    created = commit_form(form, lambda: auth_services.create_account(
        current_actor(), form.login.value, form.password.data, Role(form.role.data),
        real_name=form.real_name.data, region=form.region.data, work_unit=form.work_unit.data),
        lambda user: f"已创建{user.role.label}账号 {user.login_name}。", url_for("admin.users"))
    if created:
        return created
    role = request.args.get("role") or None
    page = list_users(Role(role) if role in Role.__members__ else None,
                      page=page_arg())
    return render_template("admin/users.html", form=form, page=page, Role=Role, role=role)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@admin_required
def toggle_active(user_id):
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        flash("不能停用自己的账号。", "error")
        return redirect(url_for("admin.users"))
    if user.deleted_at is not None:
        flash("该账号已注销，不能再启用。", "error")
        return redirect(url_for("admin.users"))
    active = not user.is_active
    return run_and_commit(lambda: auth_services.set_active(current_actor(), user, active),
                          f"账号 {user.login_name} 已{'启用' if active else '停用'}。",
                          url_for("admin.users"))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user(user_id):
    account = db.get_or_404(User, user_id)
    form = EditAccountForm(obj=account if request.method == "GET" else None)
    if request.method == "GET":
        form.role.data = account.role.value
    saved = commit_form(form, lambda: admin_services.update_account(
        current_actor(), account, form.real_name.data, Role(form.role.data), form.region.data,
        form.work_unit.data), lambda changed: "账号资料已保存。" if changed else "没有改动。",
        url_for("admin.user", user_id=account.id), field="role")
    return saved or render_template("admin/user.html", account=account, form=form)


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@admin_required
def reset_password(user_id):
    account = db.get_or_404(User, user_id)
    if request.form.get("method") == "temporary":
        done, password = attempt(lambda: admin_services.set_temporary_password(current_actor(), account))
        if done:
            # Shown in this response only, never kept or cached.
            response = current_app.make_response(render_template("admin/temporary_password.html",
                                                                 account=account, password=password))
            response.headers["Cache-Control"] = "no-store"
            return response
    elif request.form.get("method") == "sms":
        done, sent = attempt(lambda: admin_services.send_reset_code(current_actor(), account,
                                                                    request.remote_addr))
        if done:
            flash(f"重置密码的验证码已发到 {mask_phone(account.mobile)}；"
                  "请对方在“忘记密码”页设置新密码。", "success")
    else:
        flash("请选择重置方式。", "error")
    return redirect(url_for("admin.user", user_id=account.id))


@bp.route("/campaigns", methods=["GET", "POST"])
@admin_required
def campaigns():
    form = NewCampaignForm()
    created = commit_form(form, lambda: campaign_services.create_campaign(
        current_actor(), form.year.data, form.title.data, form.submit_opens_at.data,
        form.submit_closes_at.data, form.description.data),
        lambda campaign: f"已新建 {campaign.year} 年活动（含十个瓶颈主题和“其他”）。",
        url_for("admin.campaigns"), field="year")
    return created or render_template("admin/campaigns.html", form=form,
                                      campaigns=campaign_queries.all_campaigns())


@bp.route("/campaigns/<int:campaign_id>/current", methods=["POST"])
@admin_required
def make_current(campaign_id):
    campaign = db.get_or_404(Campaign, campaign_id)
    return run_and_commit(lambda: campaign_services.make_campaign_current(current_actor(), campaign),
                          f"网站现在展示 {campaign.year} 年的活动。", url_for("admin.campaigns"))


@bp.route("/campaigns/<int:campaign_id>", methods=["GET", "POST"])
@admin_required
def campaign(campaign_id):
    campaign = db.get_or_404(Campaign, campaign_id)
    form = CampaignForm(obj=campaign)
    saved = commit_form(form, lambda: campaign_services.update_campaign(
        current_actor(), campaign, form.title.data, form.description.data, form.submit_opens_at.data,
        form.submit_closes_at.data), "活动信息已保存。", url_for("admin.campaign", campaign_id=campaign.id))
    return saved or render_template("admin/campaign.html", form=form, campaign=campaign)


@bp.route("/themes/<int:theme_id>", methods=["GET", "POST"])
@admin_required
def theme(theme_id):
    theme = db.get_or_404(Theme, theme_id)
    form = ThemeForm(obj=theme)
    saved = commit_form(form, lambda: campaign_services.update_theme(
        current_actor(), theme, form.name.data, form.description.data, form.keywords.data),
        f"主题“{form.name.data}”已保存。", url_for("admin.campaign", campaign_id=theme.campaign_id))
    return saved or render_template("admin/theme.html", form=form, theme=theme)


@bp.route("/log")
@admin_required
def log():
    action = clean_text(request.args.get("action") or "") or None
    page = recent_actions(action, page=page_arg())
    return render_template("admin/log.html", page=page, action=action, labels=ACTION_LABELS,
                           broken=first_broken_link())
