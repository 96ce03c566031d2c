"""The 获取验证码 endpoint and fragment, 忘记密码, SMS sign-in and phone verification, through HTTP."""
import re

import pytest
from sqlalchemy import select

from app import create_app
from app.audit.models import ActionLog
from app.audit.queries import first_broken_link
from app.auth.models import Role
from app.extensions import db
from app.identity import queries
from app.identity.models import SmsCode
from app.security import CONTENT_SECURITY_POLICY
from tests.app.identity.conftest import signed_in_as
from tests.factories import PASSWORD

PHONE = "13912345678"


def ask(client, purpose, phone=PHONE, **headers):
    return client.post("/identity/code", json={"phone": phone, "purpose": purpose}, headers=headers)


def test_the_endpoint_answers_json_with_the_countdown(client, outbox):
    answer = ask(client, "register")
    assert answer.status_code == 200
    assert answer.json == {"ok": True, "message": "验证码已发送至 139****5678，5 分钟内有效。",
                           "retry_after": 60, "phone": "139****5678", "dev_code": None}
    again = ask(client, "register")
    assert again.status_code == 200 and again.json["ok"] is False and again.json["phone"] is None
    assert "秒后再重新获取" in again.json["message"] and 0 < again.json["retry_after"] <= 60


def test_bad_input_is_a_chinese_answer_not_a_crash(client):
    for body in ({"phone": "123", "purpose": "login"}, {"phone": PHONE, "purpose": "x"}, {}, ["list"]):
        answer = client.post("/identity/code", json=body)
        assert answer.status_code == 200 and answer.json["ok"] is False
    broken = client.post("/identity/code", data=b"{not json", content_type="application/json")
    assert broken.json["message"] == "请输入有效的11位中国大陆手机号码"


def test_the_page_gives_the_device_cookie_the_limit_counts(app, client, outbox, limits):
    limits(SMS_LIMIT_PER_DEVICE="1 per hour")
    cookie = client.get("/identity/sms-login").headers["Set-Cookie"]
    assert cookie.startswith("device_id=") and "HttpOnly" in cookie
    assert ask(client, "login").status_code == 200
    # Another phone from the same browser: the device limit holds.
    second = ask(client, "login", phone="13900001111")
    assert second.json["ok"] is False and "这台设备" in second.json["message"]
    assert "Set-Cookie" not in client.get("/identity/sms-login").headers


def test_a_client_without_cookies_is_one_device_by_its_user_agent(app, outbox, limits):
    limits(SMS_LIMIT_PER_DEVICE="1 per hour")
    script = app.test_client(use_cookies=False)
    assert ask(script, "login", **{"User-Agent": "bot/1.0"}).json["ok"]
    assert not ask(script, "login", phone="13900001111", **{"User-Agent": "bot/1.0"}).json["ok"]


def test_without_script_the_button_posts_the_form_and_comes_back(client, outbox):
    response = client.post("/identity/code", data={"phone": PHONE, "purpose": "reset",
                                                   "back": "/identity/reset", "password": "ignored"})
    assert response.status_code == 302 and response.headers["Location"] == f"/identity/reset?phone={PHONE}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "验证码已发送至 139****5678" in page and f'value="{PHONE}"' in page
    # A registration form names its phone field "login"; an outside address is not followed.
    back = client.post("/identity/code", data={"login": "13900002222", "purpose": "register",
                                               "back": "https://evil.example/"})
    assert back.status_code == 302 and "evil" not in back.headers["Location"]


def test_the_fragment_has_no_inline_script_and_works_by_keyboard(client):
    page = client.get("/identity/reset").get_data(as_text=True)
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", page, re.DOTALL)
    assert scripts and all(body.strip() == "" for body in scripts)
    assert 'src="/static/js/identity.js"' in page
    assert not re.search(r"\son\w+=", page) and "style=" not in page
    button = re.search(r"<button[^>]*data-sms-send[^>]*>", page).group(0)
    assert 'type="submit"' in button and 'formaction="/identity/code"' in button and 'value="reset"' in button
    assert 'aria-live="polite"' in page and 'autocomplete="one-time-code"' in page


