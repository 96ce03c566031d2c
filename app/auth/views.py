import secrets

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_login.config import COOKIE_NAME

from app.auth import services
from app.auth.forms import ChangePasswordForm, LoginForm, RegisterForm
from app.auth.models import User
from app.extensions import db, limiter, login_manager
from app.validators import parse_login
from app.viewutil import current_actor, safe_next

bp = Blueprint("auth", __name__, template_folder="templates")


@login_manager.user_loader
def load_user(session_id):
    """The user of a session or remember cookie ("id.version.nonce", see User.get_id),
    or None once the account's sessions were ended or the account disabled."""
    user_id, _, rest = session_id.partition(".")
    version, _, nonce = rest.partition(".")
    if not (user_id.isdecimal() and version.isdecimal()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    user.login_nonce = nonce
    return user


def _start_session(user, remember=False):
    # A fresh session on login, so a session fixed before login is worthless,
    # and a fresh nonce, so each login's remember cookie differs from the last.
    session.clear()
    user.login_nonce = secrets.token_urlsafe(16)
    login_user(user, remember=remember)


def _remembered():
    return current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) in request.cookies


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("base.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register_citizen(form.login.value, form.password.data,
                                             real_name=form.real_name.data)
        except services.AccountExists as exc:
            form.login.errors.append(exc.message)
        else:
            db.session.commit()
            _start_session(user)
            flash("注册成功，欢迎参与献策湖南！", "success")
            return redirect(safe_next(url_for("ideas.mine")))
    return render_template("auth/register.html", form=form)


def _login_key():
    _, value = parse_login(request.form.get("login", ""))
    return f"login:{value or request.form.get('login', '')[:254]}"


def _failed(response):
    # A successful login redirects; only failures count against the limits.
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"], key_func=_login_key,
               deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("base.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.login.data, form.password.data)
        if user is None:
            form.password.errors.append("账号或密码错误")
        else:
            _start_session(user, remember=form.remember.data)
            flash("登录成功。", "success")
            return redirect(safe_next(url_for("base.home")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        services.end_sessions(current_actor())
        db.session.commit()
    logout_user()
    session.clear()
    flash("已退出登录。", "info")
    return redirect(url_for("base.home"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_actor()
        if services.change_password(user, form.current_password.data, form.password.data):
            db.session.commit()
            # Every other session has ended; this one goes on, as remembered as before.
            _start_session(user, remember=_remembered())
            flash("密码已修改，其他设备上的登录已全部退出。", "success")
            return redirect(url_for("base.home"))
        form.current_password.errors.append("当前密码不正确")
    return render_template("auth/password.html", form=form)
