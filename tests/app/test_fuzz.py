"""Random, huge, empty and hostile input at every form and JSON endpoint:
never a 500, and markup is always shown escaped."""
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.auth.models import Role
from ideas.models import IdeaStatus

HOSTILE = st.sampled_from([
    "<script>alert(1)</script>", "'; DROP TABLE ideas; --", "\" OR 1=1 --", "=cmd|' /C calc'!A0",
    "\x00\x01\x1f", "\u202e\u200b", "😀" * 50, "　" * 30, "<img src=x onerror=alert(1)>", "%s%n", "../../etc/passwd",
])
TEXT = st.one_of(st.text(max_size=300), HOSTILE, st.text(min_size=3000, max_size=5000), st.just(""))
FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])


def assert_no_crash(response):
    assert response.status_code < 500, response.status_code
    assert "Traceback" not in response.get_data(as_text=True)


@FUZZ
@given(login=TEXT, password=TEXT, name=TEXT)
def test_register_and_login_forms(client, login, password, name):
    assert_no_crash(client.post("/auth/register", data={"login": login, "password": password,
                                                        "password2": password, "real_name": name}))
    client.post("/auth/logout")
    assert_no_crash(client.post("/auth/login", data={"login": login, "password": password}))


@pytest.fixture
def citizen(make, auth):
    make.campaign()
    user = make.user()
    auth.login(user)
    return user


@FUZZ
@given(title=TEXT, problem=TEXT, suggestion=TEXT, benefit=TEXT, region=TEXT, phone=TEXT, theme=TEXT,
       draft=st.booleans())
def test_idea_form(client, citizen, title, problem, suggestion, benefit, region, phone, theme, draft):
    data = {"title": title, "problem": problem, "suggestion": suggestion, "benefit": benefit, "region": region,
            "contact_phone": phone, "theme": theme, "submission_token": uuid.uuid4().hex,
            "save_draft" if draft else "submit": "1"}
    response = client.post("/ideas/new", data=data)
    assert_no_crash(response)
    if response.status_code == 302:
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page and "<img src=x" not in page


def test_hostile_idea_text_is_shown_escaped_everywhere(client, make, auth):
    make.campaign()
    author = make.user()
    staff = make.user(Role.staff)
    idea = make.idea(author=author, title="<script>alert(1)</script>标题", status=IdeaStatus.submitted,
                     problem="<img src=x onerror=alert(1)> 这是一段足够长的问题描述文字，满足最少字数的要求。")
    for user, path in ((author, f"/ideas/{idea.id}"), (author, "/ideas/mine"), (staff, "/ideas/screening"),
                       (staff, f"/ideas/{idea.id}"), (None, f"/ideas/track/{idea.tracking_code}")):
        if user:
            auth.login(user)
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
        if user:
            auth.logout()


@pytest.fixture
def staff(make, auth):
    make.campaign()
    make.idea()
    user = make.user(Role.staff)
    auth.login(user)
    return user


@FUZZ
@given(q=TEXT, status=TEXT, theme=TEXT, region=TEXT, date_from=TEXT, page=TEXT)
def test_screening_filters(client, staff, q, status, theme, region, date_from, page):
    params = {"q": q, "status": status, "theme": theme, "region": region, "date_from": date_from, "page": page}
    assert_no_crash(client.get("/ideas/screening", query_string=params))
    assert_no_crash(client.get("/ideas/export.csv", query_string=params))


@FUZZ
@given(text=TEXT, code=TEXT)
def test_json_and_lookup_endpoints(client, citizen, text, code):
    response = client.get("/analysis/similar", query_string={"text": text})
    assert_no_crash(response)
    assert response.is_json
    assert_no_crash(client.get("/ideas/track", query_string={"code": code}))
    assert_no_crash(client.get(f"/ideas/track/{code.replace('/', '')}" if code.replace("/", "") else "/ideas/track"))


def test_oversized_request_is_refused_politely(client, citizen):
    response = client.post("/ideas/new", data={"problem": "长" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "提交的内容过大" in response.get_data(as_text=True)
