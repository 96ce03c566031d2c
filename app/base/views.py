from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from redis import Redis
from sqlalchemy import text
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app import display
from app.campaigns.queries import current_campaign
from app.extensions import db
from app.pagecache import public_page
from app.viewutil import back_or

bp = Blueprint("base", __name__, template_folder="templates")


@bp.route("/")
@public_page
def home():
    campaign = current_campaign()
    return render_template("base/home.html", campaign=campaign)


@bp.route("/display")
def display_mode():
    """长辈版 on or off, text bigger or smaller (?set=…), then back to the page it was chosen on.
    The page comes from the Referer (sent within the site), so every page links to the same addresses."""
    return display.remember(redirect(back_or(url_for("base.home"))), request.args.get("set", ""))


NOT_CONFIGURED = "未配置"


@bp.route("/healthz")
def healthz():
    checks = {"database": _check_database(), "redis": _check_redis()}
    # A component the deployment does without (no REDIS_URL) is not a failure.
    healthy = all(value in ("ok", NOT_CONFIGURED) for value in checks.values())
    return jsonify(status="ok" if healthy else "error", **checks), 200 if healthy else 503


def _check_database():
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception as exc:  # any failure means "not healthy", reported by name
        db.session.rollback()
        return f"error: {type(exc).__name__}"


def _check_redis():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return NOT_CONFIGURED
    try:
        # Short timeouts: a load balancer polls this, and a hung Redis must read as "error", not as a hang.
        with Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1) as redis:
            redis.ping()
        return "ok"
    except Exception as exc:  # as for the database: any failure is reported by name
        return f"error: {type(exc).__name__}"


ERROR_TITLES = {
    400: "请求有误",
    403: "没有权限",
    404: "页面不存在",
    405: "不支持的请求方式",
    413: "提交的内容过大",
    429: "操作太频繁",
    500: "服务器出了点问题",
}


@bp.app_errorhandler(CSRFError)
def csrf_error(error):
    detail = "页面已过期或表单校验失败，请返回上一页刷新后重新提交。"
    return render_template("errors/error.html", code=400, title=ERROR_TITLES[400], detail=detail), 400


@bp.app_errorhandler(HTTPException)
def http_error(error):
    if error.response is not None:
        # A refusal that brings its own page (the login lock-out's) is sent as it is.
        return error.response
    code = error.code or 500
    title = ERROR_TITLES.get(code, "出错了")
    # Our own abort(..., description="中文") messages are shown; werkzeug's
    # English defaults are not.
    detail = error.description if _is_chinese(error.description) else None
    return render_template("errors/error.html", code=code, title=title, detail=detail), code


@bp.app_errorhandler(Exception)
def unexpected_error(error):
    db.session.rollback()
    # Logged with its stack trace for us; the visitor sees none of it.
    current_app.logger.exception("未处理的异常")
    return render_template("errors/error.html", code=500, title=ERROR_TITLES[500], detail=None), 500


def _is_chinese(value):
    return bool(value) and any("\u4e00" <= ch <= "\u9fff" for ch in value)
