"""TOTP two-factor for staff, reviewer and admin accounts: enrolment with a QR
code, the second step of a sign-in, recovery codes, and the admin's reset."""
import re
import time

import pytest
from sqlalchemy import func, select

from app import create_app
from app.audit.models import ActionLog
from app.audit.queries import first_broken_link
from app.auth.models import Role
from app.errors import Refused
from app.extensions import db
from app.identity import login_flow, queries, services, totp
from app.identity.codes import recovery_hash, recovery_matches
from app.identity.models import RecoveryCode, TwoFactor
from tests.app.identity.conftest import signed_in_as
from tests.factories import PASSWORD

AT = 1_790_000_000  # a fixed Unix time for the service tests
PHONE = "13912345678"


def not_a_code(secret, at):
    valid = {totp.code_at(secret, totp.current_step(at) + d) for d in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)


def last_action():
    return db.session.execute(select(ActionLog).order_by(ActionLog.id.desc()).limit(1)).scalar_one()


def enrolled(user, at=AT):
    record = services.start_enrolment(user)
    codes = services.confirm_enrolment(user, totp.code_at(record.secret, totp.current_step(at)), at=at)
    db.session.commit()
    return record, codes


def test_enrolment_needs_a_first_code(make):
    staff = make.user(Role.staff)
    record = services.start_enrolment(staff)
    assert len(record.secret) == 32 and not services.needs_second_factor(staff)
    with pytest.raises(services.CodeRefused, match="验证码不正确"):
        services.confirm_enrolment(staff, not_a_code(record.secret, AT), at=AT)
    codes = services.confirm_enrolment(staff, totp.code_at(record.secret, totp.current_step(AT) - 1), at=AT)
    db.session.commit()
    assert services.needs_second_factor(staff) and record.last_step == totp.current_step(AT) - 1
    assert (len(codes) == 10 and len(set(codes)) == 10
            and all(re.fullmatch(r"(\w{4}-){3}\w{4}", c) for c in codes))
    stored = db.session.execute(select(RecoveryCode.code_hash)).scalars().all()
    # Salted: the same code never gives the same digest twice.
    assert len(stored) == 10 and not any(code.replace("-", "") in digest
                                         for code in codes for digest in stored)
    assert recovery_hash(codes[0]) != recovery_hash(codes[0])
    assert last_action().action == "user.2fa_enable"


def test_citizens_do_not_enrol_and_enrolment_is_not_restarted(make):
    with pytest.raises(Refused, match="只有工作人员"):
        services.start_enrolment(make.user())
    staff = make.user(Role.reviewer)
    enrolled(staff)
    with pytest.raises(Refused, match="两步验证已启用"):
        services.start_enrolment(staff)


def test_a_totp_code_counts_once_and_an_older_one_never(make, caplog):
    staff = make.user(Role.staff)
    record, _ = enrolled(staff)
    step = totp.current_step(AT + 60)
    assert services.verify_second_factor(staff, totp.code_at(record.secret, step), at=AT + 60) == "totp"
    db.session.commit()
    with pytest.raises(services.CodeRefused, match="已用过"):
        services.verify_second_factor(staff, totp.code_at(record.secret, step), at=AT + 60)
    assert f"两步验证码重复使用，已拒绝：账号 {staff.id}" in caplog.text
    with pytest.raises(services.CodeRefused, match="已用过"):
        services.verify_second_factor(staff, totp.code_at(record.secret, step - 1), at=AT + 60)
    # Two steps off is outside the window.
    with pytest.raises(services.CodeRefused, match="验证码不正确"):
        services.verify_second_factor(staff, totp.code_at(record.secret, step + 2), at=AT + 60)


def test_a_recovery_code_works_once_however_it_is_typed(make):
    staff = make.user(Role.admin)
    _, codes = enrolled(staff)
    typed = codes[3].lower().replace("-", " ")
    assert services.verify_second_factor(staff, typed, at=AT) == "recovery"
    db.session.commit()
    assert queries.recovery_codes_left(staff) == 9
    with pytest.raises(services.CodeRefused, match="验证码或恢复码不正确"):
        services.verify_second_factor(staff, codes[3], at=AT)
    entry = last_action()
    assert entry.action == "user.2fa_recovery_used" and entry.details == {"left": 9}


