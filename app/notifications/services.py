"""站内通知 and their e-mail copies. Functions flush; the caller commits."""
import smtplib
from email.message import EmailMessage

from flask import current_app, g
from sqlalchemy import inspect, update

from app.audit.services import log_action
from app.extensions import db
from app.notifications.models import Notification, NotificationPreference
from app.timeutil import now


def notify(user, subject, body="", link=None):
    notification = Notification(user=user, subject=subject[:100], body=body, link=link, created_at=now())
    db.session.add(notification)
    db.session.flush()
    log_action(None, "notification.create", notification, user=user.id, subject=notification.subject)
    # Kept for the e-mail copy, which may only go out once the request has committed.
    g.setdefault("new_notifications", []).append(notification)
    return notification


def preference_of(user):
    return db.session.get(NotificationPreference, user.id) or NotificationPreference(
        user_id=user.id, email=False, sms=False)


def set_preference(user, email, sms):
    """The channels besides 站内通知 (which always arrive) this user wants."""
    preference = db.session.get(NotificationPreference, user.id)
    if preference is None:
        preference = NotificationPreference(user_id=user.id)
        db.session.add(preference)
    preference.email, preference.sms = bool(email), bool(sms)
    db.session.flush()
    log_action(user, "notification.preference", user, email=preference.email, sms=preference.sms)
    return preference


def committed_for_email():
    """This request's new notifications that survived its commit and whose users chose e-mail."""
    fresh = [n for n in g.pop("new_notifications", []) if inspect(n).persistent]
    return [n for n in fresh if n.user.email and preference_of(n.user).email]


def mark_read(notification, user):
    if notification.read_at is None:
        notification.read_at = now()
        db.session.flush()
        log_action(user, "notification.read", notification)


def mark_all_read(user):
    count = db.session.execute(
        update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now())).rowcount
    db.session.flush()
    if count:
        log_action(user, "notification.read_all", user, count=count)
    return count


def email_notifications(notifications, site_url):
    """Send an e-mail copy of each notification whose user has an address,
    when MAIL_SERVER is configured. Call it after the notifications are
    committed: a mail must never announce something that was rolled back. A
    failing server is logged and leaves ``emailed_at`` empty; it never raises."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return 0
    sent, failed = [], []
    for notification in notifications:
        address = notification.user.email
        if not address or notification.emailed_at is not None:
            continue
        try:
            _send(config, address, notification.subject, _mail_body(notification, site_url))
        except (OSError, smtplib.SMTPException) as exc:
            current_app.logger.warning("通知邮件发送失败（通知 %s）：%s", notification.id, exc)
            failed.append(notification.id)
        else:
            notification.emailed_at = now()
            sent.append(notification.id)
    db.session.flush()
    if sent or failed:
        log_action(None, "notification.email", None, sent=sent, failed=failed)
    return len(sent)


def _mail_body(notification, site_url):
    lines = [notification.body]
    if notification.link:
        lines.append(f"详情：{site_url.rstrip('/')}{notification.link}")
    lines.append("（本邮件由“献策湖南”金点子征集平台自动发送，请勿直接回复。）")
    return "\n\n".join(lines)


def _send(config, address, subject, body):
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = address
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)
