"""Limits on what one client may ask of the site: one budget per signed-in
account and one per network address (Flask-Limiter, Redis storage when
REDIS_URL is set), and a cap on the size of a request to a costly view."""
from functools import wraps

from flask import abort, current_app, request
from flask_login import current_user

from app.extensions import limiter


def per_account_and_address(name, message, methods=None, deduct_when=None):
    """Limits from the config's ``<NAME>_LIMIT_PER_USER`` and ``<NAME>_LIMIT_PER_ADDRESS``,
    one budget for all the views decorated under one name. Goes below the login
    check (the account's budget needs an account)."""
    prefix = name.upper()
    per_user = limiter.shared_limit(lambda: current_app.config[f"{prefix}_LIMIT_PER_USER"],
                                    scope=f"{name}-user",
                                    key_func=lambda: f"{name}-user:{current_user.id}", methods=methods,
                                    deduct_when=deduct_when, error_message=message)
    per_address = limiter.shared_limit(lambda: current_app.config[f"{prefix}_LIMIT_PER_ADDRESS"],
                                       scope=f"{name}-address", methods=methods, deduct_when=deduct_when,
                                       error_message=message)

    def decorator(view):
        return per_address(per_user(view))
    return decorator


def max_request_bytes(limit, message):
    """413 for a query string or body longer than ``limit`` bytes, in whichever the view reads."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if len(request.query_string) > limit or (request.content_length or 0) > limit:
                abort(413, description=message)
            return view(*args, **kwargs)
        return wrapped
    return decorator
