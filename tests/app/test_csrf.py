import re

import pytest

from app import create_app
from app.extensions import db


@pytest.fixture
def csrf_client(_app):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": _app.config["SQLALCHEMY_DATABASE_URI"],
                                 "WTF_CSRF_ENABLED": True})
    yield app.test_client()
    # Close this app's own pool; left to the garbage collector, its open
    # PostgreSQL connections would warn in some later test.
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("path", ["/auth/login", "/auth/register", "/auth/logout"])
def test_post_without_token_is_refused(app, csrf_client, path):
    response = csrf_client.post(path, data={"login": "13900001111", "password": "x"})
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)


def test_post_with_token_is_accepted(app, csrf_client):
    page = csrf_client.get("/auth/register").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = csrf_client.post("/auth/register", data={
        "csrf_token": token, "login": "13900001111", "password": "abc12345", "password2": "abc12345"})
    assert response.status_code == 302
