import enum
from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import checks, db
from app.states import enum_column, workflow
from app.timeutil import now


RoundState = workflow("RoundState", __name__, {
    "draft": ("准备中", {"open"}),
    "open": ("评审中", {"closed"}),
    # closed → open is the admin's logged reopen; nothing else moves backwards.
    "closed": ("已截止", {"finalized", "open"}),
    "finalized": ("已定稿", ()),
})


class RoundPool(enum.Enum):
    accepted = "accepted"
    previous = "previous"

    @property
    def label(self):
        return {"accepted": "全部已采纳的建议", "previous": "上一轮晋级的建议"}[self.value]


class Round(db.Model):
    """One judging round of a campaign (初审, 复审, 终审 …)."""

    __tablename__ = "rounds"
    __table_args__ = (
        UniqueConstraint("campaign_id", "position", name="uq_rounds_campaign_position"),
        *checks(
            advance_positive="advance_count > 0",
            k_positive="reviewers_per_idea IS NULL OR reviewers_per_idea > 0",
            votes_positive="votes_per_citizen IS NULL OR votes_per_citizen > 0",
            expert_weight_range="expert_weight IS NULL OR (expert_weight >= 0 AND expert_weight <= 1)",
            public_vote_complete=("NOT public_vote OR (vote_opens_at IS NOT NULL"
                                  " AND vote_closes_at IS NOT NULL AND vote_opens_at < vote_closes_at"
                                  " AND votes_per_citizen IS NOT NULL AND expert_weight IS NOT NULL)"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(20))
    state: Mapped[RoundState] = mapped_column(enum_column(RoundState, "state"), default=RoundState.draft)
    pool: Mapped[RoundPool] = mapped_column(enum_column(RoundPool, "pool"), default=RoundPool.accepted)
    advance_count: Mapped[int]
    # None: every reviewer reviews every idea (the final round).
    reviewers_per_idea: Mapped[int | None]
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    carry_over: Mapped[bool] = mapped_column(default=False)
    avoid_same_region: Mapped[bool] = mapped_column(default=False)
    # Recorded at close so anyone can redo the drawing and check the table.
    tie_seed: Mapped[int | None] = mapped_column(BigInteger)
    frozen_table: Mapped[str | None] = mapped_column(Text)
    digest: Mapped[str | None] = mapped_column(String(64))
    agreement_alpha: Mapped[float | None] = mapped_column(Float)
    calibration_components: Mapped[int | None]
    closed_at: Mapped[datetime | None]
    finalized_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=now)
    # The optional public vote: its window, how many ideas each citizen may
    # back, and the blend (expert share; the public gets the rest). Fixed once
    # published, which must happen before the window opens.
    public_vote: Mapped[bool] = mapped_column(default=False)
    vote_opens_at: Mapped[datetime | None]
    vote_closes_at: Mapped[datetime | None]
    votes_per_citizen: Mapped[int | None]
    expert_weight: Mapped[float | None] = mapped_column(Float)
    blend_published_at: Mapped[datetime | None]

    campaign = relationship("Campaign")
    criteria: Mapped[list["Criterion"]] = relationship(
        back_populates="round", order_by="Criterion.position", cascade="all, delete-orphan")
    entries: Mapped[list["RoundEntry"]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="RoundEntry.id")

    def is_editable(self):
        return self.state is RoundState.draft

    def accepts_scores(self, at=None):
        at = at or now()
        return self.state is RoundState.open and (self.closes_at is None or at < self.closes_at) and (
            self.opens_at is None or at >= self.opens_at)

    def __repr__(self):
        return f"<Round {self.position} {self.name} {self.state.value}>"


class Criterion(db.Model):
    """One line of a round's rubric: weight and integer scale."""

    __tablename__ = "criteria"
    __table_args__ = (
        UniqueConstraint("round_id", "name", name="uq_criteria_round_name"),
        *checks(weight_positive="weight > 0", scale_order="scale_max > scale_min"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[float] = mapped_column(Float)
    scale_min: Mapped[int] = mapped_column(default=1)
    scale_max: Mapped[int] = mapped_column(default=10)
    position: Mapped[int] = mapped_column(default=0)

    round: Mapped[Round] = relationship(back_populates="criteria")


class RoundEntry(db.Model):
    """An idea in a round's pool, with its result once the round closes."""

    __tablename__ = "round_entries"
    __table_args__ = (UniqueConstraint("round_id", "idea_id", name="uq_round_entries_round_idea"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"), index=True)
    review_count: Mapped[int | None]
    raw_mean: Mapped[float | None] = mapped_column(Float)
    robust_mean: Mapped[float | None] = mapped_column(Float)
    calibrated: Mapped[float | None] = mapped_column(Float)
    median: Mapped[float | None] = mapped_column(Float)
    spread: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None]
    advanced: Mapped[bool] = mapped_column(default=False)
    flag_disagreement: Mapped[bool] = mapped_column(default=False)
    flag_near_cut: Mapped[bool] = mapped_column(default=False)
    in_cut_tie: Mapped[bool] = mapped_column(default=False)
    # Only in a round with a public vote: both parts on 0–100 and their blend,
    # which then decides the rank.
    expert_part: Mapped[float | None] = mapped_column(Float)
    public_votes: Mapped[int | None]
    public_part: Mapped[float | None] = mapped_column(Float)
    blended: Mapped[float | None] = mapped_column(Float)

    round: Mapped[Round] = relationship(back_populates="entries")
    idea = relationship("Idea")


class Assignment(db.Model):
    """A reviewer asked to score an idea in a round. Recusal deactivates it."""

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("round_id", "idea_id", "reviewer_id", name="uq_assignments_round_idea_reviewer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    manual: Mapped[bool] = mapped_column(default=False)
    recusal_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now)

    round: Mapped[Round] = relationship()
    idea = relationship("Idea")
    reviewer = relationship("User")
    review: Mapped["Review | None"] = relationship(back_populates="assignment", uselist=False,
                                                   cascade="all, delete-orphan")

    def belongs_to(self, user):
        return user.is_authenticated and user.id == self.reviewer_id


class Review(db.Model):
    """A reviewer's score sheet for one assignment: a draft until submitted."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), unique=True)
    submitted: Mapped[bool] = mapped_column(default=False)
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=now)
    submitted_at: Mapped[datetime | None]

    assignment: Mapped[Assignment] = relationship(back_populates="review")
    scores: Mapped[list["ReviewScore"]] = relationship(back_populates="review", cascade="all, delete-orphan")

    def score_map(self):
        return {s.criterion_id: s.value for s in self.scores}


class ReviewScore(db.Model):
    __tablename__ = "review_scores"
    __table_args__ = (UniqueConstraint("review_id", "criterion_id",
                                       name="uq_review_scores_review_criterion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"))
    value: Mapped[int]

    review: Mapped[Review] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship()


class Conflict(db.Model):
    """A conflict of interest a reviewer declared (or staff recorded) for an idea."""

    __tablename__ = "conflicts"
    __table_args__ = (UniqueConstraint("reviewer_id", "idea_id", name="uq_conflicts_reviewer_idea"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now)
