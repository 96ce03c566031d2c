"""Rate limits (Flask-Limiter): failed logins and password changes, registrations,
similar-ideas look-ups and idea submissions, and the address they are counted
by behind a proxy."""
import re
import uuid

import pytest

from app.auth.models import User
from app.extensions import db
from ideas.models import Idea
from tests.factories import IDEA_FIELDS


@pytest.fixture
def limited_client(app_with):
    return app_with(RATELIMIT_ENABLED=True, LOGIN_FREE_FAILURES=2,
                    LOGIN_LIMIT_PER_ADDRESS="6 per 10 minutes").test_client()


def attempt(client, login, password):
    return client.post("/auth/login", data={"login": login, "password": password})


def test_failed_logins_make_the_account_wait(app, limited_client, make):
    make.user(login="13900001111")
    for _ in range(3):
        assert attempt(limited_client, "13900001111", "Wrong1234").status_code == 200
    blocked = attempt(limited_client, "139 0000 1111", "isle-lantern")
    assert blocked.status_code == 429 and "尝试次数过多" in blocked.get_data(as_text=True)
    assert re.search(r"请 [12] 秒后再试密码", blocked.get_data(as_text=True))
    # Another account from the same address is still let in.
    make.user(login="13900002222")
    assert attempt(limited_client, "13900002222", "isle-lantern").status_code == 302


def test_failed_logins_are_throttled_per_address(app, limited_client, make):
    for n in range(6):
        assert attempt(limited_client, f"1390000{n:04d}", "Wrong1234").status_code == 200
    make.user(login="13900009999")
    assert attempt(limited_client, "13900009999", "isle-lantern").status_code == 429


def test_successful_logins_do_not_count(app, limited_client, make):
    make.user(login="13900001111")
    for _ in range(5):
        assert attempt(limited_client, "13900001111", "isle-lantern").status_code == 302
        limited_client.post("/auth/logout")


def test_guesses_at_the_current_password_are_throttled(app_with, make):
    client = app_with(RATELIMIT_ENABLED=True, PASSWORD_CHANGE_LIMIT="3 per 10 minutes").test_client()
    user = make.user()
    assert attempt(client, user.login_name, "isle-lantern").status_code == 302
    new = "lanterns-over-the-river-2"
    for guess in ("guess-one-1", "guess-two-2", "guess-three-3"):
        data = {"current_password": guess, "password": new, "password2": new}
        response = client.post("/auth/password", data=data)
        assert response.status_code == 200 and "当前密码不正确" in response.get_data(as_text=True)
    right = client.post("/auth/password", data={"current_password": "isle-lantern", "password": new,
                                                "password2": new})
    assert right.status_code == 429


# --- Registration: per device and per address (finding 5) ------------------------------------

@pytest.fixture
def register_app(app_with):
    return app_with(RATELIMIT_ENABLED=True, REGISTER_LIMIT_PER_DEVICE="2 per day",
                    REGISTER_LIMIT_PER_ADDRESS="4 per hour")


def register(client, n, **kw):
    # E-mail logins: the limits are the same, and no SMS code gets in the way.
    data = {"login": f"citizen{n}@example.com", "password": "isle-lantern", "password2": "isle-lantern",
            "consent": "y"}
    return client.post("/auth/register", data=data, **kw)


def browser_of(app, **kw):
    """A browser that opened the register page, so it holds a device cookie."""
    client = app.test_client()
    client.get("/auth/register", **kw)
    assert client.get_cookie("device") is not None
    return client


def test_registrations_are_throttled_per_device(app, register_app):
    device = browser_of(register_app)
    assert [register(device, n).status_code for n in range(2)] == [302, 302]
    blocked = register(device, 2)
    assert blocked.status_code == 429 and "这台设备注册的账号太多" in blocked.get_data(as_text=True)
    # Another phone on the same network may still register.
    assert register(browser_of(register_app), 3).status_code == 302
    assert db.session.query(User).count() == 3


def test_registrations_are_throttled_per_address(app, register_app):
    assert [register(browser_of(register_app), n).status_code for n in range(4)] == [302] * 4
    blocked = register(browser_of(register_app), 4)
    assert blocked.status_code == 429 and "这个网络注册的账号太多" in blocked.get_data(as_text=True)
    elsewhere = {"environ_base": {"REMOTE_ADDR": "10.20.30.40"}}
    assert register(browser_of(register_app, **elsewhere), 5, **elsewhere).status_code == 302


def test_clients_that_drop_the_device_cookie_count_as_one_device(app, register_app):
    assert [register(register_app.test_client(), n).status_code for n in range(2)] == [302, 302]
    assert register(register_app.test_client(), 2).status_code == 429


def test_refused_forms_do_not_use_up_the_budget(app, register_app):
    device = browser_of(register_app)
    for n in range(3):
        assert device.post("/auth/register", data={"login": f"citizen{n}@example.com", "password": "short"}
                           ).status_code == 200
    assert register(device, 9).status_code == 302


