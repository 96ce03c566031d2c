"""Random, huge, empty and hostile input at every form and JSON endpoint, and in
the query string and path of every route: never a 500, and markup is always
shown escaped."""
import re
import uuid

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.auth.models import Role
from ideas.models import IdeaStatus
from tests.app import test_access_matrix as matrix
from tests.app.conftest import url_for_rule
from tests.conftest import is_postgres
from tests.factories import IDEA_FIELDS

HOSTILE = st.sampled_from([
    "<script>alert(1)</script>", "'; DROP TABLE ideas; --", "\" OR 1=1 --", "=cmd|' /C calc'!A0",
    "\x00\x01\x1f", "\u202e\u200b", "😀" * 50, "　" * 30, "<img src=x onerror=alert(1)>", "%s%n",
    "../../etc/passwd",
])
# A huge value repeats a short random piece: drawing 5,000 characters one by one
# for seven fields overruns hypothesis' data budget (HealthCheck.data_too_large).
HUGE = st.builds(lambda piece, length: (piece * length)[:length], st.text(min_size=1, max_size=20),
                 st.integers(3000, 5000))
TEXT = st.one_of(st.text(max_size=300), HOSTILE, HUGE, st.just(""))
# Past PostgreSQL's integer (2**31) and bigint, SQLite's 64 bits and a float's exact range.
NUMBERS = st.one_of(st.sampled_from([2**31, 2**31 - 1, 2**53 + 1, 2**63, 2**64, 10**30, 10**100, 0, -1,
                                     -2**63 - 1]),
                    st.integers(min_value=-10**40, max_value=10**40))
DATES = st.sampled_from(["9999-12-31", "9999-12-31T23:59", "0001-01-01T00:00", "10000-01-01", "0000-00-00",
                         "0001-01-01", "2024-02-30", "2024-13-01", "99999999-01-01", "-2024-01-01",
                         "2024-01-01T99:99", "1e308", "nan", "inf", "-0"])
FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])
# The whole-site sweeps send every form and route hundreds of requests an example. On
# PostgreSQL they run their explicit examples (its own limits: NUL, 2**31, year 99999999)
# and a third of the random ones; the SQLite pass runs them all.
SWEEP_SHARE = 3 if is_postgres() else 1


def sweep_examples(count):
    return max(2, count // SWEEP_SHARE)


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
    data = {"title": title, "problem": problem, "suggestion": suggestion, "benefit": benefit,
            "region": region,
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
                     problem="<img src=x onerror=alert(1)> "
                             "这是一段足够长的问题描述文字，满足最少字数的要求。")
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
    params = {"q": q, "status": status, "theme": theme, "region": region, "date_from": date_from,
              "page": page}
    assert_no_crash(client.get("/ideas/screening", query_string=params))
    assert_no_crash(client.get("/ideas/export.csv", query_string=params))


@FUZZ
@given(text=TEXT, code=TEXT)
def test_json_and_lookup_endpoints(client, citizen, text, code):
    response = client.post("/analysis/similar", data={"text": text})
    assert_no_crash(response)
    # Past 2,000 characters' worth of bytes the request is refused (413) before the look-up.
    assert response.is_json or response.status_code == 413
    assert_no_crash(client.get("/ideas/track", query_string={"code": code}))
    path = code.replace("/", "")
    assert_no_crash(client.get(f"/ideas/track/{path}" if path else "/ideas/track"))


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
    "intro", "ends_at", "decision", "ruling", "kind", "value", "field", "code", "public_vote",
    "avoid_same_region",
)
NUMBER_FIELDS = ("year", "advance_count", "reviewers_per_idea", "weight", "seed", "scale_min", "scale_max",
                 "votes_per_citizen", "expert_weight")
DATE_FIELDS = ("submit_opens_at", "submit_closes_at", "opens_at", "closes_at", "ends_at", "vote_opens_at",
               "vote_closes_at", "date_from", "date_to")
PREFIXES = ("", "accept-", "reject-", "merge-", "recuse-")
ROLE_FOR = {"STAFF": "staff", "ADMIN": "admin", "REVIEWERS": "reviewer", "OWN_ASSIGNMENT": "reviewer",
            "CITIZENS": "citizen", "OWN_DRAFT": "citizen", "SIGNED_IN": "citizen", "GUESTS": "anonymous",
            "PUBLIC": "anonymous", "WINNER": "citizen", "OWN_NOTIFICATION": "citizen"}


def _who_may_post(endpoint):
    expected = matrix.EXPECTED[endpoint]
    return next((name for name, table in vars(matrix).items()
                 if isinstance(table, dict) and table is expected and name.isupper()), None)


