from datetime import date, datetime

from sqlalchemy import (JSON, CheckConstraint, Float, ForeignKey, Index, String, Text, UniqueConstraint,
                        false, func)
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.auth.models import DELETED_NAME
from app.extensions import checks, db
from app.states import enum_column, workflow
from app.timeutil import now


# The only legal moves of an idea; services refuse everything else.
IdeaStatus = workflow("IdeaStatus", __name__, {
    "draft": ("草稿", {"submitted"}),
    "submitted": ("待筛选", {"accepted", "rejected", "merged", "withdrawn"}),
    # A duplicate can turn up after both ideas were accepted. Closing a judging
    # round advances ideas; reopening it (an admin's logged act) takes them back.
    # Splitting a wrongly formed group (ideas.groups.split_group) undoes its decision.
    "accepted": ("已采纳，进入评选", {"merged", "shortlisted", "finalist", "submitted"}),
    "rejected": ("未采纳", {"submitted"}),
    "merged": ("已合并", {"submitted"}),
    "shortlisted": ("入围，进入下一轮评审", {"finalist", "accepted"}),
    # An alternate promoted after an upheld objection becomes a winner too.
    "finalist": ("入选前十，待公示", {"shortlisted", "accepted", "winner"}),
    "winner": ("十大金点子", ()),
    # The author took it back before screening; the reason stays in the history.
    "withdrawn": ("已撤回", ()),
})


# Where an idea may have a public page (with its author's consent): accepted and beyond.
PUBLIC_STATUSES = (IdeaStatus.accepted, IdeaStatus.shortlisted, IdeaStatus.finalist, IdeaStatus.winner)


# A background rebuild. Its members are strs too, so the progress JSON, the page's
# data attribute and the label look-ups keep the plain values of the old string column.
JobState = workflow("JobState", __name__, {
    # A queued job fails without running when its queue loses it (Redis flushed).
    "queued": ("排队中", {"running", "failed"}),
    "running": ("进行中", {"done", "failed"}),
    "done": ("已完成", ()),
    "failed": ("失败", ()),
}, text=True)