def test_new_recovery_codes_replace_the_old(make):
    staff = make.user(Role.staff)
    record, old = enrolled(staff)
    new = services.regenerate_recovery_codes(staff, totp.code_at(record.secret, totp.current_step(AT) + 1),
                                             at=AT)
    db.session.commit()
    assert not set(old) & set(new) and queries.recovery_codes_left(staff) == 10
    with pytest.raises(services.CodeRefused):
        services.verify_second_factor(staff, old[0], at=AT)
    assert services.verify_second_factor(staff, new[0], at=AT) == "recovery"


def test_the_admin_resets_with_a_logged_reason(make):
    admin, staff = make.user(Role.admin), make.user(Role.staff)
    enrolled(staff)
    with pytest.raises(Refused, match="请填写重置原因"):
        services.reset_two_factor(admin, staff, "  ")
    with pytest.raises(Refused, match="不能重置自己的两步验证"):
        services.reset_two_factor(admin, admin, "自己")
    services.reset_two_factor(admin, staff, "手机丢失，已电话核实")
    db.session.commit()
    assert not services.needs_second_factor(staff) and queries.recovery_codes_left(staff) == 0
    entry = db.session.execute(select(ActionLog).where(ActionLog.action == "user.2fa_reset")).scalar_one()
    assert ((entry.actor_id, entry.target_id, entry.details)
            == (admin.id, staff.id, {"reason": "手机丢失，已电话核实"}))
    assert first_broken_link() is None
    with pytest.raises(Refused, match="未设置两步验证"):
        services.reset_two_factor(admin, staff, "再次")


def test_the_command_line_reset(make, runner):
    staff = make.user(Role.admin, login="boss@example.com")
    enrolled(staff)
    result = runner.invoke(args=["identity", "reset-2fa", "--login", "boss@example.com",
                                 "--reason", "唯一管理员手机丢失"])
    assert result.exit_code == 0, result.output
    assert "已重置" in result.output and not services.needs_second_factor(staff)
    entry = db.session.execute(select(ActionLog).where(ActionLog.action == "user.2fa_reset")).scalar_one()
    assert entry.actor_id is None and entry.details["reason"] == "唯一管理员手机丢失"
    missing = runner.invoke(args=["identity", "reset-2fa", "--login", "nobody@example.com", "--reason", "x"])
    assert missing.exit_code != 0 and "没有这个账号" in missing.output


# --- through HTTP ---------------------------------------------------------------

def current_code(secret, ahead=0):
    # ``ahead`` 1 is still inside the window, and later than a code used just before.
    return totp.code_at(secret, totp.current_step() + ahead)


def test_enrolment_pages(client, make, auth):
    staff = make.user(Role.staff)
    auth.login(staff)
    assert "开始设置" in client.get("/identity/2fa/setup").get_data(as_text=True)
    assert client.post("/identity/2fa/setup/start").status_code == 302
    page = client.get("/identity/2fa/setup").get_data(as_text=True)
    svg = re.search(r"<svg.*?</svg>", page, re.DOTALL).group(0)
    assert "style=" not in svg and "<script" not in page.split("<main")[1]
    record = queries.two_factor(staff)
    assert totp.grouped(record.secret) in page
    wrong = client.post("/identity/2fa/setup", data={"code": "12"}).get_data(as_text=True)
    assert "验证码不正确" in wrong and not services.needs_second_factor(staff)
    shown = client.post("/identity/2fa/setup", data={"code": current_code(record.secret)})
    assert shown.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<code>([0-9A-Z-]{19})</code>", shown.get_data(as_text=True))
    assert len(codes) == 10
    stored = db.session.execute(select(RecoveryCode.code_hash)).scalars().all()
    assert sum(recovery_matches(digest, codes[0]) for digest in stored) == 1
    assert "剩余恢复码 10 个" in client.get("/identity/2fa/setup").get_data(as_text=True)
    again = client.post("/identity/2fa/recovery-codes", data={"code": current_code(record.secret, 1)})
    assert len(re.findall(r"<code>([0-9A-Z-]{19})</code>", again.get_data(as_text=True))) == 10
    assert client.post("/identity/2fa/recovery-codes", data={}).status_code == 302


