import hashlib
from datetime import timedelta

from sqlalchemy import or_, select

from app.auth.models import User, UserSession
from app.extensions import db


def find_by_login(value):
    return db.session.execute(
        select(User).where(or_(User.mobile == value, User.email == value))
    ).scalar_one_or_none()


def list_users(role=None, page=1, per_page=50):
    stmt = select(User).order_by(User.id.desc())
    if role:
        stmt = stmt.where(User.role == role)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def nonce_hash(nonce):
    return hashlib.sha256(nonce.encode()).hexdigest()


def _live_since(config, now):
    """The oldest sign-in and last request a live session may have."""
    return (now - timedelta(hours=config["SESSION_LIFETIME_HOURS"]),
            now - timedelta(minutes=config["SESSION_IDLE_MINUTES"]))


def _live(stmt, config, now):
    created, seen = _live_since(config, now)
    return stmt.where(UserSession.ended_at.is_(None), UserSession.created_at > created,
                      UserSession.last_seen_at > seen)


def live_session(user, nonce, config, now):
    """This session's row while it lives (not ended, not idle, not too old), else None."""
    return db.session.execute(_live(select(UserSession).where(
        UserSession.user_id == user.id, UserSession.nonce_hash == nonce_hash(nonce)), config, now)
    ).scalar_one_or_none()


def live_sessions(user, config, now):
    """The account's signed-in browsers, the most recently used first."""
    newest_first = (UserSession.last_seen_at.desc(), UserSession.id.desc())
    return db.session.execute(_live(select(UserSession).where(UserSession.user_id == user.id), config, now)
                              .order_by(*newest_first)).scalars().all()
