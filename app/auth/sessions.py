"""Sessions: what a session cookie names, how one starts, and how long it
lives. Shared by the password login and the identity sign-ins (SMS code,
second factor).

Every session has a row (app.auth.models.UserSession) keyed by a digest of
its nonce: the account's session version ends all of them at once, the row
ends one, and the row's times end it after SESSION_IDLE_MINUTES without a
request or SESSION_LIFETIME_HOURS after sign-in, whatever the cookie says."""
import secrets

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, login_user
from flask_login.config import COOKIE_NAME

from app.auth import queries, services
from app.auth.models import User
from app.extensions import db, login_manager
from app.timeutil import now as clock


@login_manager.user_loader
def load_user(session_id):
    """The user of a session or remember cookie ("id.version.nonce", see User.get_id),
    or None once the account's sessions were ended, the account disabled, or
    this session ended, idle too long or too old."""
    user_id, _, rest = session_id.partition(".")
    version, _, nonce = rest.partition(".")
    if not (user_id.isdecimal() and version.isdecimal() and nonce):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    row = queries.live_session(user, nonce, current_app.config, clock())
    if row is None:
        return None
    # Seen again: committed by note_activity before the view runs.
    g.session_seen = services.touch_session(row, clock())
    user.login_nonce = nonce
    return user


def note_activity():
    """Load the user at the start of every request and keep the session's
    last-seen time, in a commit of its own before the view writes anything."""
    if current_user.is_authenticated and g.pop("session_seen", False):
        db.session.commit()


# What an account that must choose a new password may still open.
_BEFORE_NEW_PASSWORD = {"auth.change_password", "auth.logout", "auth.privacy_policy", "static"}


def require_new_password():
    """After an admin set a temporary password, the account's first stop is 修改密码."""
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in _BEFORE_NEW_PASSWORD):
        flash("管理员为您设置了临时密码，请先设置自己的新密码。", "info")
        return redirect(url_for("auth.change_password"))
    return None


def start_session(user, remember=False):
    # A fresh session on login, so a session fixed before login is worthless,
    # and a fresh nonce, so each login's remember cookie differs from the last.
    session.clear()
    user.login_nonce = secrets.token_urlsafe(16)
    services.open_session(user, user.login_nonce, request.remote_addr, request.user_agent.string, clock())
    # Part of signing in: the row must exist before the next request asks for it.
    db.session.commit()
    login_user(user, remember=remember)


def remembered():
    return current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) in request.cookies
