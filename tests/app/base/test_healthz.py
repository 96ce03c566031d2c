"""/healthz reports the database and, when one is configured, Redis."""
import socket
import time


def test_healthz_reports_a_reachable_redis(client, app, monkeypatch, redis_url):
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_healthz_fails_quickly_when_redis_is_unreachable(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 3
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "ok", "redis": "error: ConnectionError"}


def test_healthz_does_not_hang_on_a_redis_that_never_answers(client, app, monkeypatch):
    # A listening socket nobody reads from: connecting works, the PING reply never comes.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
        started = time.monotonic()
        response = client.get("/healthz")
    assert time.monotonic() - started < 3
    assert response.status_code == 503
    assert response.get_json()["redis"] == "error: TimeoutError"


def test_healthz_without_redis_is_healthy(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "未配置"}
