"""Real-browser tests: Debian's chromium driven by Playwright against the app
served on a free loopback port. Required when CI=true: a missing browser
fails the run there instead of skipping."""
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from app import create_app

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


class _Served:
    """The live server's answers, each read into memory and its iterable closed before
    the server writes it, and a count of those under way.

    Werkzeug's development server drains the socket before closing the iterable; when
    the browser has dropped the connection (a revalidated stylesheet on a page it
    leaves), the drain raises and a static file stays open, which the suite counts as
    an error. The count lets a test end only once its page's last request (an autosave,
    say) is done, so that request cannot write into the next test's database."""

    def __init__(self):
        self.under_way = 0
        self.changed = threading.Condition()

    def wrap(self, wsgi_app):
        def app(environ, start_response):
            with self.changed:
                self.under_way += 1
            try:
                body = wsgi_app(environ, start_response)
                try:
                    return [b"".join(body)]
                finally:
                    getattr(body, "close", lambda: None)()
            finally:
                with self.changed:
                    self.under_way -= 1
                    self.changed.notify_all()
        return app

    def wait_until_idle(self, timeout=10):
        with self.changed:
            assert self.changed.wait_for(lambda: self.under_way == 0, timeout), "测试服务器上的请求没有结束"


_served = _Served()


@pytest.fixture(scope="session")
def live_server(_app):
    server_app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": _app.config["SQLALCHEMY_DATABASE_URI"],
                                        "WTF_CSRF_ENABLED": True})
    server_app.wsgi_app = _served.wrap(server_app.wsgi_app)
    server = make_server("127.0.0.1", 0, server_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
    with server_app.app_context():
        from app.extensions import db
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        message = f"找不到 chromium（{CHROMIUM}）：apt-get install -y chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PhonePage:
    """A 375 × 812 page that records console errors and any request leaving
    localhost, and saves a screenshot per step."""

    def __init__(self, page, base_url, name):
        self.page, self.base_url, self.name = page, base_url, name
        self.console_errors, self.outside_requests, self.step = [], [], 0
        page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))
        page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))
        page.on("request", self._check_request)

    def _check_request(self, request):
        host = urlsplit(request.url).hostname
        if request.url.startswith(("http://", "https://")) and host not in ("127.0.0.1", "localhost"):
            self.outside_requests.append(request.url)

    def goto(self, path):
        return self.page.goto(self.base_url + path)

    def log_in(self, user, password="isle-lantern"):
        self.goto("/auth/login")
        self.page.fill("#login", user.login_name)
        self.page.fill("#password", password)
        self.page.click("main button[type=submit]")
        self.page.wait_for_url(lambda url: "/auth/login" not in url)

    def shot(self, label):
        self.step += 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{self.name}-{self.step:02d}-{label}.png"), full_page=True)

    def fits_the_screen(self):
        # Not window.innerWidth: a mobile browser widens its layout viewport to
        # whatever overflows, so that comparison always held.
        return self.page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.fixture
def phone(browser, live_server, app, request):
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN",
                                  device_scale_factor=1, is_mobile=True, has_touch=True)
    wrapper = PhonePage(context.new_page(), live_server, request.node.name)
    yield wrapper
    context.close()
    _served.wait_until_idle()
    assert wrapper.console_errors == []
    assert wrapper.outside_requests == []


@pytest.fixture
def laptop(browser, live_server, app, request):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    wrapper = PhonePage(context.new_page(), live_server, request.node.name + "-laptop")
    yield wrapper
    context.close()
    _served.wait_until_idle()
    assert wrapper.console_errors == []
    assert wrapper.outside_requests == []