def test_the_development_banner_shows_the_console_code(_app, app, outbox):
    dev = create_app("testing", {"SQLALCHEMY_DATABASE_URI": _app.config["SQLALCHEMY_DATABASE_URI"],
                                 "SMS_DEV_BANNER": True})
    try:
        client = dev.test_client()
        answer = ask(client, "reset")
        assert answer.json["dev_code"] == outbox.last(PHONE)
        page = client.get("/identity/reset").get_data(as_text=True)
        assert "开发模式" in page and f"<code data-sms-dev-code>{outbox.last(PHONE)}</code>" in page
    finally:
        with dev.app_context():
            db.engine.dispose()
    # Off (the default outside `make run`): no banner at all.
    assert "开发模式" not in app.test_client().get("/identity/reset").get_data(as_text=True)


def test_the_endpoint_needs_the_csrf_token(_app, app, outbox):
    guarded = create_app("testing", {"SQLALCHEMY_DATABASE_URI": _app.config["SQLALCHEMY_DATABASE_URI"],
                                     "WTF_CSRF_ENABLED": True})
    try:
        client = guarded.test_client()
        assert ask(client, "reset").status_code == 400
        page = client.get("/identity/reset").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        assert ask(client, "reset", **{"X-CSRFToken": token}).json["ok"]
    finally:
        with guarded.app_context():
            db.engine.dispose()


# --- 忘记密码 -------------------------------------------------------------------

def reset(client, code, password="mulberry-harbour-91", phone=PHONE):
    return client.post("/identity/reset", data={"phone": phone, "code": code, "password": password,
                                                "password2": password})


def test_reset_by_code(client, make, auth, outbox):
    user = make.user(login=PHONE)
    ask(client, "reset")
    response = reset(client, outbox.last())
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    assert auth.login(PHONE, "mulberry-harbour-91").status_code == 302
    assert auth.logout() and auth.login(PHONE, PASSWORD).status_code == 200
    entry = db.session.execute(select(ActionLog)
                               .where(ActionLog.action == "user.password_reset")).scalar_one()
    assert entry.target_id == user.id and entry.details == {"method": "sms"} and first_broken_link() is None
    # Receiving the code proved the number.
    assert queries.verified_phone(user) == PHONE


def test_reset_refusals_sit_at_their_fields(client, make, outbox):
    make.user(login=PHONE)
    ask(client, "reset")
    code = outbox.last()
    weak = reset(client, code, password="short")
    assert weak.status_code == 200 and 'class="field has-error"' in weak.get_data(as_text=True)
    # The password rule failed first: the code was not spent on it.
    assert db.session.execute(select(SmsCode.tries)).scalar_one() == 0
    wrong = reset(client, f"{(int(code) + 1) % 10 ** 6:06d}").get_data(as_text=True)
    assert "验证码错误，还可再试 4 次" in wrong
    assert db.session.execute(select(SmsCode.tries)).scalar_one() == 1
    assert reset(client, code).status_code == 302
    assert "该验证码已使用" in reset(client, code).get_data(as_text=True)


def test_reset_for_a_number_without_an_account_says_so_only_to_its_holder(client, outbox):
    ask(client, "reset", phone="13900009999")
    page = reset(client, outbox.last(), phone="13900009999").get_data(as_text=True)
    assert "该手机号尚未注册账号" in page


# --- 短信登录 ----------------------------------------------------------------------

def test_sms_sign_in(client, make, outbox):
    user = make.user(login=PHONE)
    ask(client, "login")
    response = client.post("/identity/sms-login?next=/ideas/mine",
                           data={"phone": PHONE, "code": outbox.last()})
    assert response.status_code == 302 and response.headers["Location"] == "/ideas/mine"
    assert signed_in_as(client) == str(user.id)
    assert db.session.execute(select(ActionLog.details)
                              .where(ActionLog.action == "user.login")).scalar_one() == {"method": "sms"}