class Idea(db.Model):
    __tablename__ = "ideas"
    __table_args__ = (
        UniqueConstraint("campaign_id", "seq", name="uq_ideas_campaign_seq"),
        *checks(
            # Submitted ideas always carry their tracking number.
            submitted_has_seq="status = 'draft' OR seq IS NOT NULL",
            merged_has_target="(status = 'merged') = (merged_into_id IS NOT NULL)",
        ),
        # The screening queue, page after page in its order (ideas.queries.screening_page).
        Index("ix_ideas_queue", "campaign_id", "status", "submitted_at", "id"),
        Index("ix_ideas_campaign_submitted", "campaign_id", "submitted_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The form's one-time token: a double click or a resent form finds the
    # idea it already created instead of creating a second one.
    submission_token: Mapped[str] = mapped_column(String(64), unique=True)
    seq: Mapped[int | None]
    tracking_code: Mapped[str | None] = mapped_column(String(20), unique=True)
    status: Mapped[IdeaStatus] = mapped_column(enum_column(IdeaStatus, "status"), default=IdeaStatus.draft,
                                               index=True)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"), index=True)
    title: Mapped[str] = mapped_column(String(40))
    problem: Mapped[str] = mapped_column(Text, default="")
    suggestion: Mapped[str] = mapped_column(Text, default="")
    benefit: Mapped[str] = mapped_column(Text, default="")
    region: Mapped[str | None] = mapped_column(String(20), index=True)
    contact_phone: Mapped[str | None] = mapped_column(String(11))
    show_name: Mapped[bool] = mapped_column(default=False)
    # The author's consent to a public page once accepted (its text only, never who wrote it).
    public_consent: Mapped[bool] = mapped_column(default=False, server_default=false())
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id"))
    # Set when staff confirm or correct the theme: such ideas are the labels
    # the theme model learns from at the next rebuild.
    theme_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)
    submitted_at: Mapped[datetime | None] = mapped_column(index=True)
    # The answer (答复) staff give the author, and which department gives it.
    reply_text: Mapped[str | None] = mapped_column(Text)
    reply_department: Mapped[str | None] = mapped_column(String(50))
    replied_at: Mapped[datetime | None]

    campaign = relationship("Campaign")
    author = relationship("User", foreign_keys=[author_id])
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

    @property
    def screened_at(self):
        """受理日期: when staff first decided on the submitted idea."""
        return next((e.created_at for e in self.events if e.from_status is IdeaStatus.submitted), None)

    @property
    def is_public(self):
        """Readable by anyone at /ideas/<code>: accepted or further, and the author agreed."""
        return self.public_consent and self.status in PUBLIC_STATUSES

    def public_author_name(self):
        if self.author.deleted_at is not None:
            return DELETED_NAME
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
    from_status: Mapped[IdeaStatus | None] = mapped_column(enum_column(IdeaStatus, "from_status"))
    to_status: Mapped[IdeaStatus | None] = mapped_column(enum_column(IdeaStatus, "to_status"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=now)

    idea: Mapped[Idea] = relationship(back_populates="events")
    actor = relationship("User")


class IdeaCorrection(db.Model):
    """A supplementary note (补充更正) the author adds after submitting; staff read it beside the idea."""

    __tablename__ = "idea_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now)

    idea: Mapped[Idea] = relationship(backref=backref("corrections", order_by="IdeaCorrection.id",
                                                      cascade="all, delete-orphan"))


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


class IdeaAnalysis(db.Model):
    """What the text mining found for one idea. The tokens are kept so a rebuild
    never segments an unchanged idea again (``text_hash`` tells)."""

    __tablename__ = "idea_analyses"
    __table_args__ = (
        # nlp.themes.ThemeResult.status at the last rebuild: 已归类, 待人工确认, 不属于本次征集.
        CheckConstraint("theme_status IN ('assigned', 'needs_review', 'off_topic')", name="theme_status"),
    )

    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64))
    # text_hash when the themes last read the idea; NULL for one new or changed since (store_tokens).
    analysed_hash: Mapped[str | None] = mapped_column(String(64))
    tokens: Mapped[str] = mapped_column(Text, default="")
    suggested_theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"), index=True)
    confidence: Mapped[float | None] = mapped_column(Float)
    theme_status: Mapped[str | None] = mapped_column(String(12), index=True)
    secondary_theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"))
    secondary_confidence: Mapped[float | None] = mapped_column(Float)
    # The gate before the themes: how sure it is that this is a proposal at all,
    # and for an off-topic text its kind, reason and the reply staff may send.
    on_topic_probability: Mapped[float | None] = mapped_column(Float)
    gate_kind: Mapped[str] = mapped_column(String(20), default="")
    gate_reason: Mapped[str] = mapped_column(Text, default="")
    gate_reply: Mapped[str] = mapped_column(Text, default="")
    # Staff said "this is a proposal after all": later rebuilds do not set it aside again.
    gate_overruled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    keywords: Mapped[str] = mapped_column(Text, default="")
    # nlp.worth at submission: the screening order (never a reason to reject) and why.
    worth_score: Mapped[float | None] = mapped_column(Float, index=True)
    worth_reason: Mapped[str] = mapped_column(Text, default="")
    cluster_id: Mapped[int | None] = mapped_column(ForeignKey("clusters.id", ondelete="SET NULL"), index=True)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)

    idea: Mapped[Idea] = relationship(backref=backref("analysis", uselist=False,
                                                      cascade="all, delete-orphan"))
    suggested_theme = relationship("Theme", foreign_keys=[suggested_theme_id])
    secondary_theme = relationship("Theme", foreign_keys=[secondary_theme_id])
    cluster = relationship("Cluster")

    @property
    def needs_review(self):
        """待人工确认: on topic, but no theme confident enough."""
        return self.theme_status == "needs_review"


# An analysis the themes have not read in its present text, and the index of those:
# what an update (analysis_services.update) reads, few rows however many ideas there are.
# (A NULL test rather than comparing the hashes: the planner knows how few NULLs there are.)
UNANALYSED = IdeaAnalysis.analysed_hash.is_(None)
Index("ix_idea_analyses_unanalysed", IdeaAnalysis.idea_id,
      postgresql_where=UNANALYSED, sqlite_where=UNANALYSED)
# The 不属于本次征集 queue in its order (least sure first), walked a page at a time.
OFF_TOPIC = IdeaAnalysis.theme_status == "off_topic"
Index("ix_idea_analyses_off_topic", IdeaAnalysis.on_topic_probability, IdeaAnalysis.idea_id,
      postgresql_where=OFF_TOPIC, sqlite_where=OFF_TOPIC)


