import pytest

from app import create_app
from app.extensions import db


@pytest.fixture
def limited_client(_app, make):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": _app.config["SQLALCHEMY_DATABASE_URI"],
                                 "RATELIMIT_ENABLED": True, "LOGIN_LIMIT_PER_ACCOUNT": "3 per 10 minutes",
                                 "LOGIN_LIMIT_PER_ADDRESS": "6 per 10 minutes"})
    yield app.test_client()
    with app.app_context():
        db.engine.dispose()


def attempt(client, login, password):
    return client.post("/auth/login", data={"login": login, "password": password})


def test_failed_logins_are_throttled_per_account(app, limited_client, make):
    make.user(login="13900001111")
    for _ in range(3):
        assert attempt(limited_client, "13900001111", "Wrong1234").status_code == 200
    blocked = attempt(limited_client, "139 0000 1111", "isle-lantern")
    assert blocked.status_code == 429 and "尝试次数过多" in blocked.get_data(as_text=True)
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
