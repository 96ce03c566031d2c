"""Reads for 公示, the winners and the open-data API."""
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.campaigns.models import Campaign
from app.campaigns.queries import all_campaigns
from app.extensions import db
from ideas.models import CoProposer, Idea
from ideas.queries import Standing
from voting.notice.models import (Announcement, EntryStatus, NoticeEntry, NoticeState, Objection,
                                  ObjectionState)

PUBLIC_STATES = (NoticeState.published, NoticeState.finalized)


def announcement_of(campaign):
    return db.session.scalar(select(Announcement).where(Announcement.campaign_id == campaign.id))


def announcement_for_year(year, states=None):
    query = select(Announcement).join(Campaign).where(Campaign.year == year)
    if states:
        query = query.where(Announcement.state.in_(states))
    return db.session.scalar(query)


def latest_announcement(states):
    return db.session.scalar(
        select(Announcement).join(Campaign).where(Announcement.state.in_(states))
        .order_by(Campaign.year.desc()).limit(1))


def finalized_years():
    return db.session.scalars(
        select(Campaign.year).join(Announcement, Announcement.campaign_id == Campaign.id)
        .where(Announcement.state == NoticeState.finalized).order_by(Campaign.year.desc())).all()


def campaigns_with_announcements():
    """Every campaign, newest first, with its announcement or None: the staff overview."""
    announcements = {a.campaign_id: a for a in db.session.scalars(select(Announcement))}
    return [(campaign, announcements.get(campaign.id)) for campaign in all_campaigns()]


def entries(announcement, *statuses):
    query = (select(NoticeEntry).where(NoticeEntry.announcement_id == announcement.id)
             .options(selectinload(NoticeEntry.objections), selectinload(NoticeEntry.idea))
             .order_by(NoticeEntry.position))
    if statuses:
        query = query.where(NoticeEntry.status.in_(statuses))
    return db.session.scalars(query).all()


def listed(announcement):
    return sorted(entries(announcement, EntryStatus.listed), key=lambda entry: entry.rank)


def entry_of(announcement, entry_id):
    return db.session.scalar(select(NoticeEntry).where(NoticeEntry.id == entry_id,
                                                       NoticeEntry.announcement_id == announcement.id))


def winner(year, rank):
    """A listed entry of a finalized announcement, by year and rank."""
    return db.session.scalar(
        select(NoticeEntry).join(Announcement).join(Campaign)
        .where(Campaign.year == year, Announcement.state == NoticeState.finalized,
               NoticeEntry.status == EntryStatus.listed, NoticeEntry.rank == rank)
        .options(selectinload(NoticeEntry.idea).selectinload(Idea.co_proposers)
                 .selectinload(CoProposer.user)))


def objections(announcement, *states):
    query = (select(Objection).join(NoticeEntry).where(NoticeEntry.announcement_id == announcement.id)
             .options(selectinload(Objection.entry)).order_by(Objection.created_at, Objection.id))
    if states:
        query = query.where(Objection.state.in_(states))
    return db.session.scalars(query).all()


def objection_counts(announcement):
    counts = dict(db.session.execute(
        select(Objection.state, func.count()).join(NoticeEntry)
        .where(NoticeEntry.announcement_id == announcement.id).group_by(Objection.state)).all())
    return {state: counts.get(state, 0) for state in ObjectionState}


def objections_by_ids(announcement, ids):
    return db.session.scalars(
        select(Objection).join(NoticeEntry).where(NoticeEntry.announcement_id == announcement.id,
                                                  Objection.id.in_(ids)).order_by(Objection.id)).all()


def objections_by(announcement, user):
    """Every objection the user filed against this announcement, whatever became of it."""
    return db.session.scalars(
        select(Objection).join(NoticeEntry).where(NoticeEntry.announcement_id == announcement.id,
                                                  Objection.user_id == user.id)).all()


def credited_people(idea):
    """The author and every credited co-proposer, once each."""
    people = {idea.author_id: idea.author}
    for co_proposer in idea.co_proposers:
        people.setdefault(co_proposer.user_id, co_proposer.user)
    return list(people.values())


def winner_path(year, rank):
    # Services have no request to build URLs from; the API test fetches every such path.
    return f"/winners/{year}/{rank}"


FINAL_LIST_HEADER = ("名次", "编号", "标题", "主题", "地区", "提出人", "专家评分", "专家部分",
                     "公众票数", "公众部分", "综合得分", "评语")


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    # One entry per line, one field per tab, whatever a citation contains.
    return " ".join(str(value).split())


def final_list_text(announcement):
    """The final list as canonical text: its SHA-256 is the published digest,
    and /winners/<year>.txt serves these very bytes so anyone can check it."""
    campaign, round_ = announcement.campaign, announcement.round
    lines = [f"“献策湖南”十大金点子\t{campaign.year}\t{_cell(campaign.title)}"
             f"\t{round_.name}评分表摘要 {round_.digest}",
             "\t".join(FINAL_LIST_HEADER)]
    for entry in listed(announcement):
        lines.append("\t".join(_cell(value) for value in (
            entry.rank, entry.idea.tracking_code, entry.title, entry.theme_name, entry.region, entry.proposer,
            entry.expert_score, entry.expert_part, entry.public_votes, entry.public_part, entry.blended,
            entry.citation)))
    return "\n".join(lines) + "\n"


def iso_time(value):
    return value.isoformat(sep=" ") if value else None


def rounded(value, digits=4):
    return round(value, digits) if value is not None else None


def winners_data(announcement):
    """The 十大金点子 of one campaign as open data: what /winners shows, no more."""
    campaign, round_ = announcement.campaign, announcement.round
    return {
        "campaign": {"year": campaign.year, "title": campaign.title},
        "announced_at": iso_time(announcement.finalized_at),
        "notice_period": {"published_at": iso_time(announcement.published_at),
                          "ends_at": iso_time(announcement.notice_ends_at)},
        "digest": announcement.digest,
        "digest_of": f"/winners/{campaign.year}.txt",
        "final_round": {"name": round_.name, "digest": round_.digest, "public_vote": round_.public_vote,
                        "expert_weight": round_.expert_weight if round_.public_vote else None},
        "winners": [{
            "rank": entry.rank, "tracking_code": entry.idea.tracking_code, "title": entry.title,
            "theme": entry.theme_name, "region": entry.region, "proposer": entry.proposer,
            "citation": entry.citation, "expert_score": rounded(entry.expert_score),
            "expert_part": rounded(entry.expert_part), "public_votes": entry.public_votes,
            "public_part": rounded(entry.public_part), "blended": rounded(entry.blended),
            "promoted": entry.promoted_at is not None, "url": winner_path(campaign.year, entry.rank),
        } for entry in listed(announcement)],
    }


def removals(idea_ids):
    """Idea id → Standing for the ideas an upheld objection took off a published list."""
    removed = db.session.scalars(select(NoticeEntry.idea_id).where(
        NoticeEntry.idea_id.in_(idea_ids), NoticeEntry.status == EntryStatus.removed)).all()
    return {idea_id: Standing("rejected", "因异议取消") for idea_id in removed}
