"""The building blocks in use: the password login goes through the second
factor, a throttled account can still come in by SMS, and the pages link to
the SMS ways in."""
from app.auth.models import Role
from tests.app.identity.conftest import signed_in_as
from tests.app.identity.test_two_factor import PHONE, current_code, staff_with_2fa  # noqa: F401 (fixture)
from tests.factories import PASSWORD


def test_the_password_login_asks_enrolled_staff_for_the_second_factor(client, staff_with_2fa):  # noqa: F811
    staff, secret, _ = staff_with_2fa
    response = client.post("/auth/login?next=/voting/rounds", data={"login": PHONE, "password": PASSWORD})
    assert response.headers["Location"] == "/identity/2fa" and signed_in_as(client) is None
    done = client.post("/identity/2fa", data={"code": current_code(secret)})
    assert done.headers["Location"] == "/voting/rounds" and signed_in_as(client) == str(staff.id)


def test_a_citizen_goes_straight_in(client, make):
    citizen = make.user()
    response = client.post("/auth/login", data={"login": citizen.mobile, "password": PASSWORD})
    assert response.headers["Location"] == "/" and signed_in_as(client) == str(citizen.id)


def test_the_login_page_links_to_sms_sign_in_and_reset(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert "/identity/sms-login" in page and "/identity/reset" in page and "忘记密码" in page


def test_guessing_at_a_password_cannot_lock_the_owner_out(app_with, outbox):
    site = app_with(RATELIMIT_ENABLED=True, LOGIN_FREE_FAILURES=2)
    from tests.factories import Factories

    owner = Factories().user(login="13900001111")
    attacker, holder = site.test_client(), site.test_client()
    for _ in range(3):
        attacker.post("/auth/login", data={"login": "13900001111", "password": "Wrong1234"})
    locked = holder.post("/auth/login", data={"login": "139 0000 1111", "password": PASSWORD})
    page = locked.get_data(as_text=True)
    assert locked.status_code == 429 and "尝试次数过多" in page
    assert "/identity/sms-login?phone=13900001111" in page
    # The holder of the phone signs in with a code all the same.
    holder.post("/identity/code", json={"phone": "13900001111", "purpose": "login"})
    response = holder.post("/identity/sms-login",
                           data={"phone": "13900001111", "code": outbox.last("13900001111")})
    assert response.status_code == 302 and signed_in_as(holder) == str(owner.id)


def test_an_e_mail_account_that_is_locked_gets_no_sms_link(app_with, make):
    site = app_with(RATELIMIT_ENABLED=True, LOGIN_FREE_FAILURES=0)
    make.user(Role.staff, login="staff@example.com")
    client = site.test_client()
    client.post("/auth/login", data={"login": "staff@example.com", "password": "Wrong1234"})
    page = client.post("/auth/login",
                       data={"login": "staff@example.com", "password": PASSWORD}).get_data(as_text=True)
    assert "尝试次数过多" in page and "sms-login" not in page
