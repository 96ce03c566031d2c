"""Response headers every page carries, set in one place; the proxies trusted;
numbers in paths kept within what the database holds; the secret key of a site
that was given none.

The CSP allows scripts and styles from this site only: no inline script, no
CDN (the site runs on a closed intranet anyway)."""
import os
import secrets

from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

# The largest id (and year, rank) a column holds: PostgreSQL's integer.
MAX_PATH_INT = 2**31 - 1

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'self'",
    "object-src 'none'",
])

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def set_security_headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


class BoundedIntegerConverter(IntegerConverter):
    """``<int:…>`` up to MAX_PATH_INT: a bigger number matches no route (404)
    instead of overflowing in the query."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_PATH_INT, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def instance_secret_key(folder):
    """The key kept in ``folder``/secret_key, made on first use: random, mode 600."""
    path = os.path.join(folder, "secret_key")
    if not os.path.exists(path):
        os.makedirs(folder, exist_ok=True)
        # Written under a name of its own with mode 600 (never readable by others,
        # not even for a moment), then linked into place: two first runs agree on one key.
        draft = f"{path}.{secrets.token_hex(8)}"
        with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(draft)
    with open(path) as handle:
        return handle.read().strip()


def init_app(app):
    # Production refuses to start without SECRET_KEY (config.py); anywhere else a
    # site without one gets its own, so no key that signs sessions is public.
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    app.after_request(set_security_headers)
    # Before the blueprints are registered: their rules take the converter then.
    app.url_map.converters["int"] = BoundedIntegerConverter
    hops = app.config["PROXY_HOPS"]
    if hops:
        # Exactly this many entries from the right of X-Forwarded-For (and
        # -Proto) are believed; anything a client put further left is ignored.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
