import re
import secrets

from flask import (Blueprint, current_app, flash, make_response, redirect, render_template, request, session,
                   url_for)
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, logout_user

from app.auth import hooks, privacy, queries, services, sessions
from app.auth.forms import ChangePasswordForm, LoginForm, RegisterForm
from app.extensions import db, limiter
from app.timeutil import now
from app.validators import parse_login
from app.viewutil import attempt, current_actor, safe_next

bp = Blueprint("auth", __name__, template_folder="templates")
bp.before_app_request(sessions.note_activity)
bp.before_app_request(sessions.require_new_password)


# Registering tells nobody whether the login already had an account (ASVS V2.5, V3):
# a new login gets one, a taken one nothing, and both get this answer.
REGISTERED = ("注册申请已收到。如果这个手机号或邮箱以前没有注册过，账号已经建好，请用刚才设置的密码登录；"
              "如果以前注册过，请用原来的密码登录。")
# A random id the register page gives each browser, so registrations can be
# counted per device as well as per address.
DEVICE_COOKIE = "device"
_DEVICE_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")


def _device_id():
    value = request.cookies.get(DEVICE_COOKIE, "")
    return value if _DEVICE_ID.match(value) else None


def _device_key():
    # Clients that drop the cookie count, at one address, as one device.
    return f"register-device:{_device_id() or 'none:' + get_remote_address()}"


def _redirected(response):
    return response.status_code == 302


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTER_LIMIT_PER_ADDRESS"], methods=["POST"],
               deduct_when=_redirected, error_message="这个网络注册的账号太多，请稍后再试。")
@limiter.limit(lambda: current_app.config["REGISTER_LIMIT_PER_DEVICE"], methods=["POST"],
               key_func=_device_key, deduct_when=_redirected,
               error_message="这台设备注册的账号太多，请稍后再试。")
def register():
    if current_user.is_authenticated:
        return redirect(url_for("base.home"))
    form = RegisterForm()
    if not form.is_submitted():
        # Back from sending a code without script (see identity/_sms.html).
        form.login.data = request.args.get("phone", "")[:20] or None
    response = None
    if form.validate_on_submit():
        if form.login.kind == "mobile":
            response = _register_mobile(form)
        else:
            services.register_citizen(form.login.value, form.password.data, real_name=form.real_name.data,
                                      consent_version=privacy.POLICY_VERSION)
            db.session.commit()
            flash(REGISTERED, "info")
            response = redirect(url_for("auth.login", next=safe_next(url_for("ideas.mine"))))
    response = response or make_response(render_template("auth/register.html", form=form))
    if _device_id() is None:
        response.set_cookie(DEVICE_COOKIE, secrets.token_urlsafe(16), max_age=365 * 24 * 3600,
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False), httponly=True,
                            samesite="Lax")
    return response


def _register_mobile(form):
    """The account for a phone proven by its code; None (the form is shown
    again, with the refusal at its field) when the code or the number is refused."""
    # A wrong code still uses up one of its tries: refusals are committed too.
    if not attempt(lambda: hooks.identity().register_by_code(form.login.value, form.code.data,
                                                             form.password.data, form.real_name.data,
                                                             privacy.POLICY_VERSION),
                   form, "login", keep_refused=True)[0]:
        return None
    flash("注册成功，手机号已验证。请用刚才设置的密码登录。", "success")
    return redirect(url_for("auth.login", next=safe_next(url_for("ideas.mine"))))


def _failed(response):
    # A successful login redirects; only failures count against the limits.
    return response.status_code != 302


def _wait_page(login, wait):
    """Too many wrong passwords for this login: the password is not checked
    until the wait is over, but the holder of the phone can sign in with an
    SMS code at once, so guessing at someone's password cannot lock them out."""
    kind, value = parse_login(login)
    page = render_template("auth/locked.html", phone=value if kind == "mobile" else None, wait=wait)
    return make_response(page, 429)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("base.home"))
    form = LoginForm()
    if form.validate_on_submit():
        login_name = parse_login(form.login.data)[1] or form.login.data.strip()[:254]
        wait = services.login_wait(login_name, current_app.config, now())
        if wait:
            return _wait_page(form.login.data, wait)
        user = services.authenticate(form.login.data, form.password.data)
        if user is None:
            services.note_failed_login(login_name, now())
            db.session.commit()
            form.password.errors.append("账号或密码错误")
        else:
            # Straight in, or first the second factor for enrolled staff.
            return hooks.identity().complete_login(user, form.remember.data, safe_next(url_for("base.home")))
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


def _password_key():
    return f"password:{current_user.id}"


@bp.route("/password", methods=["GET", "POST"])
@login_required
# Someone holding a session must not get unlimited guesses at the current password.
@limiter.limit(lambda: current_app.config["PASSWORD_CHANGE_LIMIT"], methods=["POST"], key_func=_password_key,
               deduct_when=_failed)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_actor()
        if services.change_password(user, form.current_password.data, form.password.data):
            db.session.commit()
            # Every other session has ended; this one goes on, as remembered as before.
            sessions.start_session(user, remember=sessions.remembered())
            flash("密码已修改，其他设备上的登录已全部退出。", "success")
            return redirect(url_for("base.home"))
        form.current_password.errors.append("当前密码不正确")
    return render_template("auth/password.html", form=form)


@bp.route("/sessions")
@login_required
def active_sessions():
    rows = queries.live_sessions(current_user, current_app.config, now())
    return render_template("auth/sessions.html", rows=rows,
                           current=queries.nonce_hash(current_user.login_nonce))


@bp.route("/sessions/end", methods=["POST"])
@login_required
def end_one_session():
    # Someone else's session reads as one already ended.
    if services.end_session(current_actor(), request.form.get("session_id", type=int)):
        db.session.commit()
        flash("已退出该设备上的登录。", "success")
    else:
        flash("该设备的登录已经结束。", "info")
    return redirect(url_for("auth.active_sessions"))


@bp.route("/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions():
    user = current_actor()
    services.end_sessions(user)
    db.session.commit()
    # Every session has ended; this one goes on in a fresh one.
    sessions.start_session(user, remember=sessions.remembered())
    flash("其他设备上的登录已全部退出。", "success")
    return redirect(url_for("auth.active_sessions"))


@bp.route("/privacy")
def privacy_policy():
    return render_template("auth/privacy.html", version=privacy.POLICY_VERSION, updated=privacy.UPDATED)