class IdeaTally(db.Model):
    """How many ideas share a campaign, status, theme, region, day of submission and
    whether they have been answered.
    On PostgreSQL a trigger on ``ideas`` keeps it (migration 5c1d9e7a2b86), so the
    queue's, the dashboard's and the report's counts add up a few thousand rows
    instead of counting a million ideas; ``ideas.queries.idea_counts`` reads it.
    SQLite has no such trigger, and there the ideas are counted as they are.
    No theme is 0, no region "" and no day of submission (a draft) ``NO_DAY``:
    the key columns cannot be NULL."""

    __tablename__ = "idea_tallies"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    theme_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    region: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    answered: Mapped[bool] = mapped_column(primary_key=True)
    n: Mapped[int]

    NO_DAY = date(1, 1, 1)


class AnalysisTally(db.Model):
    """How many analysed ideas share a campaign, status, whether staff confirmed the
    theme, the analysis' theme status and gate kind, and a confidence bucket (a
    hundredth wide), with the sum of their confidences: what the 待人工确认 dial and
    the 不属于本次征集 counts read at a million ideas. Kept on PostgreSQL by triggers on
    ``idea_analyses`` and ``ideas`` (migration 7e3a9c1d5b24), counted directly on
    SQLite, as ``IdeaTally``. No theme status or gate kind is "", no confidence
    bucket -1 (below every threshold)."""

    __tablename__ = "analysis_tallies"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    confirmed: Mapped[bool] = mapped_column(primary_key=True)
    theme_status: Mapped[str] = mapped_column(String(12), primary_key=True)
    gate_kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    # floor(confidence × 100): a dial threshold t counts the buckets ≥ round(100 t).
    bucket: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    n: Mapped[int]
    confidence_sum: Mapped[float] = mapped_column(Float)


def search_vector(tokens):
    """PostgreSQL's tsvector of stored tokens, each token a lexeme as it is (no parser,
    which would split Chinese differently from jieba). The GIN index
    ``ix_idea_analyses_search`` (PostgreSQL only, in the migration) is on this expression."""
    return func.array_to_tsvector(func.string_to_array(tokens, " "))


class ClusterRun(db.Model):
    """One clustering of a campaign's ideas, with its parameters and quality figures."""

    __tablename__ = "cluster_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    strategy: Mapped[str] = mapped_column(String(20))
    summary: Mapped[dict] = mapped_column(JSON, default=dict)

    clusters: Mapped[list["Cluster"]] = relationship(back_populates="run", cascade="all, delete-orphan",
                                                     order_by="Cluster.id")


class Cluster(db.Model):
    __tablename__ = "clusters"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("cluster_runs.id", ondelete="CASCADE"), index=True)
    # The theme whose ideas were clustered; None for the unassigned ones.
    scope_theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"))
    name: Mapped[str] = mapped_column(String(100))
    terms: Mapped[str] = mapped_column(Text, default="")
    size: Mapped[int]
    nearest_theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"))
    theme_score: Mapped[float | None] = mapped_column(Float)
    # Member idea ids, so the next rebuild can tell the same cluster by overlap
    # (nlp.cluster.match_clusters) and keep this row, its id and its name. Loaded
    # when read: a list of the clusters would otherwise parse every member id.
    members: Mapped[list] = mapped_column(JSON, default=list, deferred=True)
    # At the rebuild that made it: "same", "merged", "split" or "new", and the clusters it came from.
    change: Mapped[str] = mapped_column(String(10), default="new")
    # Member ids most representative first (nlp.representative, at the rebuild).
    representatives: Mapped[list] = mapped_column(JSON, default=list)
    sources: Mapped[list] = mapped_column(JSON, default=list)

    CHANGE_LABELS = {"same": "不变", "merged": "合并而成", "split": "拆分而来", "new": "新出现"}

    run: Mapped[ClusterRun] = relationship(back_populates="clusters")
    scope_theme = relationship("Theme", foreign_keys=[scope_theme_id])
    nearest_theme = relationship("Theme", foreign_keys=[nearest_theme_id])


class NlpJob(db.Model):
    """A background rebuild and how far it got, for the progress bar."""

    __tablename__ = "nlp_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    # "rebuild" refits everything; "update" reads only what changed since, with the models it left.
    kind: Mapped[str] = mapped_column(String(10), default="rebuild", server_default="rebuild")
    # No CHECK constraint: the column was a plain string before the workflow had an enum.
    state: Mapped[JobState] = mapped_column(enum_column(JobState, "job_state", length=10, check=False),
                                            default=JobState.queued)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    # The RQ job's id, random: row ids repeat across databases that share one Redis.
    queue_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=now)
    finished_at: Mapped[datetime | None]

    STATE_LABELS = {state.value: state.label for state in JobState}
    KIND_LABELS = {"rebuild": "重新分析", "update": "增量分析"}

    @property
    def percent(self):
        return int(100 * self.done / self.total) if self.total else 0
