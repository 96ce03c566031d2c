"""Reads for the campaign report: every figure is aggregated in SQL, so a
campaign of 100 000 ideas costs a handful of grouped queries, never a load of
its rows."""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import defer, selectinload

from app.campaigns.models import Campaign
from app.campaigns.queries import all_campaigns, current_campaign
from app.extensions import db
from app.regions import REGIONS
from app.timeutil import now
from ideas.models import Cluster, ClusterRun, Idea, IdeaStatus
from ideas.queries import idea_counts
from voting.ballots.models import PublicVote, VoteVoid
from voting.ballots.queries import is_voided, voids_of, vote_totals
from voting.judging.models import Assignment, Review, Round, RoundEntry
from voting.notice import queries as notice_queries
from voting.notice.models import (Announcement, EntryStatus, NoticeEntry, NoticeState, Objection,
                                  ObjectionState)

# Screening outcome of every submitted idea. Ideas that went on to be judged
# were accepted at screening, whatever stage they reached since.
SCREENING_OUTCOMES = (
    ("已采纳（含入围、入选）", (IdeaStatus.accepted, IdeaStatus.shortlisted, IdeaStatus.finalist,
                          IdeaStatus.winner)),
    ("未采纳", (IdeaStatus.rejected,)),
    ("已合并", (IdeaStatus.merged,)),
    ("待筛选", (IdeaStatus.submitted,)),
)
NO_THEME, NO_REGION = "未选择主题", "未填写地区"


def report_campaigns():
    """Campaigns a report can be made for, newest first, and the one shown by default."""
    campaigns = all_campaigns()
    return campaigns, current_campaign() or (campaigns[0] if campaigns else None)


def agreement_reading(alpha):
    """Krippendorff's α in plain words, on his usual thresholds (0.800 and 0.667)."""
    if alpha is None:
        return "尚无数据：本轮截止时计算。"
    if alpha >= 0.8:
        return "专家打分高度一致，排名可靠。"
    if alpha >= 0.667:
        return "专家打分基本一致，排名可以采信，接近分数线的建议宜再看一眼。"
    if alpha > 0:
        return "专家打分一致性偏低：同一条建议不同专家给分差别较大，名次主要靠多位专家的校准分综合得出。"
    return "专家打分看不出一致性（不高于随机打分），应核查评分细则和评审过程。"


@dataclass
class ClusterRow:
    cluster: Cluster
    scope: str
    nearest_theme: str


@dataclass
class RoundFigures:
    round: Round
    pool: int = 0
    reviewed: int = 0
    reviews: int = 0
    advanced: int = 0

    @property
    def agreement(self):
        return agreement_reading(self.round.agreement_alpha)


@dataclass
class VoteRow:
    code: str
    title: str
    counted: int
    with_voided: int


@dataclass
class VoteFigures:
    round: Round
    rows: list[VoteRow]
    # (void, how many votes it holds), newest first.
    voids: list[tuple[VoteVoid, int]]
    voters: int
    voters_with_voided: int

    @property
    def counted(self):
        return sum(row.counted for row in self.rows)

    @property
    def with_voided(self):
        return sum(row.with_voided for row in self.rows)

    @property
    def started(self):
        return self.round.vote_opens_at is not None and self.round.vote_opens_at <= now()


@dataclass
class CampaignReport:
    campaign: Campaign
    generated_at: datetime
    submitted: int
    by_theme: list[tuple[str, int]]
    by_region: list[tuple[str, int]]
    by_day: list[tuple[date, int]]
    screening: list[tuple[str, int]]
    cluster_run: ClusterRun | None
    clusters: list[ClusterRow]
    rounds: list[RoundFigures]
    votes: list[VoteFigures]
    objection_counts: list[tuple[str, int]]
    objections: list[Objection]
    announcement: Announcement | None
    winners: list[NoticeEntry]

    @property
    def frozen_rounds(self):
        return [figures.round for figures in self.rounds if figures.round.digest]

    @property
    def objection_total(self):
        return sum(n for _, n in self.objection_counts)

    @property
    def winners_note(self):
        """What stands in for the winners until the list is final."""
        if self.announcement is None:
            return "尚未公布十大金点子：公示名单还没有准备。"
        if self.announcement.state is NoticeState.finalized:
            return "最终名单为空。"
        return f"尚未公布十大金点子：当前{self.announcement.state.label}。"


