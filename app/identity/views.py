import hashlib
import secrets

from flask import (
    Blueprint,
    after_this_request,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from app.auth.decorators import admin_required, roles_required
from app.auth.models import User, mask_phone
from app.extensions import db, limiter
from app.identity import cli, login_flow, queries, services, settings, totp
from app.identity.forms import (
    ResetPasswordForm,
    ResetTwoFactorForm,
    SecondFactorForm,
    SmsLoginForm,
    TotpCodeForm,
    VerifyPhoneForm,
)
from app.viewutil import attempt, back_or, current_actor, is_local_url, safe_next

bp = Blueprint("identity", __name__, template_folder="templates")
bp.record_once(lambda state: settings.init_app(state.app))
cli.register(bp.cli)

two_factor_roles = roles_required(*services.TWO_FACTOR_ROLES)
DEVICE_COOKIE = "device_id"
DEV_CODE = "identity_dev_code"
# Pages a staff member who must enrol in two-factor can still reach.
ENROL_ENDPOINTS = {"identity.setup", "identity.setup_start", "auth.logout", "static"}


@bp.app_context_processor
def dev_banner():
    def sms_dev_code():
        return session.get(DEV_CODE) if current_app.config["SMS_DEV_BANNER"] else None
    def phone_verified():
        return current_user.is_authenticated and queries.is_phone_verified(current_user)
    return {"sms_dev_code": sms_dev_code, "sms_device_cookie": _give_device_cookie,
            "phone_verified": phone_verified}


@bp.before_app_request
def require_enrolment():
    if (current_app.config["TWO_FACTOR_REQUIRED"] and current_user.is_authenticated
            and request.endpoint not in ENROL_ENDPOINTS and services.must_enrol(current_user)):
        flash("按安全要求，工作人员和管理员须先设置两步验证。", "info")
        return redirect(url_for("identity.setup"))
    return None


def _device():
    """A digest naming this browser: its device cookie, or its user agent when
    it sends none, so a cookie-less script is one device too."""
    cookie = request.cookies.get(DEVICE_COOKIE)
    source = f"cookie:{cookie}" if cookie else f"ua:{request.user_agent.string}"
    if not cookie:
        _give_device_cookie()
    return hashlib.sha256(source.encode()).hexdigest()[:32]


def _give_device_cookie():
    """Set the device cookie on this response, unless the browser has one.
    Called while a page with the code fragment renders, so that the browser
    has its cookie before it asks for the first code."""
    if request.cookies.get(DEVICE_COOKIE) or g.get("device_cookie_set"):
        return ""
    g.device_cookie_set = True
    value = secrets.token_urlsafe(16)

    @after_this_request
    def remember_device(response):
        response.set_cookie(DEVICE_COOKIE, value, max_age=365 * 86400, httponly=True, samesite="Lax",
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
        return response
    return ""


@bp.route("/code", methods=["POST"])
def code():
    """Send a code. JSON in, JSON out for the button's script, always 200: a
    refusal is an ordinary answer ("ok": false, with the wait in "retry_after"),
    not a failed request for the browser to report. A plain form post (no
    script) gets a message and goes back to its page."""
    data = request.get_json(silent=True) if request.is_json else request.form
    if not isinstance(data, dict):
        data = {}
    phone = str(data.get("phone") or data.get("login") or "")

    def send():
        return services.send_code(phone, str(data.get("purpose", "")), request.remote_addr, _device())

    def refusal_answer(refusal):
        return _code_answer(data, phone, False, refusal.message, getattr(refusal, "retry_after", None))

    sent_ok, sent = attempt(send, refused=refusal_answer)
    if not sent_ok:
        return sent  # refusal_answer's response
    dev_code = sent.shown_code if current_app.config["SMS_DEV_BANNER"] else None
    if dev_code:
        session[DEV_CODE] = {"phone": mask_phone(sent.phone), "code": dev_code}
    return _code_answer(data, sent.phone, True, sent.message, sent.retry_after, dev_code)


def _code_answer(data, phone, ok, message, retry_after, dev_code=None):
    if request.is_json:
        return jsonify(ok=ok, message=message, retry_after=retry_after,
                       phone=mask_phone(phone) if ok else None, dev_code=dev_code)
    flash(message, "success" if ok else "error")
    back = str(data.get("back") or "")
    back = back if is_local_url(back) else back_or(url_for("base.home"))
    return redirect(f"{back.split('?')[0]}?phone={phone[:11]}" if ok else back)


@bp.route("/reset", methods=["GET", "POST"])
def reset():
    form = ResetPasswordForm()
    if not form.is_submitted():
        form.phone.data = request.args.get("phone", "")[:20]
    # A wrong code still uses up a try: refusals are committed too.
    if form.validate_on_submit() and attempt(lambda: services.reset_password(
            form.phone.data, form.code.data, form.password.data), form, "phone", keep_refused=True)[0]:
        flash("密码已重置，请使用新密码登录。", "success")
        return redirect(url_for("auth.login"))
    return render_template("identity/reset.html", form=form)


@bp.route("/sms-login", methods=["GET", "POST"])
def sms_login():
    if current_user.is_authenticated:
        return redirect(url_for("base.home"))
    form = SmsLoginForm()
    if not form.is_submitted():
        form.phone.data = request.args.get("phone", "")[:20]
    if form.validate_on_submit():
        signed_in, user = attempt(lambda: services.sign_in_with_code(form.phone.data, form.code.data), form,
                                  "phone", keep_refused=True)
        if signed_in:
            return login_flow.complete_login(user, remember=form.remember.data, next_url=safe_next(None))
    return render_template("identity/sms_login.html", form=form)


@bp.route("/phone", methods=["GET", "POST"])
@login_required
def verify_phone():
    form = VerifyPhoneForm()
    verified = queries.verified_phone(current_user)
    if not form.is_submitted():
        form.phone.data = current_user.mobile or request.args.get("phone", "")[:20]
    if form.validate_on_submit() and attempt(lambda: services.verify_phone(
            current_actor(), form.phone.data, form.code.data), form, "phone", keep_refused=True)[0]:
        flash("手机号验证成功。", "success")
        return redirect(safe_next(url_for("base.home")))
    return render_template("identity/verify_phone.html", form=form, verified=verified)


def _pending_key():
    pending = session.get(login_flow.PENDING) or {}
    return f"2fa:{pending.get('user_id', request.remote_addr)}"


def _failed(response):
    return response.status_code != 302


@bp.route("/2fa", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["TWO_FACTOR_LIMIT"], methods=["POST"], key_func=_pending_key,
               deduct_when=_failed)
def second_factor():
    user = login_flow.pending_user()
    if user is None:
        if current_user.is_authenticated:
            return redirect(url_for("base.home"))
        flash("请先用密码或短信验证码登录。", "info")
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        verified, method = attempt(lambda: services.verify_second_factor(user, form.code.data), form, "code")
        if not verified and login_flow.count_failure():
            flash("验证码错误次数过多，请重新登录。", "error")
            return redirect(url_for("auth.login"))
        if verified:
            response = login_flow.finish_second_factor(user)
            if method == "recovery":
                # After the sign-in, whose fresh session would drop an earlier message.
                flash(f"已使用一个恢复码，还剩 {queries.recovery_codes_left(user)} 个。"
                      "手机找回后请重新生成恢复码。", "info")
            return response
    return render_template("identity/second_factor.html", form=form)


@bp.route("/2fa/setup", methods=["GET", "POST"])
@two_factor_roles
def setup():
    record = queries.two_factor(current_user)
    form = TotpCodeForm()
    if record is not None and not record.is_confirmed and form.validate_on_submit():
        confirmed, plain = attempt(lambda: services.confirm_enrolment(current_actor(), form.code.data),
                                   form, "code")
        if confirmed:
            return _show_recovery_codes(plain, "两步验证已启用")
    qr = secret = None
    if record is not None and not record.is_confirmed:
        uri = totp.provisioning_uri(record.secret, current_user.login_name,
                                    current_app.config["TWO_FACTOR_ISSUER"])
        qr, secret = totp.qr_svg(uri), totp.grouped(record.secret)
    left = queries.recovery_codes_left(current_user) if record is not None and record.is_confirmed else None
    return render_template("identity/setup.html", record=record, form=form, qr=qr, secret=secret, left=left)


@bp.route("/2fa/setup/start", methods=["POST"])
@two_factor_roles
def setup_start():
    attempt(lambda: services.start_enrolment(current_actor()))
    return redirect(url_for("identity.setup"))


@bp.route("/2fa/recovery-codes", methods=["POST"])
@two_factor_roles
def recovery_codes():
    form = TotpCodeForm()
    if form.validate_on_submit():
        made, plain = attempt(lambda: services.regenerate_recovery_codes(current_actor(), form.code.data))
        if made:
            return _show_recovery_codes(plain, "已生成新的恢复码")
    else:
        flash("请输入验证器上的验证码。", "error")
    return redirect(url_for("identity.setup"))


def _show_recovery_codes(plain, title):
    # Shown once, in this response only: never cached, never kept in the session.
    page = render_template("identity/recovery_codes.html", codes=plain, title=title)
    response = current_app.make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def admin_user(user_id):
    user = db.get_or_404(User, user_id)
    form = ResetTwoFactorForm()
    if form.validate_on_submit() and attempt(lambda: services.reset_two_factor(current_actor(), user,
                                                                               form.reason.data))[0]:
        flash(f"已重置 {user.login_name} 的两步验证，对方下次登录时需重新设置。", "success")
        return redirect(url_for("identity.admin_user", user_id=user.id))
    record = queries.two_factor(user)
    return render_template("identity/admin_user.html", user=user, form=form, record=record,
                           left=queries.recovery_codes_left(user), verified=queries.verified_phone(user),
                           sends=queries.recent_codes(user.mobile) if user.mobile else [])
