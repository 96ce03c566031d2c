"""A database that drops its connections (a PostgreSQL restart, a failover, an
idle connection cut by a firewall) costs a reader nothing and a writer a retry.

``pool_pre_ping`` (config.py) replaces connections that died while idle in the
pool. A connection that dies during a request raises ``OperationalError``; the
pool has then discarded it, so a GET is run once more on a fresh one. When that
fails too, or the request writes, the answer is 503 with ``Retry-After``: nothing
was committed, and the submission form's one-time token makes a resubmission
land on the same idea."""
from flask import current_app, render_template, request
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

from app.extensions import db

RETRY_AFTER_SECONDS = 5
_RETRIED = "xiance.database_retried"


def init_app(app):
    app.register_error_handler(OperationalError, database_unavailable)
    app.register_error_handler(InterfaceError, database_unavailable)
    app.register_error_handler(DisconnectionError, database_unavailable)


def database_unavailable(error):
    db.session.rollback()
    if request.method in ("GET", "HEAD") and not request.environ.get(_RETRIED):
        request.environ[_RETRIED] = True
        current_app.logger.warning("数据库连接中断，重试一次：%s", type(error).__name__)
        try:
            return current_app.preprocess_request() or current_app.dispatch_request()
        except Exception as again:  # noqa: BLE001  (a second database failure comes back here: 503)
            return current_app.handle_user_exception(again)
    current_app.logger.warning("数据库暂不可用：%s", type(error).__name__)
    return (render_template("errors/unavailable.html", retry_after=RETRY_AFTER_SECONDS), 503,
            {"Retry-After": str(RETRY_AFTER_SECONDS)})