def test_citizens_get_no_enrolment_page(client, make, auth):
    auth.login(make.user())
    assert client.get("/identity/2fa/setup").status_code == 403


@pytest.fixture
def staff_with_2fa(make):
    staff = make.user(Role.staff, login=PHONE)
    record = services.start_enrolment(staff)
    record.confirmed_at = record.created_at
    db.session.commit()
    # The step before now, checked at the same instant: a step boundary crossed between
    # making the code and checking it would put it out of the window.
    at = time.time()
    codes = services.regenerate_recovery_codes(
        staff, totp.code_at(record.secret, totp.current_step(at) - 1), at=at)
    db.session.commit()
    return staff, record.secret, codes


def sms_sign_in(client, outbox, next_url=None):
    client.post("/identity/code", json={"phone": PHONE, "purpose": "login"})
    path = "/identity/sms-login" + (f"?next={next_url}" if next_url else "")
    return client.post(path, data={"phone": PHONE, "code": outbox.last(PHONE), "remember": "y"})


def test_sign_in_waits_for_the_second_factor(client, outbox, staff_with_2fa):
    staff, secret, _ = staff_with_2fa
    response = sms_sign_in(client, outbox, next_url="/voting/rounds")
    assert response.headers["Location"] == "/identity/2fa"
    with client.session_transaction() as session:
        assert "_user_id" not in session and session[login_flow.PENDING]["user_id"] == staff.id
    # Halfway through, the staff pages are still closed.
    assert "/auth/login" in client.get("/voting/rounds").headers["Location"]
    assert "当前显示的 6 位验证码" in client.get("/identity/2fa").get_data(as_text=True)
    done = client.post("/identity/2fa", data={"code": current_code(secret)})
    assert done.status_code == 302 and done.headers["Location"] == "/voting/rounds"
    assert signed_in_as(client) == str(staff.id)
    with client.session_transaction() as session:
        assert login_flow.PENDING not in session
    assert "remember_token" in {cookie.key for cookie in client._cookies.values()}


def test_a_recovery_code_signs_in_and_says_how_many_are_left(client, outbox, staff_with_2fa):
    staff, _, codes = staff_with_2fa
    sms_sign_in(client, outbox)
    done = client.post("/identity/2fa", data={"code": codes[0]}, follow_redirects=True)
    assert ("已使用一个恢复码，还剩 9 个" in done.get_data(as_text=True)
            and signed_in_as(client) == str(staff.id))


def test_five_wrong_codes_end_the_pending_sign_in(client, outbox, staff_with_2fa):
    sms_sign_in(client, outbox)
    for _ in range(4):
        page = client.post("/identity/2fa", data={"code": "AAAA-BBBB"}).get_data(as_text=True)
        assert "验证码或恢复码不正确" in page
    last = client.post("/identity/2fa", data={"code": "AAAA-BBBB"})
    assert last.headers["Location"] == "/auth/login" and signed_in_as(client) is None
    assert "/auth/login" in client.get("/identity/2fa").headers["Location"]


def test_a_pending_sign_in_expires(client, outbox, staff_with_2fa):
    _, secret, _ = staff_with_2fa
    sms_sign_in(client, outbox)
    with client.session_transaction() as session:
        session[login_flow.PENDING] = {**session[login_flow.PENDING], "since": int(time.time()) - 6 * 60}
    response = client.post("/identity/2fa", data={"code": current_code(secret)})
    assert "/auth/login" in response.headers["Location"] and signed_in_as(client) is None


