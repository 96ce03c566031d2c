"""Small helpers several packages' views share."""
from urllib.parse import urlsplit

from flask import abort, flash, redirect, request
from flask_login import current_user

from app.errors import Refused
from app.extensions import db
from app.security import MAX_PATH_INT


def current_actor():
    """The signed-in user as a model object, for services that record who acted."""
    return current_user._get_current_object()


def attempt(action, form=None, field=None):
    """The one way a view commits: call one service, then commit and return (True,
    its result); or, if it was refused, roll back and return (False, None) with the
    message at the form field it belongs to (the refusal's own ``field``, else
    ``field``), or flashed when there is none."""
    try:
        result = action()
    except Refused as exc:
        db.session.rollback()
        name = getattr(exc, "field", None) or field
        if form is not None and name:
            form[name].errors.append(exc.message)
        else:
            flash(exc.message, "error")
        return False, None
    db.session.commit()
    return True, result


def run_and_commit(action, success, back):
    """Call one service: commit and say so, or roll back and say why it was refused."""
    if attempt(action)[0]:
        flash(success, "success")
    return redirect(back)


def run_form(form, action, success, back):
    """For forms posted from another page: errors go back there as messages."""
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back)
    return run_and_commit(lambda: action(form), success, back)


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


def after_arg():
    """?after=: the id a keyset page starts after; None when absent, not a number or
    past any id there could be."""
    after = request.args.get("after", type=int)
    return after if after is not None and 0 < after <= MAX_PATH_INT else None


def page_arg():
    """?page=: 1 when absent or not a number; 404 past any page there could be
    (the database's OFFSET would overflow)."""
    page = request.args.get("page", 1, type=int)
    if page > MAX_PATH_INT:
        abort(404, description="没有这一页。")
    return page
