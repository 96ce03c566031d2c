"""Every session has a row: it ends after the idle time-out and the absolute
lifetime, and the account can see its sessions and end one or all others."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth import queries, services
from app.auth.models import UserSession
from app.extensions import db
from app.timeutil import now
from tests.factories import PASSWORD

MOBILE = ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36"
          " MicroMessenger/8.0")


@pytest.fixture
def site(app_with):
    """An app of its own: each request loads its user afresh, as in a real server."""
    return app_with()


def signed_in(site, user, agent="TestBrowser/1.0"):
    client = site.test_client()
    assert client.post("/auth/login", data={"login": user.login_name, "password": PASSWORD},
                       headers={"User-Agent": agent}).status_code == 302
    return client


def is_signed_in(client):
    return client.get("/ideas/mine").status_code == 200


def only_row():
    db.session.expire_all()  # as the requests left it
    return db.session.execute(select(UserSession)).scalar_one()


def test_a_login_makes_a_row_with_a_digest_of_the_nonce_and_a_short_device_name(app, site, make):
    user = make.user()
    client = signed_in(site, user, MOBILE)
    row = only_row()
    with client.session_transaction() as session:
        nonce = session["_user_id"].split(".")[2]
    assert (row.user_id == user.id and row.nonce_hash == queries.nonce_hash(nonce)
            and nonce not in row.nonce_hash)
    assert row.device == "Android · 微信" and row.address == "127.0.0.1" and row.ended_at is None


def test_an_idle_session_ends(app, site, make):
    client = signed_in(site, make.user())
    row = only_row()
    row.last_seen_at = now() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] - 1)
    db.session.commit()
    # Still inside the idle time: the request counts as activity.
    assert is_signed_in(client) and only_row().last_seen_at >= now() - timedelta(seconds=5)
    only_row().last_seen_at = now() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"], seconds=1)
    db.session.commit()
    assert not is_signed_in(client)


def test_a_session_ends_at_its_lifetime_however_busy(app, site, make):
    client = signed_in(site, make.user())
    only_row().created_at = now() - timedelta(hours=app.config["SESSION_LIFETIME_HOURS"], seconds=1)
    db.session.commit()
    assert not is_signed_in(client)


def test_the_remember_cookie_does_not_outlive_the_session(app, site, make):
    user = make.user()
    client = site.test_client()
    client.post("/auth/login", data={"login": user.login_name, "password": PASSWORD, "remember": "y"})
    only_row().last_seen_at = now() - timedelta(hours=1)
    db.session.commit()
    with client.session_transaction() as session:
        session.clear()  # the browser was closed; only the remember cookie is left
    assert not is_signed_in(client)


def test_the_list_shows_the_sessions_and_ends_one(app, site, make):
    user = make.user()
    phone = signed_in(site, user, MOBILE)
    laptop = signed_in(site, user, "Mozilla/5.0 (Windows NT 10.0) Firefox/121.0")
    page = laptop.get("/auth/sessions").get_data(as_text=True)
    assert "Android · 微信" in page and "Windows · Firefox" in page and "当前设备" in page
    phone_row = db.session.execute(select(UserSession)
                                   .where(UserSession.device == "Android · 微信")).scalar_one()
    laptop.post("/auth/sessions/end", data={"session_id": phone_row.id})
    assert not is_signed_in(phone) and is_signed_in(laptop)
    assert "Android · 微信" not in laptop.get("/auth/sessions").get_data(as_text=True)


def test_nobody_ends_someone_elses_session(app, site, make):
    owner, other = make.user(), make.user()
    owned = signed_in(site, owner)
    row = only_row()
    intruder = signed_in(site, other)
    answer = intruder.post("/auth/sessions/end", data={"session_id": row.id}, follow_redirects=True)
    assert "该设备的登录已经结束" in answer.get_data(as_text=True) and is_signed_in(owned)
    assert not services.end_session(other, row.id)


def test_sign_out_everywhere_else(app, site, make):
    user = make.user()
    first, second, here = (signed_in(site, user) for _ in range(3))
    assert here.post("/auth/sessions/end-others").status_code == 302
    assert not is_signed_in(first) and not is_signed_in(second) and is_signed_in(here)
    live = queries.live_sessions(user, app.config, now())
    assert len(live) == 1


def test_logout_ends_the_rows_too(app, site, make):
    user = make.user()
    client, other = signed_in(site, user), signed_in(site, user)
    client.post("/auth/logout")
    assert queries.live_sessions(user, app.config, now()) == [] and not is_signed_in(other)
