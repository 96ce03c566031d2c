"""An expired token or session on the proposal form brings the form back with
everything typed, instead of an error page; nothing is saved until it is sent again."""
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from ideas.models import Idea
from tests.factories import IDEA_FIELDS, PASSWORD

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def csrf_client(app_with, make):
    app = app_with(WTF_CSRF_ENABLED=True)
    make.campaign()
    return app.test_client()


def _token(client, path):
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def _log_in(client, user):
    client.post("/auth/login", data={"csrf_token": _token(client, "/auth/login"),
                                     "login": user.login_name, "password": PASSWORD})


def _proposal(token):
    return {**IDEA_FIELDS, "csrf_token": token, "submission_token": "a" * 32, "theme": "parks",
            "submit": "提交建议"}


def _count():
    return db.session.scalar(select(func.count()).select_from(Idea))


def test_a_session_that_expired_while_writing_keeps_the_proposal(csrf_client, make):
    author = make.user()
    _log_in(csrf_client, author)
    token = _token(csrf_client, "/ideas/new")
    csrf_client.delete_cookie("session")   # the session ran out while the citizen was typing
    response = csrf_client.post("/ideas/new", data=_proposal(token))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "登录已失效" in page and IDEA_FIELDS["problem"] in page and IDEA_FIELDS["title"] in page
    assert _count() == 0
    # Signed in again (another tab), the first send meets a new session: the form comes back once more…
    _log_in(csrf_client, author)
    again = csrf_client.post("/ideas/new", data=_proposal(token))
    assert again.status_code == 200 and "内容都保留" in again.get_data(as_text=True)
    # …with a fresh token, and the next send goes through.
    fresh = TOKEN.search(again.get_data(as_text=True)).group(1)
    assert csrf_client.post("/ideas/new", data=_proposal(fresh)).status_code == 302
    assert _count() == 1


def test_other_forms_still_get_the_error_page(csrf_client, make):
    response = csrf_client.post("/ideas/screening/bulk", data={})
    assert response.status_code == 400 and "页面已过期" in response.get_data(as_text=True)


def test_the_form_sums_up_its_errors_at_the_top(client, auth, make):
    make.campaign()
    auth.login(make.user())
    page = client.post("/ideas/new", data={"submission_token": "b" * 32, "title": "短",
                                          "submit": "提交建议"}).get_data(as_text=True)
    summary = page[page.index("data-error-summary"):page.index("</div>", page.index("data-error-summary"))]
    assert 'href="#title"' in summary and 'href="#problem"' in summary
    assert 'data-max-chars="40"' in page
