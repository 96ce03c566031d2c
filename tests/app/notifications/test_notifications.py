"""站内通知 for winners, the unread count in the navigation, and the e-mail
copy through a real SMTP server when one is configured."""
import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app.extensions import db
from app.notifications.models import Notification
from app.notifications.services import mark_all_read, notify
from app.timeutil import now
from tests.notice_fixtures import finished_judging
from voting.notice import queries, services


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@pytest.fixture
def smtp_server(app):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_FROM="noreply@xiance.example")
    try:
        yield inbox
    finally:
        controller.stop()
        app.config["MAIL_SERVER"] = None


@pytest.fixture
def ready_to_finalize(make):
    judged = finished_judging(make)
    judged.author.email = "wang@example.com"
    start = now() - timedelta(days=8)
    announcement = services.prepare_announcement(judged.campaign, judged.staff, 5)
    services.edit_announcement(announcement, judged.staff, "", {e.id: "评语" for e in announcement.entries})
    services.publish(announcement, judged.staff, start + timedelta(days=7), at=start)
    db.session.commit()
    judged.announcement = announcement
    return judged


def finalize_through_the_page(client, auth, judged):
    auth.login(judged.staff)
    response = client.post(f"/gongshi/manage/{judged.campaign.year}/finalize", follow_redirects=True)
    auth.logout()
    return response.get_data(as_text=True)


def test_winners_find_a_notification_and_the_count_in_the_navigation(client, auth, make, ready_to_finalize):
    judged = ready_to_finalize
    # The workflow's own notices (accepted, shortlisted…) are read: this is about the winner's.
    for person in (judged.author, judged.co_author):
        mark_all_read(person)
    db.session.commit()
    finalize_through_the_page(client, auth, judged)
    rank = next(e.rank for e in queries.listed(judged.announcement) if e.idea_id == judged.ideas[0].id)
    auth.login(judged.author)
    home = client.get("/").get_data(as_text=True)
    assert 'class="nav-count"' in home and "1 条未读" in home
    page = client.get("/notifications/").get_data(as_text=True)
    assert ("十大金点子" in page and f'href="/winners/{judged.campaign.year}/{rank}"' in page
            and "未读" in page)
    notification = db.session.scalar(select(Notification).where(
        Notification.user_id == judged.author.id, Notification.read_at.is_(None)))
    assert notification.emailed_at is None  # no MAIL_SERVER, no mail
    assert client.post(f"/notifications/{notification.id}/read").status_code == 302
    db.session.expire_all()
    assert notification.read_at is not None
    assert "nav-count" not in client.get("/").get_data(as_text=True)
    auth.logout()

    auth.login(judged.co_author)
    assert "1 条未读" in client.get("/notifications/").get_data(as_text=True)
    assert client.post(f"/notifications/{notification.id}/read").status_code == 404
    client.post("/notifications/read-all")
    assert "nav-count" not in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(make.user())
    assert "还没有通知" in client.get("/notifications/").get_data(as_text=True)


def test_mark_all_read_touches_only_ones_own(app, make):
    mine, theirs = make.user(), make.user()
    for user in (mine, mine, theirs):
        notify(user, "主题", "正文")

    assert mark_all_read(mine) == 2
    unread = db.session.scalars(select(Notification).where(Notification.read_at.is_(None))).all()
    assert [n.user_id for n in unread] == [theirs.id]


def test_winners_with_an_address_get_an_email(client, auth, smtp_server, ready_to_finalize):
    judged = ready_to_finalize
    page = finalize_through_the_page(client, auth, judged)
    assert "并发出 1 封邮件" in page
    assert len(smtp_server.messages) == 1
    recipients, message = smtp_server.messages[0]
    assert recipients == ["wang@example.com"]
    assert (message["Subject"] == "您的建议入选“献策湖南”十大金点子"
            and message["From"] == "noreply@xiance.example")
    body = message.get_content()
    assert judged.ideas[0].title in body and f"http://localhost/winners/{judged.campaign.year}/" in body
    notification = db.session.scalar(select(Notification).where(
        Notification.user_id == judged.author.id, Notification.subject == message["Subject"]))
    assert notification.emailed_at is not None


def test_a_failing_mail_server_does_not_stop_finalizing(app, client, auth, caplog, ready_to_finalize):
    judged = ready_to_finalize
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    try:
        page = finalize_through_the_page(client, auth, judged)
    finally:
        app.config["MAIL_SERVER"] = None
    assert "已公布十大金点子" in page and "邮件" not in page.split("已公布十大金点子")[1].split("</div>")[0]
    db.session.expire_all()
    assert judged.announcement.digest is not None
    notification = db.session.scalar(select(Notification).where(
        Notification.user_id == judged.author.id, Notification.read_at.is_(None)))
    assert notification.emailed_at is None
    assert "通知邮件发送失败" in caplog.text


def test_the_channels_page_saves_the_choice(client, auth, make):
    from app.notifications.services import preference_of

    user = make.user()
    auth.login(user)
    assert "站内" in client.get("/notifications/settings").get_data(as_text=True)
    assert client.post("/notifications/settings", data={"email": "y"}).status_code == 302
    preference = preference_of(user)
    assert preference.email is True and preference.sms is False


def test_an_idea_decision_is_emailed_only_to_who_chose_e_mail(client, auth, make, smtp_server):
    from app.auth.models import Role
    from app.notifications.services import set_preference

    wants, does_not = make.user(), make.user()
    wants.email, does_not.email = "wants@example.com", "quiet@example.com"
    set_preference(wants, email=True, sms=False)
    chosen, other = make.idea(author=wants), make.idea(author=does_not)
    auth.login(make.user(Role.staff))
    for idea in (chosen, other):
        assert client.post(f"/ideas/{idea.id}/accept", data={}).status_code == 302
    assert [recipients for recipients, _ in smtp_server.messages] == [["wants@example.com"]]
    assert chosen.tracking_code in smtp_server.messages[0][1]["Subject"]