# --- Behind a proxy: trust exactly the configured hops (finding 6) --------------------------

def failed_login_from(client, login, forwarded_for, remote="127.0.0.1"):
    return client.post("/auth/login", data={"login": login, "password": "Wrong1234"},
                       headers={"X-Forwarded-For": forwarded_for}, environ_base={"REMOTE_ADDR": remote})


def test_behind_one_proxy_the_client_address_keys_the_limits(app_with):
    client = app_with(RATELIMIT_ENABLED=True, PROXY_HOPS=1, LOGIN_LIMIT_PER_ADDRESS="2 per 10 minutes"
                      ).test_client()
    for n in range(2):
        assert failed_login_from(client, f"1390000{n:04d}", "203.0.113.5").status_code == 200
    # The same client, whatever it writes in front of what the proxy appended.
    assert failed_login_from(client, "13900000007", "198.51.100.1, 203.0.113.5").status_code == 429
    # Another client behind the same proxy is not locked out.
    assert failed_login_from(client, "13900000008", "203.0.113.6").status_code == 200


def test_without_a_proxy_a_forged_forwarded_for_is_ignored(app_with):
    client = app_with(RATELIMIT_ENABLED=True, PROXY_HOPS=0, LOGIN_LIMIT_PER_ADDRESS="2 per 10 minutes"
                      ).test_client()
    for n in range(2):
        assert failed_login_from(client, f"1390000{n:04d}", f"203.0.113.{n}", "10.0.0.1").status_code == 200
    assert failed_login_from(client, "13900000007", "203.0.113.99", "10.0.0.1").status_code == 429
    assert failed_login_from(client, "13900000008", "203.0.113.99", "10.0.0.2").status_code == 200


# --- Costly endpoints: similar-ideas look-ups and idea submissions (finding 8) --------------

def look_up(client, text, **kw):
    """The similar-ideas look-up, by whichever method its route takes."""
    rule = next(r for r in client.application.url_map.iter_rules() if r.endpoint == "analysis.similar")
    if "POST" in rule.methods:
        return client.post(rule.rule, data={"text": text}, **kw)
    return client.get(rule.rule, query_string={"text": text}, **kw)


def signed_in_client(site, user, **kw):
    client = site.test_client()
    assert client.post("/auth/login", data={"login": user.login_name, "password": "isle-lantern"},
                       **kw).status_code == 302
    return client


def test_similar_lookups_are_limited_per_account_and_per_address(app_with, make):
    make.campaign()
    site = app_with(RATELIMIT_ENABLED=True, SIMILAR_LIMIT_PER_USER="3 per minute",
                    SIMILAR_LIMIT_PER_ADDRESS="5 per minute")
    first, second, third = (signed_in_client(site, make.user()) for _ in range(3))
    assert [look_up(first, "园区管委会招商").status_code for _ in range(3)] == [200] * 3
    blocked = look_up(first, "园区管委会招商")
    assert blocked.status_code == 429 and "查询太频繁" in blocked.get_data(as_text=True)
    # The address has used 3 of its 5.
    assert [look_up(second, "园区管委会招商").status_code for _ in range(2)] == [200] * 2
    assert look_up(third, "园区管委会招商").status_code == 429
    elsewhere = {"environ_base": {"REMOTE_ADDR": "10.20.30.40"}}
    assert look_up(signed_in_client(site, make.user(), **elsewhere), "园区", **elsewhere).status_code == 200


def test_the_similar_lookup_refuses_oversized_text(client, auth, make):
    make.campaign()
    auth.login(make.user())
    assert look_up(client, "长" * 2000).status_code == 200
    response = look_up(client, "长" * 2500)
    assert response.status_code == 413 and "查询的文字太长" in response.get_data(as_text=True)


def submit_idea(client, **fields):
    data = {**IDEA_FIELDS, "theme": "parks", "submission_token": uuid.uuid4().hex, "submit": "1", **fields}
    return client.post("/ideas/new", data=data)


def test_idea_submissions_are_limited_per_account_and_per_address(app_with, make):
    make.campaign()
    site = app_with(RATELIMIT_ENABLED=True, IDEA_LIMIT_PER_USER="2 per 10 minutes",
                    IDEA_LIMIT_PER_ADDRESS="3 per 10 minutes")
    first, second = signed_in_client(site, make.user()), signed_in_client(site, make.user())
    # A form sent back with an error does not count.
    assert submit_idea(first, title="短").status_code == 200
    assert [submit_idea(first).status_code for _ in range(2)] == [302, 302]
    blocked = submit_idea(first)
    assert blocked.status_code == 429 and "提交太频繁" in blocked.get_data(as_text=True)
    assert submit_idea(second).status_code == 302
    assert submit_idea(second).status_code == 429
    assert db.session.query(Idea).count() == 3
