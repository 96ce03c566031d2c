"""The winner's certificate: naming it, downloading it, and its public verification page."""
import io

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_login import current_user, login_required

from app.viewutil import attempt, current_actor
from voting.certificates import queries, services
from voting.certificates.forms import CertificateNameForm
from voting.certificates.pdf import certificate_pdf
from voting.notice import queries as notice_queries

bp = Blueprint("certificates", __name__, template_folder="templates")


def _winner_credited_or_abort(year, rank, person):
    entry = notice_queries.winner(year, rank) or abort(404)
    if not entry.credits(person):
        abort(403, description="荣誉证书只能由获奖建议的提出人领取")
    return entry


@bp.route("/winners/<int:year>/<int:rank>/certificate", methods=["GET", "POST"])
@login_required
def name(year, rank):
    person = current_actor()
    entry = _winner_credited_or_abort(year, rank, person)
    download = url_for("certificates.pdf", year=year, rank=rank)
    if queries.certificate_of(entry, person) is not None:
        return redirect(download)
    form = CertificateNameForm(data={"name": person.real_name or ""})
    if form.validate_on_submit():
        issued, _ = attempt(lambda: services.issue_certificate(entry, person, form.name.data))
        if issued:
            flash("荣誉证书已颁发，可以下载了。", "success")
        return redirect(url_for("notice.winner", year=year, rank=rank))
    return render_template("certificates/name.html", entry=entry, form=form)


@bp.route("/winners/<int:year>/<int:rank>/certificate.pdf")
@login_required
def pdf(year, rank):
    entry = _winner_credited_or_abort(year, rank, current_user)
    issued = queries.certificate_of(entry, current_user)
    if issued is None:
        # The winner names the certificate first: never a masked login on it.
        return redirect(url_for("certificates.name", year=year, rank=rank))
    verify_url = url_for("certificates.verify", serial=issued.serial, _external=True)
    return send_file(io.BytesIO(certificate_pdf(issued, verify_url)), mimetype="application/pdf",
                     as_attachment=True, download_name=f"荣誉证书-{year}-第{rank}名.pdf")


@bp.route("/certificates/<serial>")
def verify(serial):
    certificate = queries.by_serial(serial) or abort(404)
    return render_template("certificates/verify.html", certificate=certificate, facts=certificate.facts())
