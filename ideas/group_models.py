"""Groups of messages that say the same thing, decided by staff in one step."""
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.states import enum_column, workflow
from app.timeutil import now
from ideas.models import IdeaStatus

# A group is found open; one staff decision closes it; a wrong one is split,
# which also undoes its decision (its members return to where they were).
GroupState = workflow("GroupState", __name__, {
    "open": ("待决定", {"accepted", "rejected", "merged", "split"}),
    "accepted": ("已整组采纳", {"split"}),
    "rejected": ("已整组不予采纳", {"split"}),
    "merged": ("已整组并入", {"split"}),
    "split": ("已拆分", ()),
})


class IdeaGroup(db.Model):
    """Near-duplicates and same-issue messages. The earliest submitted leads
    (its author keeps the credit); the others support it."""

    __tablename__ = "idea_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"), index=True)
    state: Mapped[GroupState] = mapped_column(enum_column(GroupState, "group_state"), default=GroupState.open,
                                              index=True)
    # Accept and merge: whether the later authors were made co-proposers (else supporters only).
    credited: Mapped[bool] = mapped_column(default=False)
    # Merge: the earlier idea outside the group that all members went into.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=now)

    lead = relationship("Idea", foreign_keys=[lead_id])
    merged_into = relationship("Idea", foreign_keys=[merged_into_id])
    members: Mapped[list["IdeaGroupMember"]] = relationship(
        back_populates="group", order_by="IdeaGroupMember.id", cascade="all, delete-orphan")

    @property
    def people(self):
        """How many people raised it: distinct authors of its members."""
        return len({m.idea.author_id for m in self.members})


class IdeaGroupMember(db.Model):
    __tablename__ = "idea_group_members"
    __table_args__ = (UniqueConstraint("group_id", "idea_id", name="uq_idea_group_members_group_idea"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("idea_groups.id", ondelete="CASCADE"), index=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"), index=True)
    # Cosine to the group's lead (1 for the lead).
    score: Mapped[float] = mapped_column(Float, default=1.0)
    # The member's status before the group's decision: a split restores it.
    previous_status: Mapped[IdeaStatus | None] = mapped_column(enum_column(IdeaStatus, "previous_status"))

    group: Mapped[IdeaGroup] = relationship(back_populates="members")
    idea = relationship("Idea")
