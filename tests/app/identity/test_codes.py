"""SMS codes: stored hashed, 5 minutes, 5 tries, one live code per phone and
purpose, sends limited per phone, address and device, and answers that say
nothing about which numbers have accounts."""
from datetime import timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from app.audit.models import ActionLog
from app.errors import Refused
from app.extensions import db
from app.identity import services
from app.identity.models import CodePurpose, CodeState, SmsCode
from app.timeutil import now as clock
from tests.app.identity.conftest import T0

PHONE = "13912345678"


def send(phone=PHONE, purpose="reset", address="10.0.0.1", device="d1", at=T0):
    sent = services.send_code(phone, purpose, address, device, now=at)
    db.session.commit()
    return sent


def check(code, phone=PHONE, purpose="reset", at=T0):
    try:
        return services.check_code(phone, purpose, code, now=at)
    finally:
        db.session.commit()  # as the views do: a wrong code's try is kept


def refusal(code, **kw):
    with pytest.raises(services.CodeRefused) as caught:
        check(code, **kw)
    return caught.value.message


def test_a_code_is_six_digits_stored_only_as_a_keyed_hash(app, outbox):
    sent = send()
    code = outbox.last(PHONE)
    assert len(code) == 6 and code.isdigit()
    row = db.session.execute(select(SmsCode)).scalar_one()
    assert row.code_hash != code and len(row.code_hash) == 64 and code not in row.code_hash
    assert row.expires_at - row.sent_at == timedelta(minutes=5)
    assert sent.message == "验证码已发送至 139****5678，5 分钟内有效。" and sent.retry_after == 60


def test_the_right_code_works_once(app, outbox):
    send()
    row = check(outbox.last(), at=T0 + timedelta(minutes=4, seconds=59))
    assert row.state is CodeState.used and row.used_at == T0 + timedelta(minutes=4, seconds=59)
    assert refusal(outbox.last()) == "该验证码已使用，请重新获取"


def test_a_code_expires_after_five_minutes(app, outbox):
    send()
    assert refusal(outbox.last(), at=T0 + timedelta(minutes=5)) == "验证码已过期，请重新获取"


def test_five_wrong_tries_use_the_code_up(app, outbox):
    send()
    right = outbox.last()
    wrong = f"{(int(right) + 1) % 10 ** 6:06d}"
    messages = [refusal(wrong) for _ in range(5)]
    assert messages == ["验证码错误，还可再试 4 次", "验证码错误，还可再试 3 次", "验证码错误，还可再试 2 次",
                        "验证码错误，还可再试 1 次", "验证码错误次数已用尽，请重新获取"]
    assert refusal(right) == "验证码错误次数已用尽，请重新获取"
    assert db.session.execute(select(SmsCode.state)).scalar_one() is CodeState.spent


def test_typed_forms_of_a_code(app, outbox):
    send()
    full_width = outbox.last().translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert refusal("12345") == "请输入 6 位数字验证码"
    assert refusal("abcdef") == "请输入 6 位数字验证码"
    assert check(f" {full_width[:3]} {full_width[3:]} ").state is CodeState.used


def test_no_code_asked_for(app):
    assert refusal("123456") == "请先获取验证码"


def test_a_new_code_replaces_the_live_one_for_that_purpose_only(app, outbox):
    send(purpose="reset")
    first = outbox.last()
    send(purpose="login", at=T0 + timedelta(seconds=60))
    login_code = outbox.last()
    send(purpose="reset", at=T0 + timedelta(seconds=120))
    second = outbox.last()
    if first != second:
        assert refusal(first, at=T0 + timedelta(seconds=121)).startswith("验证码错误")
    assert check(second, at=T0 + timedelta(seconds=122)).state is CodeState.used
    assert check(login_code, purpose="login", at=T0 + timedelta(seconds=123)).state is CodeState.used
    states = db.session.execute(select(SmsCode.purpose, SmsCode.state).order_by(SmsCode.id)).all()
    assert states == [(CodePurpose.reset, CodeState.replaced), (CodePurpose.login, CodeState.used),
                      (CodePurpose.reset, CodeState.used)]


def test_the_database_refuses_a_second_live_code(app):
    send()
    row = {"phone": PHONE, "purpose": "reset", "code_hash": "0" * 64, "state": "live", "tries": 0,
           "address": "a", "device": "d", "sent_at": T0, "expires_at": T0 + timedelta(minutes=5)}
    with pytest.raises(IntegrityError):
        db.session.execute(insert(SmsCode.__table__).values(**row))
    db.session.rollback()


def test_sixty_seconds_between_sends_to_one_phone(app, outbox):
    send(purpose="register")
    with pytest.raises(services.SendRefused) as caught:
        send(purpose="reset", address="10.9.9.9", device="other", at=T0 + timedelta(seconds=59))
    assert caught.value.retry_after == 1
    assert caught.value.message == "验证码已发送，请 1 秒后再重新获取"
    db.session.rollback()
    send(purpose="reset", at=T0 + timedelta(seconds=60))
    assert len(outbox.codes(PHONE)) == 2