def test_the_second_step_is_throttled_per_account(_app, app, outbox, staff_with_2fa):
    limited = create_app("testing", {"SQLALCHEMY_DATABASE_URI": _app.config["SQLALCHEMY_DATABASE_URI"],
                                     "RATELIMIT_ENABLED": True, "TWO_FACTOR_LIMIT": "2 per 10 minutes"})
    try:
        client = limited.test_client()
        sms_sign_in(client, outbox)
        for _ in range(2):
            assert client.post("/identity/2fa", data={"code": "AAAA-BBBB"}).status_code == 200
        assert client.post("/identity/2fa", data={"code": "AAAA-BBBB"}).status_code == 429
    finally:
        with limited.app_context():
            db.engine.dispose()


def test_the_admin_page_resets_two_factor(client, make, auth, staff_with_2fa):
    staff, _, _ = staff_with_2fa
    auth.login(make.user(Role.admin))
    page = client.get(f"/identity/admin/users/{staff.id}").get_data(as_text=True)
    assert "已启用" in page and "剩余恢复码 10 个" in page and "短信登录" not in page
    refused = client.post(f"/identity/admin/users/{staff.id}", data={"reason": ""}).get_data(as_text=True)
    assert "请填写重置原因" in refused and services.needs_second_factor(staff)
    done = client.post(f"/identity/admin/users/{staff.id}", data={"reason": "手机丢失"},
                       follow_redirects=True)
    assert "已重置" in done.get_data(as_text=True) and not services.needs_second_factor(staff)
    assert db.session.execute(select(TwoFactor)).first() is None
    assert client.get("/identity/admin/users/999999").status_code == 404


def test_production_can_require_enrolment(_app, app, make):
    strict = create_app("testing", {"SQLALCHEMY_DATABASE_URI": _app.config["SQLALCHEMY_DATABASE_URI"],
                                    "TWO_FACTOR_REQUIRED": True})
    try:
        staff, citizen = make.user(Role.staff), make.user()
        client = strict.test_client()
        client.post("/auth/login", data={"login": staff.login_name, "password": PASSWORD})
        assert client.get("/ideas/screening").headers["Location"] == "/identity/2fa/setup"
        assert client.get("/identity/2fa/setup").status_code == 200
        other = strict.test_client()
        other.post("/auth/login", data={"login": citizen.login_name, "password": PASSWORD})
        assert other.get("/ideas/mine").status_code == 200
    finally:
        with strict.app_context():
            db.engine.dispose()


def test_enrolment_steps_out_of_order(make):
    staff = make.user(Role.staff)
    with pytest.raises(Refused, match="请先开始设置两步验证"):
        services.confirm_enrolment(staff, "123456", at=AT)
    with pytest.raises(Refused, match="尚未启用两步验证"):
        services.regenerate_recovery_codes(staff, "123456", at=AT)
    with pytest.raises(Refused, match="该账号未启用两步验证"):
        services.verify_second_factor(staff, "123456", at=AT)
    first = services.start_enrolment(staff).secret
    # Starting again before confirming gives a new secret: the old QR code is worthless.
    assert services.start_enrolment(staff).secret != first
    assert db.session.execute(select(func.count()).select_from(TwoFactor)).scalar_one() == 1


def test_refusals_on_the_pages_are_told(client, make, auth, staff_with_2fa):
    staff, secret, _ = staff_with_2fa
    auth.login(staff)
    client.post("/identity/2fa", data={"code": current_code(secret)})
    again = client.post("/identity/2fa/setup/start", follow_redirects=True).get_data(as_text=True)
    assert "两步验证已启用" in again
    wrong = client.post("/identity/2fa/recovery-codes", data={"code": "AAAA"}, follow_redirects=True)
    assert "验证码不正确" in wrong.get_data(as_text=True) and queries.recovery_codes_left(staff) == 10


def test_an_admin_cannot_reset_their_own_two_factor_on_the_page(client, make, auth):
    admin = make.user(Role.admin)
    record, _ = enrolled(admin, at=time.time())
    auth.login(admin)
    client.post("/identity/2fa", data={"code": current_code(record.secret, 1)})
    page = client.post(f"/identity/admin/users/{admin.id}", data={"reason": "自己"}, follow_redirects=True)
    assert "不能重置自己的两步验证" in page.get_data(as_text=True) and services.needs_second_factor(admin)
