"""Random, huge, empty and hostile input at every form and JSON endpoint:
never a 500, and markup is always shown escaped."""
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.auth.models import Role
from ideas.models import IdeaStatus
from tests.app import test_access_matrix as matrix
from tests.app.conftest import url_for_rule

HOSTILE = st.sampled_from([
    "<script>alert(1)</script>", "'; DROP TABLE ideas; --", "\" OR 1=1 --", "=cmd|' /C calc'!A0",
    "\x00\x01\x1f", "\u202e\u200b", "😀" * 50, "　" * 30, "<img src=x onerror=alert(1)>", "%s%n", "../../etc/passwd",
])
# A huge value repeats a short random piece: drawing 5,000 characters one by one
# for seven fields overruns hypothesis' data budget (HealthCheck.data_too_large).
HUGE = st.builds(lambda piece, length: (piece * length)[:length], st.text(min_size=1, max_size=20),
                 st.integers(3000, 5000))
TEXT = st.one_of(st.text(max_size=300), HOSTILE, HUGE, st.just(""))
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


FIELD_NAMES = (
    "title", "problem", "suggestion", "benefit", "region", "contact_phone", "theme", "show_name", "reason",
    "target_code", "idea_ids", "action", "login", "password", "password2", "real_name", "role", "work_unit",
    "name", "description", "keywords", "year", "submit_opens_at", "submit_closes_at", "advance_count",
    "reviewers_per_idea", "opens_at", "closes_at", "pool", "carry_over", "weight", "scale_min", "scale_max",
    "seed", "idea_code", "reviewer", "comment", "current_password", "submission_token", "q", "status",
    "intro", "ends_at", "decision", "ruling",
)
PREFIXES = ("", "accept-", "reject-", "merge-", "recuse-")
ROLE_FOR = {"STAFF": "staff", "ADMIN": "admin", "REVIEWERS": "reviewer", "OWN_ASSIGNMENT": "reviewer",
            "CITIZENS": "citizen", "OWN_DRAFT": "citizen", "SIGNED_IN": "citizen", "GUESTS": "anonymous",
            "PUBLIC": "anonymous", "WINNER": "citizen", "OWN_NOTIFICATION": "citizen"}


def _who_may_post(endpoint):
    expected = matrix.EXPECTED[endpoint]
    return next(name for name, table in vars(matrix).items()
                if isinstance(table, dict) and table is expected and name.isupper())


@settings(FUZZ, max_examples=10)
@given(value=TEXT, number=st.integers(min_value=-10**12, max_value=10**12), score=st.integers(-5, 20))
def test_every_post_form_as_its_own_role(app, client, auth, world, value, number, score):
    """Every POST route, as a visitor allowed to use it, with one hostile value in every field."""
    people, values = world
    rules = [rule for rule in app.url_map.iter_rules()
             if "POST" in rule.methods and rule.endpoint != "auth.logout"]
    data = {prefix + name: value for prefix in PREFIXES for name in FIELD_NAMES}
    data.update({"year": str(number), "advance_count": str(number), "weight": str(number), "seed": str(number),
                 **{f"c{n}": str(score) for n in range(1, 9)},
                 **{f"theme{n}-theme": value for n in range(1, 40)}})
    for rule in rules:
        role = ROLE_FOR.get(_who_may_post(rule.endpoint), "staff")
        if role != "anonymous":
            auth.login(people[role])
        response = client.post(url_for_rule(rule, values), data=data)
        response.close()
        assert response.status_code < 500, (rule.rule, role, response.status_code)
        if role != "anonymous":
            auth.logout()


def test_control_characters_never_reach_the_database(client, make, auth):
    """PostgreSQL refuses NUL in text; such characters are removed at the door."""
    from app.validators import clean_text

    assert clean_text("a\x00b\x1fc\r\nd\te\x7f") == "abc\nd\te"
    make.campaign()
    auth.login(make.user(Role.admin))
    for path in ("/admin/log?action=%00", "/ideas/track/XC%00", "/ideas/screening?q=%00x", "/ideas/track?code=%00"):
        assert_no_crash(client.get(path))