@settings(FUZZ, max_examples=sweep_examples(10))
@given(value=TEXT, number=NUMBERS, when=DATES, score=st.integers(-5, 20))
@example(value="\x00\x01\x1f", number=2**31, when="99999999-01-01", score=20)
@example(value="字" * 5000, number=-2**63 - 1, when="0001-01-01T00:00", score=-5)
def test_every_post_form_as_its_own_role(app, client, auth, world, value, number, when, score):
    """Every POST route, as a visitor allowed to use it, with one hostile value in
    every field: text, numbers past any column's range, dates past any calendar's."""
    people, values = world
    rules = [rule for rule in app.url_map.iter_rules()
             if "POST" in rule.methods and rule.endpoint != "auth.logout"]
    data = {prefix + name: value for prefix in PREFIXES for name in FIELD_NAMES}
    data.update({**dict.fromkeys(NUMBER_FIELDS, str(number)), **dict.fromkeys(DATE_FIELDS, when),
                 **{f"c{n}": str(score) for n in range(1, 9)},
                 **{f"theme{n}-theme": value for n in range(1, 40)}})
    by_role = {}
    for rule in rules:
        by_role.setdefault(ROLE_FOR.get(_who_may_post(rule.endpoint), "staff"), []).append(rule)
    for role, role_rules in by_role.items():
        if role != "anonymous":
            auth.login(people[role])
        for rule in role_rules:
            response = client.post(url_for_rule(rule, values), data=data)
            response.close()
            if role != "anonymous" and "/auth/login" in response.headers.get("Location", ""):
                # The form before ended the session (say, 退出其他设备): sign in and send again.
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
    for path in ("/admin/log?action=%00", "/ideas/track/XC%00", "/ideas/screening?q=%00x",
                 "/ideas/track?code=%00"):
        assert_no_crash(client.get(path))


# --- Query strings and path parameters of every route (finding 10) ----------------------------

QUERY_VALUE = st.one_of(NUMBERS.map(str), DATES, TEXT)
# Every name a view reads from the query string, and a few it might.
QUERY_NAMES = ("page", "year", "idea_id", "round_id", "user_id", "kind", "value", "network", "user_agent",
               "role", "action", "text", "code", "q", "status", "theme", "region", "date_from", "date_to",
               "next",
               "per_page", "id")
_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _hostile_path(rule, values, number, text):
    """The rule's URL with every number in it replaced by ``number`` and every free text by ``text``."""
    hostile = dict(values)
    for converter, name in _ARGUMENT.findall(rule.rule):
        if converter == "int":
            hostile[name] = number
        elif converter in ("", "string", "path"):
            hostile[name] = text.replace("/", "") or "x"
    return url_for_rule(rule, hostile)


@settings(FUZZ, max_examples=sweep_examples(6))
@given(value=QUERY_VALUE, number=NUMBERS, text=TEXT)
# The numbers the outside test found: past SQLite's and PostgreSQL's integers.
@example(value=str(10**30), number=2**31, text="x")
@example(value=str(2**63), number=2**63, text="9" * 30)
@example(value="99999999-01-01", number=10**100, text="XC-2024-000001")
def test_every_route_with_hostile_query_strings_and_path_parameters(app, client, auth, world, value, number,
                                                                     text):
    """Every route, as a visitor allowed to use it: a hostile value in every query
    parameter, and hostile numbers and text in its path. Never a 500 (ASVS V5.1)."""
    people, values = world
    by_role = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "auth.logout":
            by_role.setdefault(ROLE_FOR.get(_who_may_post(rule.endpoint), "staff"), []).append(rule)
    query = dict.fromkeys(QUERY_NAMES, value)
    for role, rules in by_role.items():
        if role != "anonymous":
            auth.login(people[role])
        for rule in rules:
            requests = [(method, _hostile_path(rule, values, number, text)) for method in ("GET", "POST")
                        if method in rule.methods and rule.arguments]
            if "GET" in rule.methods:
                requests.append(("GET", url_for_rule(rule, values)))
            for method, url in requests:
                response = client.open(url, method=method, query_string=query)
                response.close()
                assert response.status_code < 500, (method, url, role, value, response.status_code)
        if role != "anonymous":
            auth.logout()


def test_a_form_token_longer_than_the_column_is_refused(client, citizen):
    """PostgreSQL would refuse to store it (a 500 before); SQLite would store it."""
    data = {**IDEA_FIELDS, "theme": "parks", "submit": "1", "submission_token": "x" * 65}
    response = client.post("/ideas/new", data=data)
    assert response.status_code == 400 and "表单已失效" in response.get_data(as_text=True)
    data["submission_token"] = "x" * 64
    assert client.post("/ideas/new", data=data).status_code == 302
