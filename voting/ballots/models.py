"""The public vote on a round's ideas, and the votes staff void as suspect."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.states import workflow
from app.timeutil import now
from voting.judging.models import RoundState


# A round's public vote. Only publishing the blend is stored (unpublished → upcoming);
# the clock and the round's closing make the other moves, so ``vote_state`` reads the
# state rather than storing it. Its members are strs, so pages compare it with "open".
VoteState = workflow("VoteState", __name__, {
    "unpublished": ("计分办法未公布", {"upcoming"}),
    "upcoming": ("尚未开始", {"open"}),
    "open": ("投票中", {"ended"}),
    "ended": ("已截止", ()),
}, text=True)


def vote_state(round_, at=None):
    """None when the round has no public vote; unpublished until the blend is
    published (it cannot open before); then upcoming, open, ended by the clock,
    and ended once the round itself has closed."""
    if not round_.public_vote:
        return None
    if round_.blend_published_at is None:
        return VoteState.unpublished
    at = at or now()
    if at < round_.vote_opens_at:
        return VoteState.upcoming
    if at >= round_.vote_closes_at or round_.state not in (RoundState.draft, RoundState.open):
        return VoteState.ended
    return VoteState.open


def accepts_votes(round_, at=None):
    return vote_state(round_, at) is VoteState.open


def vote_settings_editable(round_):
    return round_.blend_published_at is None and round_.state in (RoundState.draft, RoundState.open)


class PublicVote(db.Model):
    """A citizen's vote for one idea in one round. Withdrawing keeps the row
    (the fraud screen needs the history); voting again revives it."""

    __tablename__ = "public_votes"
    # One vote per account per idea, whatever the form or a race does.
    __table_args__ = (
        UniqueConstraint("round_id", "idea_id", "user_id", name="uq_public_votes_round_idea_user"),
        Index("ix_public_votes_round_idea", "round_id", "idea_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    withdrawn_at: Mapped[datetime | None]
    # What the fraud screen groups by: the address, its network (/24 or /48)
    # and the browser's user agent, as seen when the vote was cast.
    ip: Mapped[str] = mapped_column(String(45), default="")
    network: Mapped[str] = mapped_column(String(50), default="", index=True)
    user_agent: Mapped[str] = mapped_column(String(255), default="")

    round = relationship("Round")
    idea = relationship("Idea")
    user = relationship("User")

    @property
    def is_active(self):
        return self.withdrawn_at is None


class VoteVoid(db.Model):
    """Staff set aside a group of votes, with a reason; restoring undoes it.
    Both acts are in the action log."""

    __tablename__ = "vote_voids"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    # How the set was chosen (e.g. "网段 10.1.2.0/24"), for the report.
    selection: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    restored_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    restored_at: Mapped[datetime | None]
    restore_reason: Mapped[str | None] = mapped_column(Text)

    round = relationship("Round")
    created_by = relationship("User", foreign_keys=[created_by_id])
    restored_by = relationship("User", foreign_keys=[restored_by_id])
    votes: Mapped[list[PublicVote]] = relationship(secondary="voided_votes", order_by=PublicVote.id)

    @property
    def is_active(self):
        return self.restored_at is None


class VoidedVote(db.Model):
    __tablename__ = "voided_votes"

    void_id: Mapped[int] = mapped_column(ForeignKey("vote_voids.id", ondelete="CASCADE"), primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("public_votes.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
