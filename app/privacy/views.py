"""我的数据: the copy of everything about the signed-in account, and deleting it."""
import json

from flask import Blueprint, Response, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required, logout_user

from app.errors import Refused
from app.extensions import db
from app.identity.queries import verified_phone
from app.identity.services import CodeRefused
from app.privacy import queries, services
from app.privacy.forms import DeleteAccountForm
from app.timeutil import now
from app.viewutil import current_actor

bp = Blueprint("privacy", __name__, template_folder="templates")


@bp.route("/data")
@login_required
def my_data():
    return render_template("privacy/data.html", data=queries.export_user(current_user, now()))


@bp.route("/data.json")
@login_required
def my_data_json():
    at = now()
    body = json.dumps(queries.export_user(current_user, at), ensure_ascii=False, indent=1)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f"attachment; filename=my-data-{at:%Y%m%d}.json", "Cache-Control": "no-store"})


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    form = DeleteAccountForm()
    phone = verified_phone(current_user)
    if form.validate_on_submit():
        try:
            services.delete_own_account(current_actor(), form.password.data, form.code.data, now())
        except Refused as exc:
            # A wrong code still uses up one of its tries; nothing else was written.
            db.session.commit() if isinstance(exc, CodeRefused) else db.session.rollback()
            (form.code if isinstance(exc, CodeRefused) else form.password).errors.append(exc.message)
        else:
            db.session.commit()
            logout_user()
            session.clear()
            flash("账号已注销，个人信息已删除。", "success")
            return redirect(url_for("base.home"))
    return render_template("privacy/delete.html", form=form, phone=phone)
