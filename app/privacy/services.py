"""Deleting accounts and erasing personal data. Functions flush; the caller commits.

A deleted account keeps its row, so the ideas, votes, objections and
certificates pointing at it stay whole and published results still verify;
every personal field on it and every record only about it is gone. The log
entry says which account, never what was erased."""
import math
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, or_, select
from werkzeug.security import check_password_hash

from app.audit.services import log_action
from app.auth.models import LoginFailure, Role, User, UserSession
from app.auth.services import clear_failed_logins
from app.errors import Refused
from app.extensions import db
from app.identity.models import CodePurpose, RecoveryCode, TwoFactor, VerifiedPhone
from app.identity.services import check_code
from app.locks import lock_row
from app.notifications.models import Notification, NotificationPreference
from app.notifications.services import notify
from app.privacy import parts
from app.privacy.queries import sms_records

# Never a valid werkzeug hash: nothing signs in with it.
NO_PASSWORD = "!deleted"


def erase_account(actor, user, method, at):
    """Delete ``user``'s account: personal fields erased, records only about it
    removed, each stage's share erased by its part. False when already deleted."""
    lock_row(User, user.id)
    db.session.refresh(user)
    if user.deleted_at is not None:
        return False
    for row in sms_records(user):
        db.session.delete(row)
    for model in (VerifiedPhone, TwoFactor, RecoveryCode, NotificationPreference, Notification, UserSession):
        db.session.execute(delete(model).where(model.user_id == user.id))
    for part in parts.registered():
        part.erase(user)
    clear_failed_logins(user)
    user.mobile = user.email = user.real_name = user.region = user.work_unit = None
    user.consent_version = user.consent_at = user.last_login_at = None
    user.inactivity_notice = user.inactivity_notice_at = None
    user.password_hash, user.is_active, user.deleted_at = NO_PASSWORD, False, at
    user.must_change_password = False
    # Any cookie still naming the account stops working.
    user.session_version = User.session_version + 1
    db.session.flush()
    log_action(actor, "user.delete", user, method=method)
    return True


def delete_own_account(user, password, code, at):
    """A citizen deletes their account, proving it is them with the password or
    an SMS code sent to the account's verified number."""
    if user.role is Role.admin:
        raise Refused("管理员账号不能自行注销：请另一位管理员先改为其他角色")
    if code:
        phone = db.session.get(VerifiedPhone, user.id)
        if phone is None:
            raise Refused("这个账号没有已验证的手机号，请用密码确认")
        check_code(phone.phone, CodePurpose.verify, code, at)
        method = "sms"
    elif password and check_password_hash(user.password_hash, password):
        method = "password"
    else:
        raise Refused("密码不正确")
    return erase_account(user, user, method, at)


# --- inactive accounts ----------------------------------------------------------

def _last_active(user):
    return user.last_login_at or user.created_at


def inactive_candidates(at, config):
    """Accounts of the roles deleted automatically with no sign-in inside the notice window."""
    oldest = at - timedelta(days=config["INACTIVE_ACCOUNT_DAYS"] - max(config["INACTIVE_NOTICE_DAYS"]))
    roles = [Role(value) for value in config["INACTIVE_PURGE_ROLES"]]
    return db.session.execute(select(User).where(
        User.deleted_at.is_(None), User.role.in_(roles),
        or_(User.last_login_at <= oldest, User.last_login_at.is_(None) & (User.created_at <= oldest)))
        .order_by(User.id)).scalars().all()


def _notice(user, days_left, deletion_day):
    period = current_app.config["INACTIVE_ACCOUNT_DAYS"]
    return notify(user, f"账号长期未登录，将于 {deletion_day:%Y-%m-%d} 注销",
                  f"您的账号已较长时间未登录。按隐私政策，连续 {period} 天未登录的账号会被注销"
                  "（删除手机号、姓名等个人信息，提交的建议保留，署名改为“已注销用户”）。"
                  f"距注销还有约 {days_left} 天。"
                  "如需保留账号，请在此之前登录一次。", "/me/data")


def purge_inactive(at, config):
    """Notices ahead of deletion (30 and 7 days before), then the deletion itself.
    Idempotent: a second run on the same day sends and deletes nothing more.
    Deletion waits until the last notice is at least its days old, so nobody
    is deleted without it. Returns (notices, deleted ids)."""
    notices, deleted = [], []
    last_notice = min(config["INACTIVE_NOTICE_DAYS"])
    for user in inactive_candidates(at, config):
        due = _last_active(user) + timedelta(days=config["INACTIVE_ACCOUNT_DAYS"])
        if (at >= due and user.inactivity_notice == last_notice
                and user.inactivity_notice_at <= at - timedelta(days=last_notice)):
            erase_account(None, user, "inactive", at)
            deleted.append(user.id)
            continue
        days_left = max(0, math.ceil((due - at).total_seconds() / 86400))
        # The smallest notice whose time has come and that was not sent yet.
        step = min((d for d in config["INACTIVE_NOTICE_DAYS"] if days_left <= d), default=None)
        if step is None or (user.inactivity_notice is not None and user.inactivity_notice <= step):
            continue
        deletion_day = max(due, at + timedelta(days=step)) if step == last_notice else due
        notices.append(_notice(user, max(days_left, (deletion_day - at).days), deletion_day))
        user.inactivity_notice, user.inactivity_notice_at = step, at
        db.session.flush()
    return notices, deleted


# --- retention ----------------------------------------------------------------

def expire_campaign_data(at, config):
    """Erase the personal data of campaigns announced more than CAMPAIGN_DATA_MONTHS
    ago that their published results do not need, and session records older
    than SESSION_RECORD_DAYS and wrong-password counts older than a day. Idempotent.
    Returns {what: rows changed}."""
    before = at - timedelta(days=round(config["CAMPAIGN_DATA_MONTHS"] * 30.44))
    campaign_ids = sorted({cid for part in parts.registered() for cid in part.finished_campaigns(before)})
    changed = {}
    for part in parts.registered():
        for what, count in part.expire(campaign_ids).items():
            changed[what] = changed.get(what, 0) + count
    old = at - timedelta(days=config["SESSION_RECORD_DAYS"])
    changed["登录设备记录"] = db.session.execute(
        delete(UserSession).where(UserSession.last_seen_at < old)).rowcount
    # A day after the last wrong password its count has done its job (the longest wait is minutes).
    changed["输错密码的计数"] = db.session.execute(
        delete(LoginFailure).where(LoginFailure.last_failed_at < at - timedelta(days=1))).rowcount
    db.session.flush()
    if any(changed.values()):
        log_action(None, "privacy.expire", None, campaigns=campaign_ids,
                   counts={what: count for what, count in changed.items() if count})
    return campaign_ids, changed
