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


def attempt(action, form=None, field=None, keep_refused=False, refused=None):
    """The one way a view commits: call one service, then commit and return (True,
    its result); or, if it was refused, roll back and return (False, None) with the
    message at the form field it belongs to (the refusal's own ``field``, else
    ``field``), or flashed when there is none.

    ``keep_refused`` commits a refused call too (a wrong code still uses up a try);
    ``refused(refusal)`` answers a refusal instead (a JSON answer), and what it
    returns stands in place of None. The refusal itself is never handed out: its
    traceback would keep the service's frames, and what they hold, alive."""
    try:
        result = action()
    except Refused as exc:
        if keep_refused:
            db.session.commit()
        else:
            db.session.rollback()
        if refused is not None:
            return False, refused(exc)
        _report(exc, form, getattr(exc, "field", None) or field)
        return False, None
    db.session.commit()
    return True, result


def _report(refusal, form, field):
    if form is not None and field:
        form[field].errors.append(refusal.message)
    else:
        flash(refusal.message, "error")


def run_and_commit(action, success, back):
    """Call one service: commit and say so, or roll back and say why it was refused."""
    if attempt(action)[0]:
        flash(success, "success")
    return redirect(back)


def commit_form(form, action, success, back, field=None):
    """For a form on its own page: once it validates and the service agrees, commit,
    flash ``success`` and redirect to ``back`` (either may be a function of the
    service's result). Otherwise None: the caller shows the page again, the errors at
    their fields (a refusal at ``field`` unless it names its own)."""
    if not form.validate_on_submit():
        return None
    done, result = attempt(action, form, field)
    if not done:
        return None
    flash(success(result) if callable(success) else success, "success")
    return redirect(back(result) if callable(back) else back)


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


def after_arg(name="after"):
    """?after= (or ``name``, for a page with several lists): the id a keyset page starts
    after; None when absent, not a number or past any id there could be."""
    after = request.args.get(name, type=int)
    return after if after is not None and 0 < after <= MAX_PATH_INT else None


def page_arg():
    """?page=: 1 when absent or not a number; 404 past any page there could be
    (the database's OFFSET would overflow)."""
    page = request.args.get("page", 1, type=int)
    if page > MAX_PATH_INT:
        abort(404, description="没有这一页。")
    return page
