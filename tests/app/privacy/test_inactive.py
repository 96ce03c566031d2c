"""``flask users purge-inactive``: notices 30 and 7 days ahead, then the deletion
of 2., on a fixed clock; staff accounts are left alone; running twice is once."""
from datetime import datetime, timedelta

from sqlalchemy import select

from app.auth.models import Role, User
from app.extensions import db
from app.notifications.models import Notification
from app.privacy.services import purge_inactive
from tests.app.notifications.test_notifications import smtp_server  # noqa: F401  (fixture)
from tests.app.privacy.conftest import assert_nothing_personal_left, personal_values

T0 = datetime(2026, 1, 10, 9, 0, 0)


def _config(app, **changes):
    return {**app.config, "INACTIVE_ACCOUNT_DAYS": 365, "INACTIVE_NOTICE_DAYS": (30, 7),
            "INACTIVE_PURGE_ROLES": ("citizen",), **changes}


def _last_seen(user, at):
    user.last_login_at = at
    db.session.commit()


def _run(app, at, **changes):
    notices, deleted = purge_inactive(at, _config(app, **changes))
    db.session.commit()
    return [n.user_id for n in notices], deleted


def _subjects(user):
    return db.session.execute(select(Notification.subject).where(Notification.user_id == user.id)
                              .order_by(Notification.id)).scalars().all()


def test_notices_at_30_and_7_days_then_deletion(app, make):
    citizen = make.user()
    staff = make.user(Role.staff, login="staff@example.com")
    for user in (citizen, staff):
        _last_seen(user, T0)
    personal = personal_values(citizen)
    assert _run(app, T0 + timedelta(days=300)) == ([], [])
    assert _run(app, T0 + timedelta(days=335)) == ([citizen.id], [])
    assert _subjects(citizen) == ["账号长期未登录，将于 2027-01-10 注销"]
    # The same day again, and the day after: nothing more.
    assert _run(app, T0 + timedelta(days=335)) == ([], [])
    assert _run(app, T0 + timedelta(days=336)) == ([], [])
    assert _run(app, T0 + timedelta(days=358)) == ([citizen.id], [])
    assert len(_subjects(citizen)) == 2
    assert _run(app, T0 + timedelta(days=364)) == ([], [])
    assert _run(app, T0 + timedelta(days=365)) == ([], [citizen.id])
    assert _run(app, T0 + timedelta(days=366)) == ([], [])
    db.session.expire_all()
    assert_nothing_personal_left(citizen.id, personal)
    # Staff accounts are not deleted automatically (INACTIVE_PURGE_ROLES).
    assert db.session.get(User, staff.id).deleted_at is None


def test_nobody_is_deleted_without_a_week_of_notice(app, make):
    citizen = make.user()
    _last_seen(citizen, T0)
    # The job first runs long after the year: a notice first, the deletion a week later.
    assert _run(app, T0 + timedelta(days=400)) == ([citizen.id], [])
    assert _subjects(citizen) == ["账号长期未登录，将于 2027-02-21 注销"]
    assert _run(app, T0 + timedelta(days=406)) == ([], [])
    assert _run(app, T0 + timedelta(days=407)) == ([], [citizen.id])


def test_signing_in_after_a_notice_keeps_the_account(app, client, auth, make):
    citizen = make.user()
    _last_seen(citizen, T0)
    _run(app, T0 + timedelta(days=358))
    assert db.session.get(User, citizen.id).inactivity_notice == 7
    assert auth.login(citizen).status_code == 302
    db.session.expire_all()
    user = db.session.get(User, citizen.id)
    assert user.inactivity_notice is None and user.last_login_at > T0
    assert _run(app, T0 + timedelta(days=366)) == ([], [])


def test_the_roles_deleted_are_configurable_and_the_period_too(app, make):
    reviewer = make.user(Role.reviewer, login="r@example.com")
    _last_seen(reviewer, T0)
    roles = ("citizen", "reviewer")
    assert _run(app, T0 + timedelta(days=100), INACTIVE_ACCOUNT_DAYS=90, INACTIVE_PURGE_ROLES=roles) == (
        [reviewer.id], [])
    assert _run(app, T0 + timedelta(days=107), INACTIVE_ACCOUNT_DAYS=90, INACTIVE_PURGE_ROLES=roles) == (
        [], [reviewer.id])


def test_the_command(app, runner, make):
    citizen = make.user()
    _last_seen(citizen, datetime(2020, 1, 1))
    result = runner.invoke(args=["users", "purge-inactive"])
    assert result.exit_code == 0 and "发出注销提醒 1 条（邮件 0 封），注销账号 0 个" in result.output
    assert runner.invoke(args=["users", "purge-inactive", "--days", "10"]).exit_code == 2


def test_the_notice_goes_by_e_mail_to_an_address_on_file(app, runner, make, smtp_server):  # noqa: F811
    citizen = make.user(login="someone@example.com")
    _last_seen(citizen, datetime(2020, 1, 1))
    result = runner.invoke(args=["users", "purge-inactive"])
    assert result.exit_code == 0 and "邮件 1 封" in result.output
    (recipients, message), = smtp_server.messages
    assert recipients == ["someone@example.com"] and "将于" in message["Subject"]
