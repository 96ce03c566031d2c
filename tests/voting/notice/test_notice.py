"""公示 through its services: prepare, citations, publish, objections and
rulings with alternate promotion, finalize, and the finalized list kept as it is."""
import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import ActionLog
from app.auth.models import Role
from app.extensions import db
from app.notifications.models import Notification
from app.timeutil import now
from ideas.models import IdeaStatus
from voting.judging.rounds import create_default_rounds
from voting.notice import queries, services
from voting.notice.models import (Announcement, EntryStatus, FinalizedNoticeChanged, NoticeEntry, NoticeState,
                                  Objection, ObjectionState)
from voting.notice.services import NoticeError
from tests.notice_fixtures import ALTERNATES, finished_judging, publish_now

def notice_actions():
    return db.session.scalars(select(ActionLog.action).where(ActionLog.action.like("notice.%"))
                              .order_by(ActionLog.id)).all()


def test_prepare_lists_the_finalists_then_ranked_alternates(judged):
    announcement = services.prepare_announcement(judged.campaign, judged.staff, ALTERNATES)
    db.session.commit()
    final = judged.rounds[-1]
    listed = queries.listed(announcement)
    alternates = queries.entries(announcement, EntryStatus.alternate)
    assert [e.rank for e in listed] == list(range(1, 11)) and announcement.winner_count == 10
    assert [e.position for e in alternates] == [11, 12]
    results = {r.idea_id: r for r in final.entries}
    for entry in listed + alternates:
        assert results[entry.idea_id].rank == entry.position
        assert entry.expert_score == results[entry.idea_id].calibrated
        assert entry.title == entry.idea.title and entry.theme_name == entry.idea.theme.name
        assert entry.blended is None and entry.public_votes is None
    top = next(e for e in listed if e.idea_id == judged.ideas[0].id)
    assert top.proposer == "王建国、李秀英"
    for entry in listed + alternates:
        if entry.idea_id != judged.ideas[0].id:
            assert entry.proposer == (entry.idea.author.real_name if entry.idea.show_name else "匿名")
    assert all(e.idea.status is IdeaStatus.finalist for e in listed)
    assert all(e.idea.status is IdeaStatus.shortlisted for e in alternates)
    with pytest.raises(NoticeError, match="不能重复生成"):
        services.prepare_announcement(judged.campaign, judged.staff, ALTERNATES)


def test_prepare_is_refused_until_the_final_round_is_finalized(make):
    campaign = make.campaign()
    staff = make.user(Role.staff)
    with pytest.raises(NoticeError, match="还没有评审轮次"):
        services.prepare_announcement(campaign, staff, ALTERNATES)
    create_default_rounds(campaign, staff)
    with pytest.raises(NoticeError, match="尚未定稿"):
        services.prepare_announcement(campaign, staff, ALTERNATES)
    assert db.session.scalar(select(Announcement)) is None


def test_publish_needs_citations_and_a_future_end(judged):
    announcement = services.prepare_announcement(judged.campaign, judged.staff, ALTERNATES)
    with pytest.raises(NoticeError, match="还没有评语"):
        services.publish(announcement, judged.staff, now() + timedelta(days=7))
    services.edit_announcement(announcement, judged.staff, "说明",
                               {e.id: "评语" for e in announcement.entries if e.rank != 4})
    with pytest.raises(NoticeError, match="第 4 名还没有评语"):
        services.publish(announcement, judged.staff, now() + timedelta(days=7))
    services.edit_announcement(announcement, judged.staff, "说明",
                               {e.id: "评语" for e in announcement.entries})
    with pytest.raises(NoticeError, match="必须晚于现在"):
        services.publish(announcement, judged.staff, now() - timedelta(minutes=1))
    services.publish(announcement, judged.staff, now() + timedelta(days=7))
    assert announcement.state is NoticeState.published and announcement.published_at is not None
    with pytest.raises(NoticeError, match="公示中"):
        services.edit_announcement(announcement, judged.staff, "改动", {})
    actions = notice_actions()
    assert actions == ["notice.prepare", "notice.edit", "notice.edit", "notice.publish"]


