"""Wrong passwords cost a growing wait, for every login alike, instead of a
lock-out; a temporary password set by an admin must be replaced at sign-in."""
from datetime import timedelta

import pytest

from app.auth import services
from app.auth.models import LoginFailure, Role
from app.extensions import db
from app.timeutil import now
from tests.factories import PASSWORD


def test_the_wait_doubles_after_the_free_tries_and_is_capped(app):
    config = {"LOGIN_FREE_FAILURES": 3, "LOGIN_DELAY_MAX_SECONDS": 900}
    assert [services.failure_delay(n, config) for n in range(1, 8)] == [0, 0, 0, 2, 4, 8, 16]
    assert services.failure_delay(40, config) == 900


def test_the_wait_runs_out_on_a_fixed_clock(app):
    config = {"LOGIN_FREE_FAILURES": 1, "LOGIN_DELAY_MAX_SECONDS": 900}
    start = now()
    for _ in range(3):
        services.note_failed_login("13900001111", start)
    db.session.commit()
    assert services.login_wait("13900001111", config, start) == 4
    assert services.login_wait("13900001111", config, start + timedelta(seconds=3)) == 1
    assert services.login_wait("13900001111", config, start + timedelta(seconds=4)) == 0
    # Another login is not touched.
    assert services.login_wait("13900002222", config, start) == 0


def test_a_login_without_an_account_waits_just_the_same(app_with):
    client = app_with(LOGIN_FREE_FAILURES=1).test_client()
    for login in ("13900001111", "13900009999"):
        for _ in range(2):
            client.post("/auth/login", data={"login": login, "password": "Wrong1234"})
    known = client.post("/auth/login", data={"login": "13900001111", "password": "Wrong1234"})
    unknown = client.post("/auth/login", data={"login": "13900009999", "password": "Wrong1234"})
    assert known.status_code == unknown.status_code == 429


def test_while_waiting_the_password_is_not_even_checked_and_a_sign_in_forgives(app_with, make):
    user = make.user(login="13900001111")
    client = app_with(LOGIN_FREE_FAILURES=0).test_client()
    client.post("/auth/login", data={"login": "13900001111", "password": "Wrong1234"})
    # The right password during the wait is refused as well, and counts nothing.
    assert client.post("/auth/login", data={"login": "13900001111", "password": PASSWORD}).status_code == 429
    row = db.session.execute(db.select(LoginFailure)).scalar_one()
    assert row.failures == 1 and "13900001111" not in row.login_hash
    row.last_failed_at -= timedelta(seconds=3)
    db.session.commit()
    assert client.post("/auth/login", data={"login": "13900001111", "password": PASSWORD}).status_code == 302
    db.session.expire_all()
    assert db.session.execute(db.select(LoginFailure)).first() is None
    assert db.session.get(type(user), user.id).last_login_at is not None


def test_a_temporary_password_must_be_replaced_first(client, auth, make):
    from app.admin.services import set_temporary_password

    admin, user = make.user(Role.admin, login="admin@example.com"), make.user()
    temporary = set_temporary_password(admin, user)
    db.session.commit()
    assert auth.login(user, temporary).status_code == 302
    response = client.get("/ideas/mine")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/password")
    new = "lanterns-over-the-river-2"
    done = client.post("/auth/password",
                       data={"current_password": temporary, "password": new, "password2": new})
    assert done.status_code == 302
    assert client.get("/ideas/mine").status_code == 200
    assert db.session.get(type(user), user.id).must_change_password is False


@pytest.mark.postgres_only
def test_wrong_passwords_at_once_are_all_counted(app, make):
    from tests.concurrency import in_parallel

    make.user(login="13900001111")
    in_parallel(app, lambda c: c.post("/auth/login", data={"login": "13900001111", "password": "Wrong1234"}))
    assert db.session.execute(db.select(LoginFailure.failures)).scalar_one() == 4
