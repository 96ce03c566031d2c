import re

import pytest

from tests.app.conftest import url_for_rule

MISSING_TOKEN = "页面已过期"
# The proposal form comes back with what was typed instead of the error page (ideas/keep_input.py).
KEEPS_INPUT = {"/ideas/new", "/ideas/<int:idea_id>/edit"}
# Its autosave answers in JSON, which the form's script reads; the browser keeps its copy.
ANSWERS_JSON = {"/ideas/autosave"}


@pytest.fixture
def csrf_app(app_with):
    return app_with(WTF_CSRF_ENABLED=True)


def _log_in(client, user):
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/auth/login", data={"csrf_token": token, "login": user.login_name,
                                                 "password": "isle-lantern"})
    assert response.status_code == 302


@pytest.mark.parametrize("visitor", ["anonymous", "citizen", "reviewer", "admin"])
def test_every_post_without_a_token_is_refused(app, csrf_app, world, visitor):
    people, values = world
    client = csrf_app.test_client()
    if visitor != "anonymous":
        _log_in(client, people[visitor])
    posts = [rule for rule in csrf_app.url_map.iter_rules() if "POST" in rule.methods]
    assert len(posts) > 20
    for rule in posts:
        response = client.post(url_for_rule(rule, values), data={"reason": "x", "title": "x"})
        expected = 200 if (rule.rule in KEEPS_INPUT and response.status_code != 404
                           or rule.rule in ANSWERS_JSON) else 400
        assert response.status_code == expected, (visitor, rule.rule, response.status_code)
        body = (response.get_json() if rule.rule in ANSWERS_JSON
                else {"message": response.get_data(as_text=True)})
        assert MISSING_TOKEN in body["message"]


def test_post_with_token_is_accepted(app, csrf_app):
    client = csrf_app.test_client()
    page = client.get("/auth/register").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/auth/register", data={
        "csrf_token": token, "login": "citizen@example.com", "password": "xiang-spring",
        "password2": "xiang-spring",
        "consent": "y"})
    assert response.status_code == 302


def test_session_is_renewed_on_login_and_cleared_on_logout(app, client, make):
    user = make.user(login="13900001111")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    client.post("/auth/login", data={"login": "13900001111", "password": "isle-lantern"})
    with client.session_transaction() as session:
        assert "planted" not in session and session["_user_id"].startswith(f"{user.id}.")
    client.post("/auth/logout")
    with client.session_transaction() as session:
        assert "_user_id" not in session
