"""Public pages served from a short-lived cache, and per-request state computed once.

Anonymous visitors all see the same home page, 公示, winners and open data, so
each is rendered once per version and kept for ``PUBLIC_PAGE_SECONDS``; the
response carries an ETag, and a browser that sends it back gets a 304.

The version is a stamp in the cache (Redis when ``REDIS_URL`` is set, so every
worker and every web node shares it). It changes after any commit that touched a
model the pages show (the factory names them): a stale page is never served
once the change is committed. What changes by the clock alone (a vote or a
submission window opening) and the open data's running counts are bounded by
the timeout instead.

In front of the app, ``FrontCache`` keeps each worker's copy of those pages for
``FRONT_CACHE_SECONDS``, for visitors who send no cookie at all: their request
never opens a session, loads a user or asks Redis."""
import hashlib
import secrets
import threading
import time
from functools import wraps

from flask import current_app, g, make_response, request, session
from flask_caching import Cache
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.http import parse_etags, unquote_etag

from app import display

cache = Cache()
VERSION_KEY = "public-version"
_CHANGED = "public_pages_changed"
_MEMO = "_per_request"
# The app's mark on a response any cookie-less visitor may be given; FrontCache removes it.
SHAREABLE = "X-Shareable-Page"
_watched = ()


def init_app(app, watched):
    """Caches in Redis when configured (shared by workers and nodes), else in this process.
    ``watched``: models, or (model, test) pairs where only objects passing ``test`` show on
    the pages (a draft saved every few seconds must not throw every page away)."""
    global _watched
    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("CACHE_TYPE", "RedisCache" if redis_url else "SimpleCache")
    if redis_url:
        app.config.setdefault("CACHE_REDIS_URL", redis_url)
    app.config.setdefault("CACHE_KEY_PREFIX", "xiance:")
    cache.init_app(app)
    _watched = tuple(entry if isinstance(entry, tuple) else (entry, None) for entry in watched)
    # A test client reuses the pushed app context, and with it g: start each request clean.
    app.before_request(_start_request)
    seconds = app.config["FRONT_CACHE_SECONDS"]
    if seconds:
        app.wsgi_app = app.extensions["front_cache"] = FrontCache(app.wsgi_app, seconds)


@event.listens_for(Session, "after_flush")
def _note_changes(session_, flush_context):
    if any(isinstance(obj, model) and (test is None or test(obj))
           for obj in (*session_.new, *session_.dirty, *session_.deleted) for model, test in _watched):
        session_.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _bump_after_commit(session_):
    # After the commit, not at the write: a page rendered between the two would
    # otherwise be stored under the new version with the old data.
    if session_.info.pop(_CHANGED, False):
        bump()


@event.listens_for(Session, "after_rollback")
def _forget_changes(session_):
    session_.info.pop(_CHANGED, None)


def _start_request():
    g.pop(_MEMO, None)


def bump():
    # This worker shows the change at once; the others within FRONT_CACHE_SECONDS.
    if "front_cache" in current_app.extensions:
        current_app.extensions["front_cache"].clear()
    try:
        cache.set(VERSION_KEY, secrets.token_hex(8), timeout=0)
    except Exception:  # the change is committed; a cache that is down only delays the pages
        current_app.logger.exception("公开页面缓存版本未能更新")


def version():
    stamp = cache.get(VERSION_KEY)
    if stamp is None:
        # Never "0" or any earlier value: a lost stamp must not bring back pages stored under it.
        cache.add(VERSION_KEY, secrets.token_hex(8), timeout=0)
        stamp = cache.get(VERSION_KEY)
    return stamp


def per_request(name, compute, share=False):
    """``compute()`` once per request; with ``share``, shared between requests of the same
    version for ``NAV_STATE_SECONDS`` too (the navigation asks whether a vote is open on every page)."""
    memo = g.setdefault(_MEMO, {})
    if name not in memo:
        if not share:
            memo[name] = compute()
        else:
            key = f"state:{version()}:{name}"
            found = cache.get(key)
            if found is None:
                found = (compute(),)
                cache.set(key, found, timeout=current_app.config["NAV_STATE_SECONDS"])
            memo[name] = found[0]
    return memo[name]


