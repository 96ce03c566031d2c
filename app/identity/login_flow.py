"""The end of every sign-in: straight in, or first the second factor.

Between the password (or SMS code) and the TOTP code the session holds only a
pending user id, never a login."""
import time

from flask import current_app, flash, redirect, session, url_for

from app.auth.models import User
from app.auth.sessions import start_session
from app.extensions import db
from app.identity import services
from app.viewutil import is_local_url

PENDING = "identity_pending"


def complete_login(user, remember=False, next_url=None):
    """Log ``user`` in, or send them to /identity/2fa first; returns the response."""
    next_url = next_url if is_local_url(next_url) else url_for("base.home")
    if services.needs_second_factor(user):
        # A fresh session here too, so nothing planted before survives the second step.
        session.clear()
        session[PENDING] = {"user_id": user.id, "remember": bool(remember), "next": next_url,
                            "since": int(time.time()), "tries": 0}
        return redirect(url_for("identity.second_factor"))
    start_session(user, remember=remember)
    flash("登录成功。", "success")
    return redirect(next_url)


def pending_user():
    """The account halfway through signing in, or None (also once the pending step is too old)."""
    pending = session.get(PENDING)
    if not pending:
        return None
    if time.time() - pending["since"] > current_app.config["TWO_FACTOR_PENDING_MINUTES"] * 60:
        session.pop(PENDING)
        return None
    user = db.session.get(User, pending["user_id"])
    return user if user is not None and user.is_active else None


def count_failure():
    """One more wrong second-factor code; True when the tries are used up (the
    pending sign-in is dropped and the password must be given again)."""
    pending = session[PENDING]
    pending["tries"] += 1
    session.modified = True
    if pending["tries"] >= current_app.config["TWO_FACTOR_TRIES"]:
        session.pop(PENDING)
        return True
    return False


def finish_second_factor(user):
    pending = session[PENDING]
    start_session(user, remember=pending["remember"])
    flash("登录成功。", "success")
    return redirect(pending["next"])
