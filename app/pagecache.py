"""Public pages served from a short-lived cache, and per-request state computed once.

Anonymous visitors all see the same home page, 公示, winners and open data, so
each is rendered once per version and kept for ``PUBLIC_PAGE_SECONDS``; the
response carries an ETag, and a browser that sends it back gets a 304.

The version is a stamp in the cache (Redis when ``REDIS_URL`` is set, so every
worker and every web node shares it). It changes after any commit that touched a
model the pages show (the factory names them): a stale page is never served
once the change is committed. What changes by the clock alone (a vote or a
submission window opening) and the open data's running counts are bounded by
the timeout instead."""
import hashlib
import secrets
from functools import wraps

from flask import current_app, g, make_response, request, session
from flask_caching import Cache
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

from app import display

cache = Cache()
VERSION_KEY = "public-version"
_CHANGED = "public_pages_changed"
_MEMO = "_per_request"
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
        return response.make_conditional(request)
    return wrapper