def test_sms_sign_in_refusals(client, make, outbox):
    disabled = make.user(login="13900003333")
    disabled.is_active = False
    db.session.commit()
    ask(client, "login", phone="13900003333")
    page = client.post("/identity/sms-login", data={"phone": "13900003333", "code": outbox.last()})
    assert "该账号已停用" in page.get_data(as_text=True) and signed_in_as(client) is None
    page = client.post("/identity/sms-login", data={"phone": "abc", "code": "123456"}).get_data(as_text=True)
    assert "请输入有效的11位中国大陆手机号码" in page
    page = client.post("/identity/sms-login", data={"phone": PHONE, "code": "123456"}).get_data(as_text=True)
    assert "请先获取验证码" in page


def test_a_reset_code_does_not_sign_in(client, make, outbox):
    make.user(login=PHONE)
    ask(client, "reset")
    page = client.post("/identity/sms-login",
                       data={"phone": PHONE, "code": outbox.last()}).get_data(as_text=True)
    assert "请先获取验证码" in page and signed_in_as(client) is None


# --- 验证手机号 -------------------------------------------------------------------

def test_an_email_account_verifies_a_phone(client, make, auth, outbox):
    user = make.user(login="someone@example.com")
    auth.login(user)
    assert "参加公众投票须先验证手机号" in client.get("/identity/phone").get_data(as_text=True)
    ask(client, "verify")
    response = client.post("/identity/phone", data={"phone": PHONE, "code": outbox.last()})
    assert response.status_code == 302 and queries.is_phone_verified(user)
    assert "已验证手机号 139****5678" in client.get("/identity/phone").get_data(as_text=True)


def test_one_account_per_verified_phone(client, make, auth, outbox):
    make.user(login=PHONE)
    other = make.user(login="other@example.com")
    auth.login(other)
    ask(client, "verify")
    page = client.post("/identity/phone", data={"phone": PHONE, "code": outbox.last()}).get_data(as_text=True)
    assert "该手机号已被其他账号使用" in page and not queries.is_phone_verified(other)


def test_a_mobile_account_verifies_its_own_number(client, make, auth, outbox):
    user = make.user(Role.citizen, login=PHONE)
    auth.login(user)
    assert f'value="{PHONE}"' in client.get("/identity/phone").get_data(as_text=True)
    ask(client, "verify", phone="13900004444")
    page = client.post("/identity/phone", data={"phone": "13900004444", "code": outbox.last("13900004444")})
    assert "请验证注册时使用的手机号" in page.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/identity/reset", "/identity/sms-login"])
def test_pages_render(client, path):
    page = client.get(path)
    assert page.status_code == 200 and "获取验证码" in page.get_data(as_text=True)


def test_without_script_a_refusal_comes_back_as_a_message(client):
    response = client.post("/identity/code",
                           data={"phone": "123", "purpose": "reset", "back": "/identity/reset"})
    assert response.headers["Location"] == "/identity/reset"
    assert "请输入有效的11位中国大陆手机号码" in client.get("/identity/reset").get_data(as_text=True)


def test_a_verified_phone_can_be_changed_but_not_to_anothers(client, make, auth, outbox, limits):
    limits(SMS_COOLDOWN_SECONDS=0)
    first, second = make.user(login="a@example.com"), make.user(login="b@example.com")
    auth.login(first)
    for n, number in enumerate(("13900005555", "13900006666")):
        ask(client, "verify", phone=number)
        client.post("/identity/phone", data={"phone": number, "code": outbox.last(number)})
        assert queries.verified_phone(first) == number, n
    auth.logout()
    auth.login(second)
    ask(client, "verify", phone="13900006666")
    page = client.post("/identity/phone", data={"phone": "13900006666", "code": outbox.last("13900006666")})
    assert "该手机号已被其他账号使用" in page.get_data(as_text=True)
