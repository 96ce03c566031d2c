"""State changes of 公示: prepare, edit, publish, objections and rulings,
finalize. Functions flush; the view or command commits once.

Every function takes the clock as ``at`` (default: now) so the demo can run a
notice period that lies in the past; the views never pass it."""
import hashlib

from app.audit.services import log_action
from app.auth.models import User
from app.errors import Refused
from app.extensions import db
from app.locks import lock_row
from app.states import move
from app.notifications.services import notify
from app.timeutil import now
from ideas import services as idea_services
from ideas.models import IdeaStatus
from voting.judging import queries as voting_queries
from voting.judging.models import RoundState
from voting.notice import queries
from voting.notice.models import (FINALIZED_MESSAGE, Announcement, EntryStatus, NoticeEntry, NoticeState,
                                  Objection, ObjectionState)

ANONYMOUS = "匿名"
OBJECTIONS_PER_ACCOUNT = 3


class NoticeError(Refused):
    """A 公示 action refused, with a message for the user."""


def _lock(announcement):
    """Take the announcement's row and re-read it: two staff finalizing (or
    ruling) at once go one after the other, and the second sees the first's result."""
    lock_row(Announcement, announcement.id)
    db.session.refresh(announcement)


def _require(announcement, *states):
    if announcement.state is NoticeState.finalized:
        raise NoticeError(FINALIZED_MESSAGE)
    if announcement.state not in states:
        raise NoticeError(f"公示当前为“{announcement.state.label}”，不能进行这个操作")


def public_proposer(idea):
    """Names only of those who agreed to be named (the author on the idea, a
    co-proposer on the duplicate they wrote); 等 says others are unnamed."""
    people = [(idea.author, idea.show_name)] + [(c.user, c.source_idea.show_name) for c in idea.co_proposers]
    names = list(dict.fromkeys(user.real_name for user, agreed in people if agreed and user.real_name))
    if not names:
        return ANONYMOUS
    others = len(people) > len(names)
    return ("、".join(names) + ("等" if others else ""))[:200]


def prepare_announcement(campaign, actor, alternates):
    """The finalists of the finalized final round, in rank order, then up to
    ``alternates`` ranked alternates; what the public sees is copied here."""
    if queries.announcement_of(campaign) is not None:
        raise NoticeError("本次活动的公示名单已经生成，不能重复生成")
    rounds = voting_queries.rounds_of(campaign)
    if not rounds:
        raise NoticeError("本次活动还没有评审轮次")
    final = rounds[-1]
    if final.state is not RoundState.finalized:
        raise NoticeError(f"“{final.name}”的结果尚未定稿，不能生成公示名单")
    ranked = [result for result in voting_queries.results(final) if result.rank is not None]
    finalists = [result for result in ranked if result.advanced]
    if not finalists:
        raise NoticeError(f"“{final.name}”没有晋级的建议")
    announcement = Announcement(campaign=campaign, round=final, winner_count=len(finalists),
                                state=NoticeState.draft)
    chosen = finalists + [result for result in ranked if not result.advanced][:alternates]
    for position, result in enumerate(chosen, start=1):
        idea = result.idea
        announcement.entries.append(NoticeEntry(
            idea_id=idea.id, position=position, rank=position if result.advanced else None,
            status=EntryStatus.listed if result.advanced else EntryStatus.alternate,
            title=idea.title, theme_name=idea.theme.name if idea.theme else "", region=idea.region or "",
            proposer=public_proposer(idea), expert_score=result.calibrated, expert_part=result.expert_part,
            public_votes=result.public_votes, public_part=result.public_part, blended=result.blended))
    db.session.add(announcement)
    db.session.flush()
    log_action(actor, "notice.prepare", announcement, round=final.id, round_digest=final.digest,
               listed=[r.idea_id for r in finalists], alternates=[r.idea_id for r in chosen[len(finalists):]])
    return announcement


def edit_announcement(announcement, actor, intro, citations):
    """The intro and the citations (评语, by entry id), before publishing."""
    _require(announcement, NoticeState.draft)
    changed = []
    if announcement.intro != intro:
        announcement.intro = intro
        changed.append("intro")
    for entry in announcement.entries:
        citation = citations.get(entry.id)
        if citation is not None and citation != entry.citation:
            entry.citation = citation
            changed.append(entry.position)
    db.session.flush()
    log_action(actor, "notice.edit", announcement, changed=changed)


