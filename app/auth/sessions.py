"""Sessions: what a session cookie names, and how one starts. Shared by the
password login and the identity sign-ins (SMS code, second factor)."""
import secrets

from flask import current_app, request, session
from flask_login import login_user
from flask_login.config import COOKIE_NAME

from app.auth.models import User
from app.extensions import db, login_manager


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


def start_session(user, remember=False):
    # A fresh session on login, so a session fixed before login is worthless,
    # and a fresh nonce, so each login's remember cookie differs from the last.
    session.clear()
    user.login_nonce = secrets.token_urlsafe(16)
    login_user(user, remember=remember)


def remembered():
    return current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) in request.cookies