def test_the_whole_notice_lifecycle(judged, make):
    staff = judged.staff
    start = now() - timedelta(days=10)
    announcement = services.prepare_announcement(judged.campaign, staff, ALTERNATES)
    publish_now(announcement, staff, at=start)
    objector, other = make.user(), make.user()
    third, fifth = queries.listed(announcement)[2], queries.listed(announcement)[4]
    alternate = queries.entries(announcement, EntryStatus.alternate)[0]
    upheld = services.file_objection(third, objector, "该建议与已公开发表的文章内容雷同。",
                                     at=start + timedelta(days=1))
    dismissed = services.file_objection(fifth, other, "我认为这条建议不够新颖。",
                                        at=start + timedelta(days=1))
    with pytest.raises(NoticeError, match="正在处理中"):
        services.file_objection(third, objector, "再提一次", at=start + timedelta(days=1))
    with pytest.raises(NoticeError, match="名单中的建议"):
        services.file_objection(alternate, objector, "候补不接受异议", at=start + timedelta(days=1))
    with pytest.raises(NoticeError, match="请写明异议理由"):
        services.file_objection(fifth, objector, "   ", at=start + timedelta(days=1))

    assert services.rule_objection(dismissed, staff, False, "建议具有创新性，异议理由不成立。") is None
    assert fifth.status is EntryStatus.listed and dismissed.state is ObjectionState.dismissed
    told = db.session.scalar(select(Notification).where(Notification.user_id == other.id))
    assert "异议已处理" in told.subject and "异议理由不成立" in told.body
    with pytest.raises(NoticeError, match="请写明处理理由"):
        services.rule_objection(upheld, staff, True, " ")
    removed_idea = third.idea
    promoted = services.rule_objection(upheld, staff, True, "经核实，与已发表文章雷同，异议成立。")
    db.session.commit()
    assert promoted is alternate and alternate.status is EntryStatus.listed and alternate.promoted_at
    assert third.status is EntryStatus.removed and third.rank is None and third.removed_at
    assert removed_idea.status is IdeaStatus.shortlisted
    assert "异议成立" in removed_idea.events[-1].reason
    assert alternate.idea.status is IdeaStatus.finalist
    listed = queries.listed(announcement)
    assert [e.rank for e in listed] == list(range(1, 11))
    assert [e.position for e in listed] == sorted(e.position for e in listed) and listed[-1] is alternate
    assert listed[2].position == 4
    with pytest.raises(NoticeError, match="已经处理过"):
        services.rule_objection(upheld, staff, False, "再处理一次")

    with pytest.raises(NoticeError, match="期满后才能公布"):
        services.finalize(announcement, staff, at=start + timedelta(days=3))
    late = services.file_objection(listed[0], other, "最后一天提出的异议理由。", at=start + timedelta(days=6))
    with pytest.raises(NoticeError, match="只能在公示期内"):
        services.file_objection(listed[1], other, "公示期满之后的异议理由。", at=start + timedelta(days=7))
    with pytest.raises(NoticeError, match="1 条异议待处理"):
        services.finalize(announcement, staff, at=start + timedelta(days=8))
    services.rule_objection(late, staff, False, "理由不成立。")
    notifications = services.finalize(announcement, staff, at=start + timedelta(days=8))
    db.session.commit()

    assert announcement.state is NoticeState.finalized
    assert announcement.digest == hashlib.sha256(queries.final_list_text(announcement).encode()).hexdigest()
    assert all(e.idea.status is IdeaStatus.winner for e in listed)
    assert alternate.idea.status is IdeaStatus.winner and removed_idea.status is IdeaStatus.shortlisted
    people = {n.user_id for n in notifications}
    assert judged.author.id in people and judged.co_author.id in people
    # Besides the workflow's own notices (accepted, shortlisted, ruling…), one per winner's proposer.
    assert len(notifications) == 11 == db.session.scalar(
        select(db.func.count()).select_from(Notification)
        .where(Notification.subject == "您的建议入选“献策湖南”十大金点子"))
    top = next(n for n in notifications if n.user_id == judged.author.id)
    rank = next(e.rank for e in listed if e.idea_id == judged.ideas[0].id)
    assert top.link == f"/winners/{judged.campaign.year}/{rank}" and "十大金点子" in top.subject
    actions = notice_actions()
    assert actions.count("notice.ruling") == 3 and actions[-1] == "notice.finalize"
    assert actions.count("notice.objection") == 3