def _shareable():
    # A signed-in page, a flashed message or a form token belongs to one visitor.
    return (request.method in ("GET", "HEAD") and not current_user.is_authenticated
            and "_flashes" not in session)


def public_page(view):
    """Serves an anonymous visitor the cached rendering, with an ETag; others get the view."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not _shareable():
            return view(*args, **kwargs)
        # The 长辈版 renders the same page with other sizes: one stored copy for each.
        key = f"page:{version()}:{display.cache_key()}:{request.full_path}"
        stored = cache.get(key)
        if stored is None:
            response = make_response(view(*args, **kwargs))
            if response.status_code != 200 or "Set-Cookie" in response.headers:
                return response
            body = response.get_data()
            stored = (body, response.content_type, [(k, v) for k, v in response.headers.items()
                                                      if k.lower() not in ("content-length", "content-type")],
                      hashlib.sha256(body).hexdigest()[:32])
            cache.set(key, stored, timeout=current_app.config["PUBLIC_PAGE_SECONDS"])
        body, content_type, headers, etag = stored
        response = make_response(body, 200, headers)
        response.content_type = content_type
        response.set_etag(etag)
        # Revalidate every time: the 304 is cheap, and a visitor who signs in meanwhile sees their own page.
        response.cache_control.public = True
        response.cache_control.max_age = 0
        response.cache_control.must_revalidate = True
        response.vary.add("Cookie")
        if current_app.config["FRONT_CACHE_SECONDS"]:
            response.headers[SHAREABLE] = "1"
        return response.make_conditional(request)
    return wrapper


class FrontCache:
    """WSGI middleware: a cookie-less GET of a page the app marked shareable is answered
    from this worker's memory for ``seconds`` after the app rendered it (a micro-cache, as
    a proxy keeps one). No cookie means no session, no sign-in, no flashed message and
    the standard display, so the copy is the same for every such visitor."""

    MAX_PAGES = 512  # query strings are the visitor's to vary: bounded, dropped all at once

    def __init__(self, wsgi_app, seconds, clock=time.monotonic):
        self.wsgi_app, self.seconds, self.clock = wsgi_app, seconds, clock
        self._pages = {}
        self._lock = threading.Lock()

    def clear(self):
        with self._lock:
            self._pages.clear()

    def __call__(self, environ, start_response):
        if environ["REQUEST_METHOD"] != "GET" or environ.get("HTTP_COOKIE"):
            return self._pass(environ, start_response, None)
        key = (environ.get("HTTP_HOST"), environ.get("HTTP_X_FORWARDED_PROTO"), environ["wsgi.url_scheme"],
               environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))
        stored = self._pages.get(key)
        if stored is None or stored[0] <= self.clock():
            return self._pass(environ, start_response, key)
        _, headers, body, etag = stored
        if etag and unquote_etag(etag)[0] in parse_etags(environ.get("HTTP_IF_NONE_MATCH")):
            start_response("304 Not Modified", [(k, v) for k, v in headers if k.lower() != "content-length"])
            return [b""]
        start_response("200 OK", headers)
        return [body]

    def _pass(self, environ, start_response, key):
        """The app's answer, its mark removed; kept when ``key`` is given and the app marked it."""
        answer = {}

        def capture(status, headers, exc_info=None):
            names = {k.lower() for k, _ in headers}
            headers = [(k, v) for k, v in headers if k != SHAREABLE]
            answer.update(status=status, headers=headers, keep=key is not None and status.startswith("200")
                          and SHAREABLE.lower() in names and "set-cookie" not in names)
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, capture)
        if not answer.get("keep"):
            return body
        try:
            content = b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()
        etag = next((v for k, v in answer["headers"] if k.lower() == "etag"), None)
        with self._lock:
            if len(self._pages) >= self.MAX_PAGES:
                self._pages.clear()
            self._pages[key] = (self.clock() + self.seconds, answer["headers"], content, etag)
        return [content]
