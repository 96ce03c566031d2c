"""公示 and the winners through the pages: staff prepare, edit, preview,
publish, rule and finalize; citizens object; winners download certificates."""
import hashlib
import io
import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlalchemy import func, select

from app.audit.models import ActionLog
from app.auth.models import Role
from app.extensions import db
from app.notifications.models import Notification
from app.timeutil import now
from ideas.models import IdeaStatus
from voting.notice import queries
from tests.concurrency import post_at_once
from voting.notice.models import EntryStatus, NoticeState, ObjectionState


def text(response):
    return response.get_data(as_text=True)


def test_staff_prepare_edit_preview_publish(client, auth, judged):
    year = judged.campaign.year
    auth.login(judged.staff)
    page = text(client.get("/gongshi/manage"))
    assert str(year) in page and "未生成" in page
    assert "生成公示名单" in text(client.get(f"/gongshi/manage/{year}"))
    assert client.post(f"/gongshi/manage/{year}/prepare").status_code == 302
    announcement = queries.announcement_for_year(year)
    entries = announcement.entries
    page = text(client.get(f"/gongshi/manage/{year}"))
    assert all(e.title in page for e in entries) and "发布公示" in page

    typed = "长" * 201
    data = {"intro": "经初审、复审、终审，现将拟入选名单予以公示。",
            **{f"c{e.id}": f"评语{e.position}" for e in entries}}
    page = text(client.post(f"/gongshi/manage/{year}", data={**data, f"c{entries[0].id}": typed}))
    assert "不能超过 200 个字" in page and typed in page
    db.session.expire_all()
    assert entries[0].citation == ""
    assert client.post(f"/gongshi/manage/{year}", data=data).status_code == 302
    db.session.expire_all()
    assert entries[0].citation == "评语1"

    # Nothing is public before publishing; the preview shows what will be.
    assert client.get(f"/gongshi/{year}").status_code == 404
    assert "目前没有公示中的名单" in text(client.get("/gongshi"))
    preview = text(client.get(f"/gongshi/manage/{year}/preview"))
    assert "预览" in preview and "评语1" in preview and "经初审、复审、终审" in preview
    assert "王建国、李秀英" in preview

    page = text(client.post(f"/gongshi/manage/{year}/publish", data={"ends_at": "明天"}))
    assert "请填写公示截止时间" in page and 'value="明天"' in page
    past = (now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    client.post(f"/gongshi/manage/{year}/publish", data={"ends_at": past})
    assert "必须晚于现在" in text(client.get(f"/gongshi/manage/{year}"))
    ends = (now() + timedelta(days=7)).replace(second=0)
    response = client.post(f"/gongshi/manage/{year}/publish",
                           data={"ends_at": ends.strftime("%Y-%m-%dT%H:%M")}, follow_redirects=True)
    assert "已发布公示" in text(response)
    db.session.expire_all()
    assert announcement.state is NoticeState.published and announcement.notice_ends_at == ends
    public = text(client.get("/gongshi"))
    assert public == text(client.get(f"/gongshi/{year}"))
    for entry in entries:
        assert entry.title in public
    assert "对这条建议提出异议" in public and "评语1" in public


@pytest.fixture
def published(judged):
    from voting.notice import services

    announcement = services.prepare_announcement(judged.campaign, judged.staff, 5)
    services.edit_announcement(announcement, judged.staff, "",
                               {e.id: f"评语{e.position}" for e in announcement.entries})
    services.publish(announcement, judged.staff, now() + timedelta(days=7))
    db.session.commit()
    return announcement


def test_objections_rulings_and_promotion_through_the_pages(client, auth, make, judged, published):
    year = judged.campaign.year
    objector = make.user(real_name="异议人丁")
    third = queries.listed(published)[2]
    url = f"/gongshi/{year}/entries/{third.id}/objection"
    assert "/auth/login" in client.get(url).headers["Location"]
    auth.login(objector)
    assert "异议理由" in text(client.get(url))
    page = text(client.post(url, data={"reason": "太短"}))
    assert "至少需要 10 个字" in page and "太短" in page
    reason = "该建议与某期刊 2023 年发表的文章内容基本一致。"
    assert client.post(url, data={"reason": reason}).status_code == 302
    assert "正在处理中" in text(client.post(url, data={"reason": reason}, follow_redirects=True))
    alternate = queries.entries(published, EntryStatus.alternate)[0]
    response = client.get(f"/gongshi/{year}/entries/{alternate.id}/objection")
    assert response.status_code == 302
    auth.logout()
    # Held until staff rule on it.
    public = text(client.get(f"/gongshi/{year}"))
    assert reason not in public and "待处理" not in public

    auth.login(judged.staff)
    objection = queries.objections(published)[0]
    page = text(client.post(f"/gongshi/objections/{objection.id}/rule",
                            data={f"o{objection.id}-decision": "upheld", f"o{objection.id}-ruling": ""}))
    assert "请写明处理理由" in page
    assert "记录处理结果" in page
    client.post(f"/gongshi/objections/{objection.id}/rule",
                data={f"o{objection.id}-decision": "upheld", f"o{objection.id}-ruling": "经核实，异议成立。"})
    db.session.expire_all()
    assert objection.state is ObjectionState.upheld and third.status is EntryStatus.removed
    assert alternate.status is EntryStatus.listed and alternate.rank == 10
    assert third.idea.status is IdeaStatus.shortlisted
    public = text(client.get(f"/gongshi/{year}"))
    assert "经异议取消入选" in public and "经核实，异议成立。" in public and "候补递补" in public
    assert reason in public and "异议人丁" not in public and objector.login_name not in public

    finalize = client.post(f"/gongshi/manage/{year}/finalize", follow_redirects=True)
    assert "期满后才能公布结果" in text(finalize)
    published.notice_ends_at = now() - timedelta(minutes=1)
    db.session.commit()
    assert "公示期已满" in text(client.get(f"/gongshi/{year}"))
    response = client.post(f"/gongshi/manage/{year}/finalize", follow_redirects=True)
    assert "已公布十大金点子" in text(response)
    db.session.expire_all()
    assert published.state is NoticeState.finalized
    assert "结果已于" in text(client.get(f"/gongshi/{year}"))
    # The alternate who took the removed idea's place is marked on the winners' page, as in the API.
    winners = text(client.get(f"/winners/{year}"))
    assert winners.count(">递补</span>") == 1 and alternate.title in winners


def test_winners_pages_digest_and_certificate(client, auth, make, judged, finalized):
    year = judged.campaign.year
    listed = queries.listed(finalized)
    page = text(client.get("/winners"))
    assert page == text(client.get(f"/winners/{year}"))
    assert all(e.title in page for e in listed) and finalized.digest in page
    assert client.get(f"/winners/{year + 1}").status_code == 404
    listing = client.get(f"/winners/{year}.txt")
    assert hashlib.sha256(listing.data).hexdigest() == finalized.digest == listing.headers["X-Content-SHA256"]

    top = next(e for e in listed if e.idea_id == judged.ideas[0].id)
    page = text(client.get(f"/winners/{year}/{top.rank}"))
    idea = top.idea
    for shown in (idea.title, idea.problem, idea.suggestion, idea.benefit, top.citation, "王建国、李秀英",
                  idea.tracking_code):
        assert shown in page
    assert idea.contact_phone not in page and "下载荣誉证书" not in page
    assert client.get(f"/winners/{year}/11").status_code == 404
    certificate = f"/winners/{year}/{top.rank}/certificate.pdf"
    assert "/auth/login" in client.get(certificate).headers["Location"]

    auth.login(make.user())
    assert client.get(certificate).status_code == 403
    auth.logout()
    for person in (judged.author, judged.co_author):
        auth.login(person)
        assert "下载荣誉证书" in text(client.get(f"/winners/{year}/{top.rank}"))
        # The first download asks for the name to print; then the file comes.
        naming = f"/winners/{year}/{top.rank}/certificate"
        assert client.get(certificate).headers["Location"].endswith(naming)
        assert client.post(naming, data={"name": person.real_name}).status_code == 302
        response = client.get(certificate)
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert "attachment" in response.headers["Content-Disposition"]
        content = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
        flat = re.sub(r"\s+", "", content)
        assert "荣誉证书" in flat and person.real_name in flat and top.title in flat
        assert f"第{top.rank}名" in flat and "中共湖南省委社会工作部" in flat
        auth.logout()


def test_pages_show_both_score_parts_when_the_round_had_a_public_vote(client, judged, finalized):
    round_ = finalized.round
    assert "公众投票" not in text(client.get("/winners"))
    # The blend columns as close_round stores them for a round with a public vote.
    round_.public_vote, round_.expert_weight = True, 0.7
    round_.vote_opens_at, round_.vote_closes_at = now(), now() + timedelta(days=1)
    round_.votes_per_citizen = 3
    db.session.commit()
    page = text(client.get("/winners"))
    assert "公众投票" in page and "综合得分 = 专家部分 × 70% + 公众部分 × 30%" in page


def test_staff_pages_refuse_other_roles_and_unknown_years(client, auth, make, judged, published):
    auth.login(make.user(Role.reviewer))
    assert client.get(f"/gongshi/manage/{judged.campaign.year}").status_code == 403
    auth.logout()
    auth.login(judged.staff)
    assert client.get("/gongshi/manage/1999").status_code == 404
    assert client.get("/gongshi/1999").status_code == 404
    assert client.get("/gongshi/manage/1999/preview").status_code == 404
    response = client.post(f"/gongshi/manage/{judged.campaign.year}/prepare", follow_redirects=True)
    assert "不能重复生成" in text(response)


def test_hostile_text_is_shown_escaped(client, auth, make, judged, published):
    year = judged.campaign.year
    entry = queries.listed(published)[0]
    auth.login(make.user())
    client.post(f"/gongshi/{year}/entries/{entry.id}/objection",
                data={"reason": "<script>alert(1)</script> 这条建议抄袭了别人的成果"})
    auth.logout()
    auth.login(judged.staff)
    assert "&lt;script&gt;" in text(client.get(f"/gongshi/manage/{year}"))
    # Shown publicly once ruled on.
    objection = queries.objections(published)[0]
    client.post(f"/gongshi/objections/{objection.id}/rule",
                data={f"o{objection.id}-decision": "dismissed", f"o{objection.id}-ruling": "<b>不成立</b>"})
    for path in (f"/gongshi/{year}", f"/gongshi/manage/{year}"):
        page = text(client.get(path))
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


HOSTILE = st.one_of(st.text(max_size=300), st.sampled_from([
    "<script>alert(1)</script>", "\x00\x01", "2024-13-45T99:99", "upheld", "dismissed", "=cmd|' /C calc'!A0",
    "　" * 30]), st.text(min_size=1100, max_size=1500))


@settings(max_examples=15, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(value=HOSTILE)
def test_every_notice_form_takes_hostile_input(client, auth, make, judged, published, value):
    year = judged.campaign.year
    entry = queries.listed(published)[0]
    citizen = make.user()
    auth.login(citizen)
    response = client.post(f"/gongshi/{year}/entries/{entry.id}/objection", data={"reason": value})
    assert response.status_code in (200, 302)
    auth.logout()
    auth.login(judged.staff)
    responses = [client.post(f"/gongshi/manage/{year}/publish", data={"ends_at": value}),
                 client.post(f"/gongshi/manage/{year}", data={"intro": value, f"c{entry.id}": value})]
    for objection in queries.objections(published, ObjectionState.pending)[:1]:
        responses.append(client.post(f"/gongshi/objections/{objection.id}/rule", data={
            f"o{objection.id}-decision": value, f"o{objection.id}-ruling": value}))
    for response in responses:
        assert response.status_code in (200, 302)
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    auth.logout()


def test_objection_spam_is_held_limited_and_dismissed_in_bulk(client, auth, make, judged, published):
    year = judged.campaign.year
    listed = queries.listed(published)
    advert = "低价代办各类证件，加微信 abc123 详谈，量大从优！"
    for n in range(30):
        auth.login(make.user())
        assert client.post(f"/gongshi/{year}/entries/{listed[n % 3].id}/objection",
                           data={"reason": advert}).status_code == 302
        auth.logout()
    # Nothing shows on the official page before staff look at it.
    assert advert not in text(client.get(f"/gongshi/{year}"))
    # One account: one objection per idea, three in one 公示.
    spammer = make.user()
    auth.login(spammer)
    for entry in listed[:3]:
        response = client.post(f"/gongshi/{year}/entries/{entry.id}/objection", data={"reason": advert})
        assert response.status_code == 302
    again = text(client.post(f"/gongshi/{year}/entries/{listed[0].id}/objection", data={"reason": advert}))
    fourth = text(client.post(f"/gongshi/{year}/entries/{listed[3].id}/objection", data={"reason": advert}))
    assert "正在处理中" in again and "最多提出 3 条异议" in fourth
    auth.logout()
    genuine = make.user()
    auth.login(genuine)
    client.post(f"/gongshi/{year}/entries/{listed[4].id}/objection",
                data={"reason": "该建议与某期刊发表的文章雷同。"})
    auth.logout()

    auth.login(judged.staff)
    pending = queries.objections(published, ObjectionState.pending)
    spam = [o.id for o in pending if o.reason == advert]
    assert len(pending) == 34 and len(spam) == 33
    manage = text(client.get(f"/gongshi/manage/{year}"))
    assert "作为无效信息驳回" in manage and 'form="spam-form"' in manage
    assert "请写明驳回理由" in text(client.post(f"/gongshi/manage/{year}/spam", data={"objection_ids": spam},
                                          follow_redirects=True))
    client.post(f"/gongshi/manage/{year}/spam", data={"objection_ids": spam, "reason": "广告，与公示无关"})
    db.session.expire_all()
    assert {o.state for o in queries.objections(published) if o.id in spam} == {ObjectionState.spam}
    assert db.session.scalars(select(ActionLog).where(ActionLog.action == "notice.spam")).one().details[
        "reason"] == "广告，与公示无关"
    # The genuine objection still holds up 公布结果; spam no longer does.
    published.notice_ends_at = now() - timedelta(minutes=1)
    db.session.commit()
    assert "1 条异议待处理" in text(client.post(f"/gongshi/manage/{year}/finalize", follow_redirects=True))
    objection = queries.objections(published, ObjectionState.pending)[0]
    client.post(f"/gongshi/objections/{objection.id}/rule",
                data={f"o{objection.id}-decision": "dismissed",
                      f"o{objection.id}-ruling": "经核实，不雷同。"})
    assert "已公布十大金点子" in text(client.post(f"/gongshi/manage/{year}/finalize", follow_redirects=True))
    public = text(client.get(f"/gongshi/{year}"))
    assert advert not in public and "经核实，不雷同。" in public


@pytest.mark.postgres_only
def test_two_staff_finalizing_at_once_announce_once(app, make, judged, published):
    year = judged.campaign.year
    published.notice_ends_at = now() - timedelta(minutes=1)
    db.session.commit()
    other = make.user(Role.staff)
    # Earlier stages told the authors too (accepted, shortlisted…): count only what finalizing sends.
    before = db.session.scalar(select(func.max(Notification.id))) or 0
    path = f"/gongshi/manage/{year}/finalize"
    statuses = post_at_once(app, [(judged.staff.login_name, path, {}), (other.login_name, path, {})])
    assert statuses == [302, 302]
    assert queries.announcement_for_year(year).state is NoticeState.finalized
    # One winner's notification per credited person, once: the author and the co-proposer of the top idea.
    people = [n.user_id for n in db.session.scalars(select(Notification).where(Notification.id > before))]
    assert len(people) == len(set(people)) == 11
    finalized = db.session.scalars(select(ActionLog).where(ActionLog.action == "notice.finalize")).all()
    assert len(finalized) == 1