def test_an_upheld_objection_without_alternates_left_shortens_the_list(make):
    judged = finished_judging(make, ideas=11, advance=(11, 10, 10))
    announcement = services.prepare_announcement(judged.campaign, judged.staff, ALTERNATES)
    publish_now(announcement, judged.staff)
    assert queries.entries(announcement, EntryStatus.alternate) == []
    objection = services.file_objection(queries.listed(announcement)[0], make.user(), "异议理由写在这里。")
    assert services.rule_objection(objection, judged.staff, True, "异议成立。") is None
    assert [e.rank for e in queries.listed(announcement)] == list(range(1, 10))


def test_every_service_refuses_to_touch_a_finalized_list(finalized, judged, make):
    entry = queries.listed(finalized)[0]
    calls = [
        lambda: services.edit_announcement(finalized, judged.staff, "改", {entry.id: "改"}),
        lambda: services.publish(finalized, judged.staff, now() + timedelta(days=3)),
        lambda: services.file_objection(entry, make.user(), "公布之后的异议理由。"),
        lambda: services.rule_objection(entry.objections[0] if entry.objections else
                                        queries.objections(finalized)[0], judged.staff, True, "改判"),
        lambda: services.finalize(finalized, judged.staff),
    ]
    for call in calls:
        with pytest.raises(NoticeError, match="不能再更改"):
            call()
    with pytest.raises(NoticeError, match="不能重复生成"):
        services.prepare_announcement(judged.campaign, judged.staff, ALTERNATES)


@pytest.mark.parametrize("change", ["entry", "rank", "new_entry", "delete_entry", "objection",
                                    "new_objection", "announcement", "delete_announcement"])
def test_the_orm_guard_refuses_any_write_to_a_finalized_list(finalized, judged, make, change):
    entry = queries.listed(finalized)[0]
    alternate = queries.entries(finalized, EntryStatus.alternate)[0]
    objection = queries.objections(finalized)[0]
    user = make.user()
    if change == "entry":
        entry.citation = "事后改写的评语"
    elif change == "rank":
        entry.rank, alternate.rank, alternate.status = 11, 1, EntryStatus.listed
    elif change == "new_entry":
        db.session.add(NoticeEntry(announcement=finalized, idea_id=judged.ideas[-1].id, position=99,
                                   status=EntryStatus.alternate, title="塞进来的"))
    elif change == "delete_entry":
        db.session.delete(entry)
    elif change == "objection":
        objection.ruling = "改写的处理意见"
    elif change == "new_objection":
        db.session.add(Objection(entry=entry, user=user, reason="绕过服务层的异议"))
    elif change == "announcement":
        finalized.state = NoticeState.published
    else:
        db.session.delete(finalized)
    with pytest.raises(FinalizedNoticeChanged, match="不能再更改"):
        db.session.flush()
    db.session.rollback()
    db.session.expire_all()
    assert queries.listed(finalized)[0].citation != "事后改写的评语"
    assert finalized.state is NoticeState.finalized


def test_the_guard_lets_unrelated_writes_through(finalized, make):
    user = make.user()
    user.real_name = "改个名字"
    db.session.commit()
    assert user.real_name == "改个名字"


def test_final_list_text_is_canonical(finalized):
    text = queries.final_list_text(finalized)
    lines = text.splitlines()
    assert lines[0].startswith(f"“献策湖南”十大金点子\t{finalized.campaign.year}\t")
    assert finalized.round.digest in lines[0]
    assert lines[1].split("\t")[0] == "名次" and len(lines) == 12
    first = lines[2].split("\t")
    entry = queries.listed(finalized)[0]
    assert first[:3] == ["1", entry.idea.tracking_code, entry.title]
    assert first[6] == f"{entry.expert_score:.4f}"
    assert all(len(line.split("\t")) == 12 for line in lines[1:])
