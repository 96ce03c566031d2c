"""The announcement of the top ten: 公示 with objections, then the winners."""
from datetime import datetime

from sqlalchemy import (CheckConstraint, Float, ForeignKey, String, Text, UniqueConstraint, event,
                        inspect)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.errors import Refused
from app.extensions import db
from app.states import enum_column, workflow
from app.timeutil import now


NoticeState = workflow("NoticeState", __name__, {
    "draft": ("待发布", {"published"}),
    "published": ("公示中", {"finalized"}),
    "finalized": ("已公布结果", ()),
})
# An upheld objection removes a listed entry; the first alternate takes its place.
EntryStatus = workflow("EntryStatus", __name__, {
    "listed": ("入选", {"removed"}),
    "alternate": ("候补", {"listed"}),
    "removed": ("经异议取消", ()),
})
# Spam: advertising and the like, set aside by staff (in bulk, with a reason); never shown.
ObjectionState = workflow("ObjectionState", __name__, {
    "pending": ("待处理", {"upheld", "dismissed", "spam"}),
    "upheld": ("异议成立", ()),
    "dismissed": ("异议不成立", ()),
    "spam": ("无效信息（不公开）", ()),
})
# What the public 公示 page shows: an objection is held until staff rule on it.
PUBLIC_OBJECTION_STATES = (ObjectionState.upheld, ObjectionState.dismissed)


class Announcement(db.Model):
    """One per campaign, built from its finalized final round."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), unique=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    # active_history: the guard below must know the state as loaded, even when
    # it is overwritten without having been read first.
    state: Mapped[NoticeState] = mapped_column(enum_column(NoticeState, "state"), default=NoticeState.draft,
                                               active_history=True)
    winner_count: Mapped[int] = mapped_column(default=10)
    intro: Mapped[str] = mapped_column(Text, default="")
    notice_ends_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    finalized_at: Mapped[datetime | None]
    # SHA-256 of the final list, so a copy of it elsewhere can be checked.
    digest: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=now)

    campaign = relationship("Campaign")
    round = relationship("Round")
    entries: Mapped[list["NoticeEntry"]] = relationship(
        back_populates="announcement", cascade="all, delete-orphan", order_by="NoticeEntry.position")

    def is_editable(self):
        return self.state is NoticeState.draft

    def accepts_objections(self, at=None):
        return self.state is NoticeState.published and (at or now()) < self.notice_ends_at

    def period_over(self, at=None):
        return self.state is NoticeState.published and (at or now()) >= self.notice_ends_at


class NoticeEntry(db.Model):
    """A finalist or an alternate as published: what the public sees is copied
    here at preparation, so later edits of the idea cannot change the notice."""

    __tablename__ = "notice_entries"
    __table_args__ = (
        UniqueConstraint("announcement_id", "idea_id", name="uq_notice_entries_announcement_idea"),
        UniqueConstraint("announcement_id", "position", name="uq_notice_entries_announcement_position"),
        CheckConstraint("(status = 'listed') = (rank IS NOT NULL)", name="listed_has_rank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"),
                                                 index=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"))
    # Order in the final round's ranking (1, 2, … then the alternates).
    position: Mapped[int]
    status: Mapped[EntryStatus] = mapped_column(enum_column(EntryStatus, "status"))
    # Place in the published top ten; renumbered when a finalist is removed.
    rank: Mapped[int | None]
    title: Mapped[str] = mapped_column(String(40))
    theme_name: Mapped[str] = mapped_column(String(40), default="")
    region: Mapped[str] = mapped_column(String(20), default="")
    proposer: Mapped[str] = mapped_column(String(200), default="匿名")
    citation: Mapped[str] = mapped_column(Text, default="")
    expert_score: Mapped[float | None] = mapped_column(Float)
    expert_part: Mapped[float | None] = mapped_column(Float)
    public_votes: Mapped[int | None]
    public_part: Mapped[float | None] = mapped_column(Float)
    blended: Mapped[float | None] = mapped_column(Float)
    promoted_at: Mapped[datetime | None]
    removed_at: Mapped[datetime | None]

    announcement: Mapped[Announcement] = relationship(back_populates="entries")
    idea = relationship("Idea")
    objections: Mapped[list["Objection"]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="Objection.id")

    @property
    def public_objections(self):
        return [o for o in self.objections if o.state in PUBLIC_OBJECTION_STATES]

    def credits(self, user):
        """The author or a credited co-proposer: the people the honour is for."""
        return user.is_authenticated and (
            user.id == self.idea.author_id or any(c.user_id == user.id for c in self.idea.co_proposers))


class Objection(db.Model):
    """异议 against a listed idea during 公示. The reason and the ruling are
    public; who objected is not."""

    __tablename__ = "objections"
    __table_args__ = (
        CheckConstraint("(state = 'pending') = (ruled_at IS NULL)", name="ruling_complete"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("notice_entries.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[ObjectionState] = mapped_column(enum_column(ObjectionState, "state"),
                                                  default=ObjectionState.pending)
    ruling: Mapped[str | None] = mapped_column(Text)
    ruled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ruled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=now)

    entry: Mapped[NoticeEntry] = relationship(back_populates="objections")
    user = relationship("User", foreign_keys=[user_id])
    ruled_by = relationship("User", foreign_keys=[ruled_by_id])


class FinalizedNoticeChanged(Refused):
    """Raised at flush time: a finalized list is never written to again."""


FINALIZED_MESSAGE = "十大金点子名单已经公布，不能再更改"


def _was_finalized(announcement):
    """The state as loaded from the database, before any change in this flush."""
    if announcement is None:
        return False
    history = inspect(announcement).attrs.state.history
    committed = history.deleted[0] if history.deleted else announcement.state
    return committed is NoticeState.finalized


@event.listens_for(Session, "before_flush")
def _guard_finalized_notices(session, flush_context, instances):
    """The last line of defence behind the services' own refusals: whatever
    code path tries it, a finalized announcement, its entries and their
    objections are not updated, added to or deleted."""
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Announcement):
            changed = obj in session.deleted or session.is_modified(obj, include_collections=False)
            announcement = obj if obj not in session.new else None
        elif isinstance(obj, NoticeEntry):
            changed = obj in session.new or obj in session.deleted or session.is_modified(
                obj, include_collections=False)
            announcement = obj.announcement
        elif isinstance(obj, Objection):
            changed = obj in session.new or obj in session.deleted or session.is_modified(
                obj, include_collections=False)
            announcement = obj.entry.announcement if obj.entry is not None else None
        else:
            continue
        if changed and _was_finalized(announcement):
            raise FinalizedNoticeChanged(FINALIZED_MESSAGE)
