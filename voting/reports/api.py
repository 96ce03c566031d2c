"""Open data: the winners and the campaign's figures as JSON for other sites.

GET only, readable from any origin; nothing here is personal beyond what
/winners publishes."""
import json
import re

from flask import Blueprint, Response, abort, request

from app.pagecache import public_page
from app.campaigns.queries import all_campaigns, campaign_by_year, current_campaign
from voting.reports.queries import campaign_report
from ideas.models import IdeaStatus
from ideas.queries import status_counts
from voting.notice import queries
from voting.notice.models import NoticeState, ObjectionState

bp = Blueprint("api", __name__)
# Accepted at screening, whatever stage of judging it reached since.
JUDGED = (IdeaStatus.accepted, IdeaStatus.shortlisted, IdeaStatus.finalist, IdeaStatus.winner)


@bp.after_request
def allow_any_origin(response):
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _json(data, status=200):
    # Chinese as text, not \u escapes: the JSON is read by people too.
    return Response(json.dumps(data, ensure_ascii=False, indent=1), status=status,
                    mimetype="application/json")


def _year():
    """The ?year= asked for, None when absent; anything but a year ends the request with a 400."""
    raw = request.args.get("year")
    if raw is None:
        return None
    if not re.fullmatch(r"[0-9]{4}", raw):
        abort(_json({"error": "year 须为四位数字年份，例如 ?year=2025"}, 400))
    return int(raw)


@bp.route("/winners")
@public_page
def winners():
    year = _year()
    finalized = (NoticeState.finalized,)
    announcement = (queries.announcement_for_year(year, finalized) if year
                    else queries.latest_announcement(finalized))
    if announcement is None:
        return _json({"error": "没有已公布的十大金点子"}, 404)
    return _json(queries.winners_data(announcement))


@bp.route("/stats")
@public_page
def stats():
    year = _year()
    if year:
        campaign = campaign_by_year(year)
    else:
        campaign = current_campaign() or next(iter(all_campaigns()), None)
    if campaign is None:
        return _json({"error": "没有这一年的征集活动"}, 404)
    return _json(_stats(campaign))


def _stats(campaign):
    """The campaign in figures, the same ones the report shows: counts only, no personal data."""
    report = campaign_report(campaign)
    statuses = status_counts(campaign)
    statuses.pop(IdeaStatus.draft, None)
    announcement = queries.announcement_of(campaign)
    objections_by_state = (queries.objection_counts(announcement) if announcement
                           else dict.fromkeys(ObjectionState, 0))
    votes = {figures.round.id: figures.counted for figures in report.votes}
    return {
        "campaign": {"year": campaign.year, "title": campaign.title,
                     "submit_opens_at": queries.iso_time(campaign.submit_opens_at),
                     "submit_closes_at": queries.iso_time(campaign.submit_closes_at)},
        "submissions": {
            "total": report.submitted,
            "accepted": sum(n for status, n in statuses.items() if status in JUDGED),
            "by_status": [{"status": status.value, "label": status.label, "count": statuses.get(status, 0)}
                          for status in IdeaStatus if status is not IdeaStatus.draft],
            "by_theme": [{"theme": name, "count": n} for name, n in report.by_theme],
            "by_region": [{"region": name, "count": n} for name, n in report.by_region],
        },
        "rounds": [{
            "position": figures.round.position, "name": figures.round.name,
            "state": figures.round.state.value,
            "pool": figures.pool, "advanced": figures.advanced, "reviews": figures.reviews,
            "agreement_alpha": queries.rounded(figures.round.agreement_alpha), "digest": figures.round.digest,
            "public_vote": figures.round.public_vote, "votes": votes.get(figures.round.id),
        } for figures in report.rounds],
        "announcement": None if announcement is None else {
            "state": announcement.state.value,
            "notice_ends_at": queries.iso_time(announcement.notice_ends_at),
            "digest": announcement.digest},
        "objections": {state.value: n for state, n in objections_by_state.items()},
        "winners": len(queries.listed(announcement))
        if announcement and announcement.state is NoticeState.finalized else 0,
    }