def campaign_report(campaign):
    themes = {t.id: t.name for t in campaign.themes}
    by_theme = idea_counts(campaign, "theme_id", SUBMITTED)
    by_region = idea_counts(campaign, "region", SUBMITTED)
    status_counts = idea_counts(campaign, "status", SUBMITTED)
    rounds = _round_figures(campaign)
    announcement = db.session.scalar(select(Announcement).where(Announcement.campaign_id == campaign.id))
    objection_counts, objections = _objections(announcement)
    return CampaignReport(
        campaign=campaign, generated_at=now(), submitted=sum(status_counts.values()),
        by_theme=_labelled(by_theme, themes, NO_THEME),
        by_region=_labelled(by_region, {r: r for r in REGIONS}, NO_REGION),
        by_day=_counts_by_day(campaign),
        screening=[(label, sum(status_counts.get(s, 0) for s in statuses))
                   for label, statuses in SCREENING_OUTCOMES],
        cluster_run=(run := _latest_cluster_run(campaign)),
        clusters=[ClusterRow(c, themes.get(c.scope_theme_id, "未归类"), themes.get(c.nearest_theme_id, "—"))
                  for c in run.clusters] if run else [],
        rounds=rounds, votes=[_vote_figures(f.round) for f in rounds if f.round.public_vote],
        objection_counts=objection_counts, objections=objections, announcement=announcement,
        winners=_winners(announcement))


SUBMITTED = [s for s in IdeaStatus if s is not IdeaStatus.draft]


def _labelled(counts, names, missing_label):
    """Every known key in order (zeros included, so charts compare like with
    like), then whatever the data holds beyond them."""
    rows = [(name, counts.get(key, 0)) for key, name in names.items()]
    rows += [(str(key), n) for key, n in counts.items() if key is not None and key not in names]
    if counts.get(None):
        rows.append((missing_label, counts[None]))
    return rows


def _counts_by_day(campaign):
    return sorted((day, n) for day, n in idea_counts(campaign, "day", SUBMITTED).items() if day is not None)


def _latest_cluster_run(campaign):
    return db.session.scalar(
        select(ClusterRun).where(ClusterRun.campaign_id == campaign.id).order_by(ClusterRun.id.desc())
        .options(selectinload(ClusterRun.clusters)).limit(1))


def _round_figures(campaign):
    # The frozen table can run to megabytes; the report only needs its digest.
    rounds = db.session.scalars(select(Round).where(Round.campaign_id == campaign.id)
                                .options(defer(Round.frozen_table)).order_by(Round.position)).all()
    figures = {r.id: RoundFigures(r) for r in rounds}
    for round_id, pool, advanced in db.session.execute(
            select(RoundEntry.round_id, func.count(),
                   func.coalesce(func.sum(case((RoundEntry.advanced, 1))), 0))
            .where(RoundEntry.round_id.in_(figures)).group_by(RoundEntry.round_id)):
        figures[round_id].pool, figures[round_id].advanced = pool, advanced
    for round_id, reviewed, reviews in db.session.execute(
            select(Assignment.round_id, func.count(distinct(Assignment.idea_id)), func.count(Review.id))
            .join(Review, Review.assignment_id == Assignment.id)
            .where(Assignment.round_id.in_(figures), Assignment.active, Review.submitted)
            .group_by(Assignment.round_id)):
        figures[round_id].reviewed, figures[round_id].reviews = reviewed, reviews
    return list(figures.values())


def _vote_figures(round_):
    counted = vote_totals(round_)
    with_voided = vote_totals(round_, include_voided=True)
    ideas = db.session.execute(
        select(Idea.id, Idea.tracking_code, Idea.title)
        .where(Idea.id.in_(select(RoundEntry.idea_id).where(RoundEntry.round_id == round_.id))
               | Idea.id.in_(list(with_voided)))).all()
    rows = sorted((VoteRow(code, title, counted.get(idea_id, 0), with_voided.get(idea_id, 0))
                   for idea_id, code, title in ideas),
                  key=lambda row: (-row.counted, -row.with_voided, row.code))
    live = select(func.count(distinct(PublicVote.user_id))).where(PublicVote.round_id == round_.id,
                                                                  PublicVote.withdrawn_at.is_(None))
    return VoteFigures(round=round_, rows=rows, voids=voids_of(round_),
                       voters=db.session.scalar(live.where(~is_voided())),
                       voters_with_voided=db.session.scalar(live))


def _objections(announcement):
    if announcement is None:
        return [(state.label, 0) for state in ObjectionState], []
    counts = notice_queries.objection_counts(announcement)
    return [(state.label, n) for state, n in counts.items()], notice_queries.objections(announcement)


def _winners(announcement):
    if announcement is None or announcement.state is not NoticeState.finalized:
        return []
    return db.session.scalars(
        select(NoticeEntry).where(NoticeEntry.announcement_id == announcement.id,
                                  NoticeEntry.status == EntryStatus.listed).order_by(NoticeEntry.rank)).all()
