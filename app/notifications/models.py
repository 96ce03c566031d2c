from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import now


class Notification(db.Model):
    """A message in a user's account (站内通知), e.g. to a winner."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    subject: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=now)
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]

    user = relationship("User")

    def belongs_to(self, user):
        return user.is_authenticated and user.id == self.user_id


class NotificationPreference(db.Model):
    """The channels a user wants besides 站内通知, which always arrive. No row: site only."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[bool] = mapped_column(default=False, server_default=false())
    sms: Mapped[bool] = mapped_column(default=False, server_default=false())
