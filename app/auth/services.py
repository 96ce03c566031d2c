"""Account changes. Functions flush; the caller commits."""
import hmac
import math
import re

from flask import current_app
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from app.audit.services import log_action
from app.auth.models import LoginFailure, Role, User, UserSession
from app.auth.queries import find_by_login, nonce_hash
from app.errors import Refused
from app.extensions import db
from app.timeutil import now as clock
from app.validators import parse_login

# How often a session's last-seen time is written: often enough for the idle
# time-out, rarely enough not to write on every request.
TOUCH_SECONDS = 60


class AccountExists(Refused):
    field = "login"

    def __init__(self):
        super().__init__("该手机号或邮箱已注册")


# Checked against when the login is unknown, so a wrong login costs as much
# time as a wrong password and response times do not reveal which accounts exist.
_DUMMY_HASH = None


def hash_password(password):
    method = current_app.config.get("PASSWORD_HASH_METHOD")
    return generate_password_hash(password, method=method) if method else generate_password_hash(password)


def _new_user(login, password, role, real_name=None, region=None, work_unit=None):
    kind, value = parse_login(login)
    if kind is None:
        raise ValueError(f"无效的登录名：{login}")
    if find_by_login(value) is not None:
        raise AccountExists()
    user = User(role=role, real_name=real_name or None, region=region or None,
                work_unit=work_unit or None, password_hash=hash_password(password))
    setattr(user, kind, value)
    db.session.add(user)
    db.session.flush()
    return user


def register_citizen(login, password, real_name=None, consent_version=None):
    """The new account, or None when the login is taken. Callers answer both
    alike, so registering does not tell who has an account. ``consent_version``:
    the privacy policy the citizen agreed to."""
    try:
        user = _new_user(login, password, Role.citizen, real_name=real_name)
    except AccountExists:
        # The same hashing work as a new account: the response time tells nothing either.
        hash_password(password)
        return None
    if consent_version:
        user.consent_version, user.consent_at = consent_version, clock()
    log_action(user, "user.register", user, consent=consent_version)
    return user


def create_account(actor, login, password, role, real_name=None, region=None, work_unit=None):
    """An account made by an admin (or by ``flask users create``, actor None)."""
    user = _new_user(login, password, role, real_name, region, work_unit)
    log_action(actor, "user.create", user, role=role.value)
    return user


def authenticate(login, password):
    """The active user with this login and password, or None."""
    global _DUMMY_HASH
    _, value = parse_login(login)
    user = find_by_login(value) if value else None
    if user is None or not user.is_active:
        _DUMMY_HASH = _DUMMY_HASH or hash_password("not-a-real-password-0")
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def end_sessions(user):
    """Every session and remember cookie of the account stops working, on every device."""
    # In SQL, so two requests ending sessions at once both count.
    user.session_version = User.session_version + 1
    db.session.execute(update(UserSession)
                       .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
                       .values(ended_at=clock()).execution_options(synchronize_session=False))
    db.session.flush()


_DEVICES = (("HarmonyOS", "鸿蒙"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"),
            ("Windows", "Windows"), ("Macintosh", "Mac"), ("Linux", "Linux"))
_BROWSERS = (("MicroMessenger", "微信"), ("Edg/", "Edge"), ("Firefox", "Firefox"), ("Chrome", "Chrome"),
             ("Safari", "Safari"))


def device_label(user_agent):
    """"Android · 微信" from a user agent: what the session list shows, and all it keeps of it."""
    agent = user_agent or ""
    parts = [next((label for key, label in table if key in agent), None) for table in (_DEVICES, _BROWSERS)]
    label = " · ".join(part for part in parts if part)
    return label or re.sub(r"[^\w./ -]", "", agent)[:40] or "未知设备"


def open_session(user, nonce, address, user_agent, now):
    # Signed in: the account is active again (no deletion for inactivity) and its wrong
    # passwords forgiven.
    user.last_login_at, user.inactivity_notice, user.inactivity_notice_at = now, None, None
    clear_failed_logins(user)
    db.session.add(UserSession(user_id=user.id, nonce_hash=nonce_hash(nonce), created_at=now,
                               last_seen_at=now, device=device_label(user_agent),
                               address=(address or "")[:45]))
    db.session.flush()


def touch_session(row, now):
    """Note a request on this session; True when that needs a commit."""
    if (now - row.last_seen_at).total_seconds() < TOUCH_SECONDS:
        return False
    row.last_seen_at = now
    db.session.flush()
    return True


def end_session(user, session_id):
    """Sign one of the account's browsers out; False when it is not the account's."""
    row = db.session.get(UserSession, session_id) if session_id else None
    if row is None or row.user_id != user.id or row.ended_at is not None:
        return False
    row.ended_at = clock()
    db.session.flush()
    log_action(user, "user.session_end", user, session=row.id)
    return True


def change_password(user, current_password, new_password):
    if not check_password_hash(user.password_hash, current_password):
        return False
    set_password(user, new_password)
    log_action(user, "user.password", user)
    return True


def set_password(user, password, temporary=False):
    """A new password ends every session of the account; a temporary one (an admin
    knows it) must be replaced at the next sign-in."""
    user.password_hash = hash_password(password)
    user.must_change_password = temporary
    end_sessions(user)


def set_active(actor, user, active):
    user.is_active = active
    end_sessions(user)
    log_action(actor, "user.enable" if active else "user.disable", user)


# --- wrong passwords: a growing wait instead of a lock-out ----------------------

def _login_digest(login):
    # Keyed, so the table does not list which phone numbers were tried.
    return hmac.new(current_app.config["SECRET_KEY"].encode(), f"login:{login}".encode(),
                    "sha256").hexdigest()


def failure_delay(failures, config):
    """Seconds to wait after ``failures`` wrong passwords in a row: none for the
    first LOGIN_FREE_FAILURES, then 2, 4, 8 … up to LOGIN_DELAY_MAX_SECONDS."""
    extra = failures - config["LOGIN_FREE_FAILURES"]
    return 0 if extra <= 0 else min(config["LOGIN_DELAY_MAX_SECONDS"], 2 ** extra)


def login_wait(login, config, now):
    """Seconds before a password for ``login`` is checked again (0: now). The
    same for logins with and without an account."""
    row = db.session.get(LoginFailure, _login_digest(login))
    if row is None:
        return 0
    return max(0, math.ceil(failure_delay(row.failures, config) - (now - row.last_failed_at).total_seconds()))


def note_failed_login(login, now):
    digest = _login_digest(login)
    if db.session.get(LoginFailure, digest) is None:
        try:
            with db.session.begin_nested():
                db.session.add(LoginFailure(login_hash=digest, failures=1, last_failed_at=now))
            return
        except IntegrityError:
            pass  # a wrong password for the same login at the same moment made the row first
    # Counted in SQL, so two wrong passwords at once both count.
    db.session.execute(update(LoginFailure).where(LoginFailure.login_hash == digest)
                       .values(failures=LoginFailure.failures + 1, last_failed_at=now))
    db.session.flush()


def clear_failed_logins(user):
    digests = [_login_digest(login) for login in (user.mobile, user.email) if login]
    if digests:
        db.session.execute(delete(LoginFailure).where(LoginFailure.login_hash.in_(digests)))
