from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import now


class Campaign(db.Model):
    """One year's 金点子 collection; the site shows the one marked current."""

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("submit_closes_at > submit_opens_at", name="window_order"),
        # At most one current campaign, enforced by the database itself.
        Index(
            "uq_campaigns_one_current", "is_current", unique=True,
            sqlite_where=text("is_current"), postgresql_where=text("is_current"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    submit_opens_at: Mapped[datetime]
    submit_closes_at: Mapped[datetime]
    is_current: Mapped[bool] = mapped_column(default=False)
    # Last tracking-code number handed out; bumped atomically per submission.
    idea_seq: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=now)

    themes: Mapped[list["Theme"]] = relationship(
        back_populates="campaign", order_by="Theme.position", cascade="all, delete-orphan"
    )

    def is_open(self, at=None):
        at = at or now()
        return self.submit_opens_at <= at < self.submit_closes_at

    def window_state(self, at=None):
        at = at or now()
        if at < self.submit_opens_at:
            return "not_started"
        if at >= self.submit_closes_at:
            return "closed"
        return "open"

    def __repr__(self):
        return f"<Campaign {self.year}>"


class Theme(db.Model):
    """A bottleneck (瓶颈制约) named by the provincial notice, or 其他."""

    __tablename__ = "themes"
    __table_args__ = (UniqueConstraint("campaign_id", "code", name="uq_themes_campaign_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    # Space-separated: staff edit them as one line, the NLP reads them as a list.
    keywords: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    is_other: Mapped[bool] = mapped_column(default=False)

    campaign: Mapped[Campaign] = relationship(back_populates="themes")

    @property
    def keyword_list(self):
        return self.keywords.split()

    def __repr__(self):
        return f"<Theme {self.code}>"