def publish(announcement, actor, ends_at, at=None):
    at = at or now()
    _require(announcement, NoticeState.draft)
    if ends_at is None or ends_at <= at:
        raise NoticeError("公示截止时间必须晚于现在")
    missing = [str(entry.rank) for entry in queries.listed(announcement) if not entry.citation.strip()]
    if missing:
        raise NoticeError(f"第 {'、'.join(missing)} 名还没有评语，请先填写")
    move(announcement, NoticeState.published, error=NoticeError)
    announcement.published_at = at
    announcement.notice_ends_at = ends_at
    db.session.flush()
    log_action(actor, "notice.publish", announcement, ends_at=ends_at.isoformat(sep=" "))


def file_objection(entry, user, reason, at=None, per_account=OBJECTIONS_PER_ACCOUNT):
    """An objection, held until staff rule on it (the public page shows only
    ruled ones, so spam never appears there). One per account and idea, and at
    most ``per_account`` per account in one 公示."""
    at = at or now()
    announcement = entry.announcement
    if announcement.state is NoticeState.finalized:
        raise NoticeError(FINALIZED_MESSAGE)
    if not announcement.accepts_objections(at):
        raise NoticeError("只能在公示期内提出异议")
    if entry.status is not EntryStatus.listed:
        raise NoticeError("只能对公示名单中的建议提出异议")
    reason = (reason or "").strip()
    if not reason:
        raise NoticeError("请写明异议理由")
    # The account's row: two sends at once count one after the other.
    lock_row(User, user.id)
    filed = queries.objections_by(announcement, user)
    mine = [o for o in filed if o.entry_id == entry.id]
    if any(o.state is ObjectionState.pending for o in mine):
        raise NoticeError("您对这条建议的异议正在处理中，请勿重复提交")
    if mine:
        raise NoticeError("您已对这条建议提出过异议，处理结果见公示页")
    if len(filed) >= per_account:
        raise NoticeError(f"每个账号在一次公示中最多提出 {per_account} 条异议")
    objection = Objection(entry=entry, user=user, reason=reason, state=ObjectionState.pending, created_at=at)
    db.session.add(objection)
    db.session.flush()
    log_action(user, "notice.objection", objection, entry=entry.id, idea=entry.idea_id)
    return objection


def rule_objection(objection, actor, upheld, ruling, at=None):
    """Record the ruling. An upheld objection against a listed idea removes it
    and promotes the best remaining alternate; returns that alternate or None."""
    at = at or now()
    entry = objection.entry
    _lock(entry.announcement)
    db.session.refresh(objection)
    _require(entry.announcement, NoticeState.published)
    if objection.state is not ObjectionState.pending:
        raise NoticeError("这条异议已经处理过了")
    ruling = (ruling or "").strip()
    if not ruling:
        raise NoticeError("请写明处理理由，处理结果会公开")
    move(objection, ObjectionState.upheld if upheld else ObjectionState.dismissed, error=NoticeError)
    objection.ruling, objection.ruled_by, objection.ruled_at = ruling, actor, at
    promoted = None
    removed = upheld and entry.status is EntryStatus.listed
    if removed:
        promoted = _remove_and_promote(entry, actor, ruling, at)
    db.session.flush()
    notify(objection.user, f"您对《{entry.title}》的异议已处理",
           f"处理结果：{objection.state.label}。理由：{ruling}")
    log_action(actor, "notice.ruling", objection, state=objection.state.value, ruling=ruling, entry=entry.id,
               removed=entry.idea_id if removed else None, promoted=promoted.idea_id if promoted else None)
    return promoted


