"""Reads for 站内通知."""
from sqlalchemy import func, select

from app.extensions import db
from app.notifications.models import Notification


def notifications_of(user, limit=200):
    return db.session.scalars(
        select(Notification).where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)).all()


def unread_count(user):
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)))
