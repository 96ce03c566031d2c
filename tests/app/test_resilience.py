"""The database drops every connection of the site between two requests (what a
PostgreSQL restart does): no GET answers 500, and no acknowledged idea is lost; a database
that stays down gets a 503 page with Retry-After."""
import uuid

import pytest
from sqlalchemy import func, select, text

from app.extensions import db
from ideas.models import Idea
from tests.factories import IDEA_FIELDS, PASSWORD

SITE = "resilience-site"
PAGES = ("/", "/gongshi", "/winners", "/api/v1/stats", "/ideas/mine", "/notifications/")


def site_with(app_with, pre_ping):
    # Named, so only the site's connections are ended, not those of the tests' own session.
    return app_with(SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": pre_ping,
                                               "connect_args": {"application_name": SITE}})


def drop_connections():
    """Ends every backend of the site, as a server restart would."""
    ended = db.session.scalars(text(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = :site"),
        {"site": SITE}).all()
    db.session.commit()
    return len(ended)


def signed_in(site, user):
    client = site.test_client()
    client.post("/auth/login", data={"login": user.login_name, "password": PASSWORD})
    return client


@pytest.mark.postgres_only
@pytest.mark.parametrize("pre_ping", [True, False], ids=["pre-ping", "retry"])
def test_no_page_fails_after_the_connections_are_dropped(app_with, make, pre_ping):
    # Without pre-ping the first query of each request meets the dead connection: the retry answers.
    site = site_with(app_with, pre_ping)
    make.campaign()
    client = signed_in(site, make.user())
    for path in PAGES:
        assert client.get(path).status_code == 200, path
    assert drop_connections() >= 1
    for path in PAGES:
        assert client.get(path).status_code == 200, path


@pytest.mark.postgres_only
def test_a_submission_that_met_a_dropped_connection_is_refused_then_kept_once(app_with, make):
    site = site_with(app_with, pre_ping=False)
    campaign = make.campaign()
    client = signed_in(site, make.user())
    data = {**IDEA_FIELDS, "theme": "parks", "submission_token": uuid.uuid4().hex, "submit": "提交建议"}
    assert client.get("/ideas/new").status_code == 200
    assert drop_connections() >= 1
    refused = client.post("/ideas/new", data=data)
    assert refused.status_code == 503 and refused.headers["Retry-After"]
    assert "系统繁忙" in refused.get_data(as_text=True)
    assert client.post("/ideas/new", data=data).status_code == 302
    # The browser sends the same form again: still one idea.
    client.post("/ideas/new", data=data)
    assert db.session.scalar(select(func.count(Idea.id)).where(Idea.campaign_id == campaign.id)) == 1


def test_a_database_that_stays_down_gets_a_503_page_not_a_500(app_with):
    # Nothing listens on port 1: every connection is refused, the retry too.
    site = app_with(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://postgres@127.0.0.1:1/none")
    response = site.test_client().get("/")
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert "数据库暂时不可用" in response.get_data(as_text=True)
