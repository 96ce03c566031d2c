import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import now


class IdeaStatus(enum.Enum):
    draft = "draft"
    submitted = "submitted"
    accepted = "accepted"
    rejected = "rejected"
    merged = "merged"
    shortlisted = "shortlisted"
    finalist = "finalist"

    @property
    def label(self):
        return STATUS_LABELS[self]

    def can_become(self, other):
        return other in TRANSITIONS[self]


STATUS_LABELS = {
    IdeaStatus.draft: "草稿",
    IdeaStatus.submitted: "待筛选",
    IdeaStatus.accepted: "已采纳，进入评选",
    IdeaStatus.rejected: "未采纳",
    IdeaStatus.merged: "已合并",
    IdeaStatus.shortlisted: "入围，进入下一轮评审",
    IdeaStatus.finalist: "入选前十，待公示",
}

# The only legal moves of the workflow; services refuse everything else.
TRANSITIONS = {
    IdeaStatus.draft: {IdeaStatus.submitted},
    IdeaStatus.submitted: {IdeaStatus.accepted, IdeaStatus.rejected, IdeaStatus.merged},
    # A duplicate can turn up after both ideas were accepted. Closing a judging
    # round advances ideas; reopening it (an admin's logged act) takes them back.
    IdeaStatus.accepted: {IdeaStatus.merged, IdeaStatus.shortlisted, IdeaStatus.finalist},
    IdeaStatus.shortlisted: {IdeaStatus.finalist, IdeaStatus.accepted},
    IdeaStatus.finalist: {IdeaStatus.shortlisted, IdeaStatus.accepted},
    IdeaStatus.rejected: set(),
    IdeaStatus.merged: set(),
}


def status_column(name):
    return Enum(IdeaStatus, native_enum=False, length=20, create_constraint=True, name=name)


class Idea(db.Model):
    __tablename__ = "ideas"
    __table_args__ = (
        UniqueConstraint("campaign_id", "seq", name="uq_ideas_campaign_seq"),
        # Submitted ideas always carry their tracking number.
        CheckConstraint("status = 'draft' OR seq IS NOT NULL", name="submitted_has_seq"),
        CheckConstraint("(status = 'merged') = (merged_into_id IS NOT NULL)", name="merged_has_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The form's one-time token: a double click or a resent form finds the
    # idea it already created instead of creating a second one.
    submission_token: Mapped[str] = mapped_column(String(64), unique=True)
    seq: Mapped[int | None]
    tracking_code: Mapped[str | None] = mapped_column(String(20), unique=True)
    status: Mapped[IdeaStatus] = mapped_column(status_column("status"), default=IdeaStatus.draft, index=True)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"), index=True)
    title: Mapped[str] = mapped_column(String(40))
    problem: Mapped[str] = mapped_column(Text, default="")
    suggestion: Mapped[str] = mapped_column(Text, default="")
    benefit: Mapped[str] = mapped_column(Text, default="")
    region: Mapped[str | None] = mapped_column(String(20), index=True)
    contact_phone: Mapped[str | None] = mapped_column(String(11))
    show_name: Mapped[bool] = mapped_column(default=False)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)
    submitted_at: Mapped[datetime | None] = mapped_column(index=True)

    campaign = relationship("Campaign")
    author = relationship("User")
    theme = relationship("Theme")
    merged_into: Mapped["Idea | None"] = relationship(remote_side=[id])
    events: Mapped[list["IdeaEvent"]] = relationship(
        back_populates="idea", order_by="IdeaEvent.id", cascade="all, delete-orphan"
    )
    co_proposers: Mapped[list["CoProposer"]] = relationship(
        back_populates="idea", order_by="CoProposer.id", cascade="all, delete-orphan",
        foreign_keys="CoProposer.idea_id",
    )

    def can_view(self, user):
        """The author, a credited co-proposer, or staff."""
        return user.is_authenticated and (
            user.id == self.author_id or user.is_staff
            or any(c.user_id == user.id for c in self.co_proposers))

    def can_see_names(self, user):
        """Names of everyone involved are for staff and the author; a co-proposer
        sees their own name and the public one of the author."""
        return user.is_authenticated and (user.is_staff or user.id == self.author_id)

    def can_edit(self, user):
        return user.is_authenticated and user.id == self.author_id and self.status is IdeaStatus.draft

    def public_author_name(self):
        return self.author.real_name if self.show_name and self.author.real_name else "匿名"

    def __repr__(self):
        return f"<Idea {self.id} {self.status.value}>"


class IdeaEvent(db.Model):
    """One line of an idea's history: a status change, or a note such as a
    duplicate being merged into it. Who, when and why, always."""

    __tablename__ = "idea_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[IdeaStatus | None] = mapped_column(status_column("from_status"))
    to_status: Mapped[IdeaStatus | None] = mapped_column(status_column("to_status"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=now)

    idea: Mapped[Idea] = relationship(back_populates="events")
    actor = relationship("User")


class CoProposer(db.Model):
    """Credit for the author of a duplicate merged into this idea."""

    __tablename__ = "co_proposers"
    __table_args__ = (UniqueConstraint("idea_id", "user_id", name="uq_co_proposers_idea_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    source_idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    idea: Mapped[Idea] = relationship(back_populates="co_proposers", foreign_keys=[idea_id])
    user = relationship("User")
    source_idea: Mapped[Idea] = relationship(foreign_keys=[source_idea_id])
