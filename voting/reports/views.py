"""活动报告: the campaign report for the department, on the site, as XLSX and as PDF."""
from flask import Blueprint, Response, abort, render_template, request, url_for

from app.auth.decorators import staff_required
from app.campaigns.queries import campaign_by_year
from voting.reports import queries
from voting.reports.exports import report_xlsx
from voting.reports.forms import ReportChoiceForm
from voting.reports.pdf import report_pdf
from voting.reports.proposal_pdf import proposal_pdf
from voting.reports.proposal_tables import HEAT_NOTE, proposal_xlsx
from voting.reports.proposals import proposal_report
from voting.reports.tables import ALPHA_NOTE, DIGEST_NOTE

bp = Blueprint("reports", __name__, template_folder="templates")

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/")
@staff_required
def index():
    campaigns, campaign = queries.report_campaigns()
    form = ReportChoiceForm(request.args)
    form.set_campaigns(campaigns)
    campaign = form.chosen(campaign)
    report = queries.campaign_report(campaign) if campaign else None
    return render_template("reports/index.html", form=form, report=report, alpha_note=ALPHA_NOTE,
                           digest_note=DIGEST_NOTE)


@bp.route("/<int:year>.xlsx")
@staff_required
def xlsx(year):
    return _download(year, report_xlsx, XLSX_TYPE, "xlsx")


@bp.route("/<int:year>.pdf")
@staff_required
def pdf(year):
    return _download(year, report_pdf, "application/pdf", "pdf")


def _download(year, render, mimetype, extension):
    campaign = campaign_by_year(year) or abort(404)
    return _attachment(render(queries.campaign_report(campaign), _frozen_table_url), mimetype,
                       f"report-{year}.{extension}")


def _attachment(body, mimetype, filename):
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


@bp.route("/proposals")
@staff_required
def proposals():
    """建议综述: what the public proposed, theme by theme."""
    campaigns, campaign = queries.report_campaigns()
    form = ReportChoiceForm(request.args)
    form.set_campaigns(campaigns)
    campaign = form.chosen(campaign)
    report = proposal_report(campaign) if campaign else None
    return render_template("reports/proposals.html", form=form, report=report, heat_note=HEAT_NOTE)


@bp.route("/proposals/<int:year>.xlsx")
@staff_required
def proposals_xlsx(year):
    campaign = campaign_by_year(year) or abort(404)
    return _attachment(proposal_xlsx(proposal_report(campaign)), XLSX_TYPE, f"proposals-{year}.xlsx")


@bp.route("/proposals/<int:year>.pdf")
@staff_required
def proposals_pdf(year):
    campaign = campaign_by_year(year) or abort(404)
    return _attachment(proposal_pdf(proposal_report(campaign)), "application/pdf", f"proposals-{year}.pdf")


def _frozen_table_url(round_):
    return url_for("voting.frozen_table", round_id=round_.id, _external=True)