def dismiss_as_spam(announcement, actor, objections, reason, at=None):
    """Set aside many pending objections at once (advertising, abuse) with one
    reason; they are never shown and no longer hold up 公布结果."""
    at = at or now()
    _lock(announcement)
    _require(announcement, NoticeState.published)
    reason = (reason or "").strip()
    if not reason:
        raise NoticeError("请写明理由，记入操作日志")
    for objection in objections:
        db.session.refresh(objection)
    chosen = [o for o in objections if o.entry.announcement_id == announcement.id]
    if not chosen or any(o.state is not ObjectionState.pending for o in chosen):
        raise NoticeError("只能驳回本次公示中待处理的异议，请刷新页面后重新勾选")
    for objection in chosen:
        move(objection, ObjectionState.spam, error=NoticeError)
        objection.ruling, objection.ruled_by, objection.ruled_at = reason, actor, at
    db.session.flush()
    log_action(actor, "notice.spam", announcement, objections=[o.id for o in chosen], reason=reason)
    return chosen


def _remove_and_promote(entry, actor, ruling, at):
    announcement = entry.announcement
    move(entry, EntryStatus.removed, attribute="status", error=NoticeError)
    entry.rank, entry.removed_at = None, at
    alternates = [e for e in announcement.entries if e.status is EntryStatus.alternate]
    promoted = min(alternates, key=lambda e: e.position) if alternates else None
    if promoted is not None:
        move(promoted, EntryStatus.listed, attribute="status", error=NoticeError)
        promoted.promoted_at = at
    # Listed entries keep their order of the final round; ranks close up to 1..n.
    # All before the ideas move: their transitions flush, and a listed entry needs its rank.
    listed = sorted((e for e in announcement.entries if e.status is EntryStatus.listed),
                    key=lambda e: e.position)
    for rank, listed_entry in enumerate(listed, start=1):
        listed_entry.rank = rank
    idea_services.transition(entry.idea, _status_before_finalist(entry.idea), actor,
                             f"公示期间异议成立，取消入选：{ruling}",
                             subject=f"您的建议 {entry.idea.tracking_code} 因异议取消入选")
    if promoted is not None:
        idea_services.transition(promoted.idea, IdeaStatus.finalist, actor,
                                 f"“{entry.title}”经异议取消入选，本建议作为候补递补入选")
    return promoted


def _status_before_finalist(idea):
    """Where the idea stood before the final round advanced it (复审 → shortlisted;
    a single-round campaign → accepted)."""
    last = next((event for event in reversed(idea.events) if event.to_status is IdeaStatus.finalist), None)
    return last.from_status if last is not None and last.from_status else IdeaStatus.shortlisted


def finalize(announcement, actor, at=None):
    """Make the listed ideas the winners, store the digest of the final list
    and notify each winner in their account. Returns the notifications, so the
    caller can e-mail them once this is committed."""
    at = at or now()
    _lock(announcement)
    _require(announcement, NoticeState.published)
    if at < announcement.notice_ends_at:
        raise NoticeError(f"公示期至 {announcement.notice_ends_at:%Y-%m-%d %H:%M} 截止，期满后才能公布结果")
    pending = queries.objections(announcement, ObjectionState.pending)
    if pending:
        raise NoticeError(f"还有 {len(pending)} 条异议待处理，处理完毕后才能公布结果")
    winners = queries.listed(announcement)
    if not winners:
        raise NoticeError("公示名单中没有入选的建议")
    campaign = announcement.campaign
    for entry in winners:
        idea_services.transition(entry.idea, IdeaStatus.winner, actor,
                                 f"公示期满，评为“献策湖南”十大金点子（第 {entry.rank} 名）")
    announcement.digest = hashlib.sha256(queries.final_list_text(announcement).encode("utf-8")).hexdigest()
    move(announcement, NoticeState.finalized, error=NoticeError)
    announcement.finalized_at = at
    db.session.flush()
    notifications = [
        notify(person, "您的建议入选“献策湖南”十大金点子",
               f"您提出的建议《{entry.title}》在{campaign.title}中"
               f"被评为“献策湖南”十大金点子（第 {entry.rank} 名）。"
               "登录后可在获奖页面下载荣誉证书。", queries.winner_path(campaign.year, entry.rank))
        for entry in winners for person in queries.credited_people(entry.idea)]
    log_action(actor, "notice.finalize", announcement, digest=announcement.digest,
               winners=[entry.idea_id for entry in winners], notified=len(notifications))
    return notifications