SHARED = {"phone": PHONE, "address": "10.0.0.100", "device": "shared-device"}


@pytest.mark.parametrize("key, shared, who", [
    ("SMS_LIMIT_PER_PHONE", "phone", "该手机号"),
    ("SMS_LIMIT_PER_ADDRESS", "address", "当前网络"),
    ("SMS_LIMIT_PER_DEVICE", "device", "这台设备"),
])
def test_sends_are_limited_per_phone_address_and_device(app, outbox, limits, key, shared, who):
    def args(n):
        # Everything differs from one send to the next except what is under test.
        return {"phone": f"1391234000{n}", "address": f"10.0.0.{n}", "device": f"d{n}",
                shared: SHARED[shared]}

    limits(**{key: "3 per hour"})
    for n in range(3):
        send(**args(n), at=T0 + timedelta(minutes=2 * n))
    with pytest.raises(services.SendRefused) as caught:
        send(**args(3), at=T0 + timedelta(minutes=10))
    db.session.rollback()
    # The oldest of the three leaves the one-hour window 50 minutes later.
    assert caught.value.message == f"{who}获取验证码次数过多，请 50 分钟后再试"
    assert caught.value.retry_after == 50 * 60
    send(**args(3), at=T0 + timedelta(hours=1, seconds=1))


def test_limits_are_counted_in_the_database_so_every_process_sees_them(app, _app, outbox, limits):
    from app import create_app

    limits(SMS_LIMIT_PER_PHONE="1 per day")
    send()
    other = create_app("testing", {"SQLALCHEMY_DATABASE_URI": _app.config["SQLALCHEMY_DATABASE_URI"],
                                   "SMS_LIMIT_PER_PHONE": "1 per day"})
    try:
        with other.app_context():
            with pytest.raises(services.SendRefused):
                services.send_code(PHONE, "reset", "10.0.0.2", "d2", now=T0 + timedelta(hours=1))
            db.session.rollback()
    finally:
        with other.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("purpose", [p.value for p in CodePurpose])
def test_the_answer_is_the_same_for_numbers_with_and_without_an_account(app, make, outbox, purpose):
    make.user(login="13911110000")
    registered = send(phone="13911110000", purpose=purpose)
    unknown = send(phone="13922220000", purpose=purpose)
    assert registered.message.replace("1111", "2222") == unknown.message
    assert (registered.minutes, registered.retry_after) == (unknown.minutes, unknown.retry_after)
    assert len(outbox.codes("13911110000")) == len(outbox.codes("13922220000")) == 1


def test_bad_phone_and_purpose(app):
    with pytest.raises(Refused, match="请输入有效的11位中国大陆手机号码"):
        services.send_code("12345", "reset", "a", "d", now=T0)
    with pytest.raises(Refused, match="无效的验证码用途"):
        services.send_code(PHONE, "everything", "a", "d", now=T0)
    assert db.session.execute(select(SmsCode)).first() is None


def test_the_console_provider_writes_the_code_to_the_log(app, outbox, caplog):
    send()
    assert f"短信验证码（未真正发送）{PHONE} 重置密码：{outbox.last()}" in caplog.text


def test_an_unlock_code_lets_the_account_in_without_its_password(app, make, outbox):
    user = make.user(login=PHONE)
    send(purpose="unlock")
    assert services.sign_in_with_code(PHONE, outbox.last(), CodePurpose.unlock, now=T0) == user
    db.session.commit()
    entry = db.session.execute(select(ActionLog).where(ActionLog.action == "user.login")).scalar_one()
    assert entry.details == {"method": "unlock"}


def test_old_code_records_are_purged(app, runner, outbox):
    send(at=T0)
    send(phone="13900001111", at=clock() - timedelta(days=1))
    refused = runner.invoke(args=["identity", "purge-codes", "--days", "0"])
    assert refused.exit_code != 0
    result = runner.invoke(args=["identity", "purge-codes", "--days", "30"])
    assert result.exit_code == 0 and "已删除 1 条" in result.output
    assert db.session.execute(select(SmsCode.phone)).scalars().all() == ["13900001111"]


def test_the_gateway_is_chosen_from_the_environment():
    from flask import Flask

    from app.identity.settings import defaults

    values = defaults(Flask(__name__), {"SMS_PROVIDER": "http", "SMS_HTTP_URL": "https://sms.example/send",
                                        "SMS_HTTP_TOKEN": "t", "SMS_HTTP_TEMPLATE_ID": "SMS_1",
                                        "TWO_FACTOR_REQUIRED": "true"})
    assert (values["SMS_PROVIDER"], values["SMS_HTTP_URL"], values["TWO_FACTOR_REQUIRED"]) == \
        ("http", "https://sms.example/send", True)
    assert defaults(Flask(__name__), {})["SMS_PROVIDER"] == "console"
