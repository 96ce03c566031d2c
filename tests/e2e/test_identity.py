"""The 获取验证码 button in a real browser on a phone: the code is sent without
leaving the page, the button counts down, the code field gets the focus, and
the code typed signs the citizen in."""
import logging
import re

from app.identity import sms

PHONE = "13912345678"


def test_sms_sign_in_on_a_phone(phone, make, caplog):
    caplog.set_level(logging.WARNING, logger=sms.__name__)
    make.user(login=PHONE)
    page = phone.page
    phone.goto("/identity/sms-login")
    assert phone.fits_the_screen()
    page.fill("#phone", PHONE)
    page.click("button[data-sms-send]")
    status = page.locator("[data-sms-status]")
    status.filter(has_text="验证码已发送至 139****5678").wait_for()
    button = page.locator("button[data-sms-send]")
    assert button.is_disabled() and re.fullmatch(r"\d+ 秒后重新获取", button.inner_text())
    assert page.evaluate("document.activeElement.id") == "code"
    phone.shot("code-sent")
    code = next(r.args[2] for r in caplog.records if r.name == sms.__name__ and r.args[0] == PHONE)
    page.fill("#code", code)
    page.click("main button.primary")
    page.wait_for_url(lambda url: "/identity/sms-login" not in url)
    assert "登录成功" in page.content() and page.locator("button:has-text('退出')").count() == 1
    phone.shot("signed-in")


def test_a_refused_send_is_told_at_the_field(phone):
    page = phone.page
    phone.goto("/identity/reset")
    page.fill("#phone", "12345")
    page.click("button[data-sms-send]")
    page.locator("[data-sms-status].error").filter(has_text="请输入有效的11位中国大陆手机号码").wait_for()
    assert not page.locator("button[data-sms-send]").is_disabled()
    phone.shot("refused")


def test_staff_enrol_in_two_factor_on_a_phone(phone, make):
    from app.auth.models import Role
    from app.identity import totp

    staff = make.user(Role.staff, login="staff-2fa@example.com")
    page = phone.page
    phone.log_in(staff)
    phone.goto("/identity/2fa/setup")
    page.click("main button.primary")
    page.locator(".qr svg").wait_for()
    assert phone.fits_the_screen()
    phone.shot("qr")
    secret = page.inner_text("code.totp-secret").replace(" ", "")
    page.fill("#code", totp.code_at(secret, totp.current_step()))
    page.click("main button.primary")
    page.locator(".recovery-codes li").nth(9).wait_for()
    assert page.locator(".recovery-codes li").count() == 10 and phone.fits_the_screen()
    phone.shot("recovery-codes")
