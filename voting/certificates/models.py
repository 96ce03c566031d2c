from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import now


class Certificate(db.Model):
    """One winner's certificate for one winning entry, as issued: what it
    says is kept word for word (``content``) with its SHA-256, so the public
    verification page shows exactly what the paper says."""

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("entry_id", "user_id", name="uq_certificates_entry_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random (100 bits), so nobody can walk through the certificates by number.
    serial: Mapped[str] = mapped_column(String(24), unique=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("notice_entries.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The name the winner chose for the certificate (never a masked login).
    name: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(default=now)

    entry = relationship("NoticeEntry")
    user = relationship("User")

    def facts(self):
        """The recorded text as (label, value) pairs, in the order printed."""
        return [line.split("：", 1) for line in self.content.splitlines()]
