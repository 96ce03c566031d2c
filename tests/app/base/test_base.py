import pytest
from sqlalchemy.exc import OperationalError

from app import create_app

from app.extensions import db


def test_home_shows_the_campaign_and_its_ten_themes(client, make):
    campaign = make.campaign()
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert campaign.title in page
    themes = [t for t in campaign.themes if not t.is_other]
    assert len(themes) == 10
    for theme in campaign.themes:
        assert theme.name in page
    assert "破除地方保护和市场分割" in page and "其他" in page
    assert "征集时间" in page and "/ideas/new" in page


def test_home_without_a_campaign(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "当前没有正在进行的征集活动" in response.get_data(as_text=True)


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "未配置"}


def test_healthz_reports_a_broken_database(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error" and body["database"].startswith("error")


def test_unknown_page_is_a_chinese_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


def test_every_response_carries_the_security_headers(client, make):
    make.campaign()
    for path in ("/", "/auth/login", "/healthz", "/no-such-page", "/static/css/site.css"):
        response = client.get(path)
        response.close()  # static files stream from an open file
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"


def test_production_refuses_to_start_with_the_default_secret(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", {"SECRET_KEY": "dev-only-not-secret"})
    with pytest.raises(RuntimeError, match="调试"):
        create_app("production", {"SECRET_KEY": "a-real-secret-value", "DEBUG": True})
    app = create_app("production", {"SECRET_KEY": "a-real-secret-value", "SMS_CONSOLE_ALLOWED": True,
                                    "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_an_unexpected_error_shows_no_stack_trace(app, client, monkeypatch):
    import app.base.views as base_views

    def explode(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(base_views, "current_campaign", explode)
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and "服务器出了点问题" in page
    assert "Traceback" not in page and "secret internal detail" not in page and "RuntimeError" not in page


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_spreadsheet_cells_that_could_run_are_neutralised(value):
    from app.exports import neutralize

    assert neutralize(value) == "'" + value
    assert neutralize("普通文本") == "普通文本" and neutralize(12) == 12
