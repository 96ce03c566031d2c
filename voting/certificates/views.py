"""The winner's page to name their certificate, and the public verification page."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import login_required

from app.errors import Refused
from app.extensions import db
from app.viewutil import current_actor
from voting.certificates import queries, services
from voting.certificates.forms import CertificateNameForm
from voting.notice import queries as notice_queries

bp = Blueprint("certificates", __name__, template_folder="templates")


@bp.route("/winners/<int:year>/<int:rank>/certificate", methods=["GET", "POST"])
@login_required
def name(year, rank):
    entry = notice_queries.winner(year, rank) or abort(404)
    person = current_actor()
    if not entry.credits(person):
        abort(403, description="荣誉证书只能由获奖建议的提出人领取")
    download = url_for("notice.certificate", year=year, rank=rank)
    if queries.certificate_of(entry, person) is not None:
        return redirect(download)
    form = CertificateNameForm(data={"name": person.real_name or ""})
    if form.validate_on_submit():
        try:
            services.issue_certificate(entry, person, form.name.data)
        except Refused as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(url_for("notice.winner", year=year, rank=rank))
        db.session.commit()
        flash("荣誉证书已颁发，可以下载了。", "success")
        return redirect(url_for("notice.winner", year=year, rank=rank))
    return render_template("certificates/name.html", entry=entry, form=form)


@bp.route("/certificates/<serial>")
def verify(serial):
    certificate = queries.by_serial(serial) or abort(404)
    return render_template("certificates/verify.html", certificate=certificate, facts=certificate.facts())
