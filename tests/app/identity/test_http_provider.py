"""The HTTP provider against a real gateway stand-in: a small HTTP server on
a free loopback port, started by the test."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app import create_app
from app.extensions import db
from app.identity import services
from app.identity.models import CodePurpose
from app.identity.sms import HttpProvider, SmsDeliveryError, make_provider


class Gateway:
    """Records every request; answers with ``status``."""

    def __init__(self):
        self.requests, self.status = [], 200
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.requests.append({"path": self.path, "headers": dict(self.headers),
                                         "body": json.loads(body)})
                self.send_response(gateway.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def gateway():
    with Gateway() as running:
        yield running


def test_the_request_shape(gateway):
    provider = HttpProvider(gateway.url, "secret-token", "SMS_0001")
    assert provider.send("13912345678", "654321", CodePurpose.reset, 5) is None
    (request,) = gateway.requests
    assert request["path"] == "/sms/send"
    assert request["headers"]["Authorization"] == "Bearer secret-token"
    assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert len(request["headers"]["X-Request-Id"]) == 32
    assert request["body"] == {"phone": "13912345678", "template_id": "SMS_0001",
                               "params": {"code": "654321", "minutes": 5}, "purpose": "reset"}


def test_a_refusing_gateway_is_a_failed_delivery(gateway):
    gateway.status = 503
    with pytest.raises(SmsDeliveryError):
        HttpProvider(gateway.url, "t", "T").send("13912345678", "654321", CodePurpose.login, 5)


def test_no_gateway_listening_is_a_failed_delivery():
    with Gateway() as stopped:
        url = stopped.url
    # The server is closed: its port refuses connections now.
    with pytest.raises(SmsDeliveryError):
        HttpProvider(url, "t", "T", timeout=2).send("13912345678", "654321", CodePurpose.login, 5)


def test_the_gateway_settings_must_be_complete():
    with pytest.raises(RuntimeError, match="SMS_HTTP_TOKEN"):
        make_provider({"SMS_PROVIDER": "http", "SMS_HTTP_URL": "http://x", "SMS_HTTP_TEMPLATE_ID": "T"})
    with pytest.raises(RuntimeError, match="未知的短信服务"):
        make_provider({"SMS_PROVIDER": "pigeon"})


@pytest.fixture
def gateway_app(_app, gateway):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": _app.config["SQLALCHEMY_DATABASE_URI"],
                                 "SMS_PROVIDER": "http", "SMS_HTTP_URL": gateway.url, "SMS_HTTP_TOKEN": "tok",
                                 "SMS_HTTP_TEMPLATE_ID": "SMS_0001", "SMS_DEV_BANNER": True})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_a_code_sent_through_the_gateway_signs_the_citizen_in(app, make, gateway_app, gateway):
    make.user(login="13912345678")
    client = gateway_app.test_client()
    answer = client.post("/identity/code", json={"phone": "139 1234 5678", "purpose": "login"})
    assert answer.status_code == 200 and answer.json["ok"]
    # A real gateway: nothing for the 开发模式 banner even with the banner switched on.
    assert answer.json["dev_code"] is None
    code = gateway.requests[-1]["body"]["params"]["code"]
    response = client.post("/identity/sms-login", data={"phone": "13912345678", "code": code})
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "_user_id" in session


def test_a_failed_delivery_is_told_and_not_counted(app, gateway_app, gateway):
    gateway.status = 500
    client = gateway_app.test_client()
    answer = client.post("/identity/code", json={"phone": "13912345678", "purpose": "register"})
    assert answer.json == {"ok": False, "message": "短信发送失败，请稍后再试", "retry_after": None,
                           "phone": None, "dev_code": None}
    gateway.status = 200
    # Rolled back: no cooldown from a message that never left.
    assert client.post("/identity/code", json={"phone": "13912345678", "purpose": "register"}).json["ok"]
    with gateway_app.app_context():
        assert services.queries.last_send_at("13912345678") is not None


def test_production_refuses_to_start_on_the_console_provider(caplog, monkeypatch):
    monkeypatch.delenv("SMS_PROVIDER", raising=False)
    base = {"SECRET_KEY": "a-real-secret-value", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    with pytest.raises(RuntimeError, match="console 短信服务"):
        create_app("production", base)
    # A private run of the production shape (make serve) may allow it, and is told in the log.
    app = create_app("production", {**base, "SMS_CONSOLE_ALLOWED": True})
    assert "短信服务为 console" in caplog.text
    # Staff and admins must enrol in two-factor there.
    assert app.config["TWO_FACTOR_REQUIRED"] and app.config["TWO_FACTOR_REQUIRED_ROLES"] == ("staff", "admin")
