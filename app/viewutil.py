"""Small helpers several packages' views share."""
from urllib.parse import urlsplit

from flask import flash, request


def flash_form_errors(form):
    """For forms posted from another page, where errors cannot sit at the field."""
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")


def is_local_url(target):
    # Only same-site paths: never an open redirect to another host.
    parts = urlsplit(target or "")
    return bool(target) and target.startswith("/") and not target.startswith("//") and not parts.netloc


def safe_next(default):
    target = request.args.get("next", "")
    return target if is_local_url(target) else default


def back_or(default):
    """The page the user came from (same site only), to keep its filters."""
    referrer = request.referrer or ""
    if referrer.startswith(request.host_url):
        return "/" + referrer[len(request.host_url):]
    return default
