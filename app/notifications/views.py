"""站内通知."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.extensions import db
from app.notifications import queries, services
from app.notifications.models import Notification
from app.notifications.forms import PreferenceForm
from app.viewutil import attempt, current_actor, run_and_commit

bp = Blueprint("notifications", __name__, template_folder="templates")


@bp.app_context_processor
def unread_notifications():
    # A function, so the count is only queried on pages that draw the navigation.
    def count():
        return queries.unread_count(current_user) if current_user.is_authenticated else 0
    return {"unread_notification_count": count}


@bp.after_app_request
def email_copies(response):
    # After the view committed: a mail must never announce something rolled back.
    if current_app.config.get("MAIL_SERVER"):
        chosen = services.committed_for_email()
        if chosen:
            attempt(lambda: services.email_notifications(chosen, request.host_url))
    return response


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    preference = services.preference_of(current_user)
    form = PreferenceForm(obj=preference)
    if form.validate_on_submit():
        ok, _ = attempt(lambda: services.set_preference(current_actor(), form.email.data, form.sms.data))
        if ok:
            flash("通知方式已保存。", "success")
            return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", form=form)


@bp.route("/")
@login_required
def index():
    return render_template("notifications/index.html", notifications=queries.notifications_of(current_user))


@bp.route("/<int:notification_id>/read", methods=["POST"])
@login_required
def read(notification_id):
    notification = db.get_or_404(Notification, notification_id)
    # 404, not 403: nobody learns that someone else's notification exists.
    if not notification.belongs_to(current_user):
        abort(404)
    return run_and_commit(lambda: services.mark_read(notification, current_actor()), "已标为已读。",
                          url_for("notifications.index"))


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all():
    return run_and_commit(lambda: services.mark_all_read(current_actor()), "全部通知已标为已读。",
                          url_for("notifications.index"))
