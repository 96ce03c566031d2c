"""What citizens add to a public idea: support (附议) and supplementary suggestions (补充建议)."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import now


class IdeaSupport(db.Model):
    """One citizen's 附议 of one idea; withdrawing deletes the row."""

    __tablename__ = "idea_supports"
    # Once per citizen and idea, whatever two requests at once try.
    __table_args__ = (UniqueConstraint("idea_id", "user_id", name="uq_idea_supports_idea_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)


class IdeaSupplement(db.Model):
    """A short 补充建议 a citizen adds to a public idea. Staff may hide one, with a reason."""

    __tablename__ = "idea_supplements"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    text: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=now)
    hidden_at: Mapped[datetime | None]
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hidden_reason: Mapped[str | None] = mapped_column(String(200))

    idea = relationship("Idea")
    user = relationship("User", foreign_keys=[user_id])
    hidden_by = relationship("User", foreign_keys=[hidden_by_id])

    @property
    def is_hidden(self):
        return self.hidden_at is not None
