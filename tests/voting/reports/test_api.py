"""The open-data endpoints: the same facts as /winners and the report, as JSON,
readable from any origin, with nothing personal beyond what /winners shows."""
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.extensions import db
from ideas.models import Idea, IdeaStatus
from voting.notice import queries


def get_json(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return json.loads(response.get_data(as_text=True))


def test_winners_json(client, judged, finalized):
    year = judged.campaign.year
    data = get_json(client, "/api/v1/winners")
    assert data == get_json(client, f"/api/v1/winners?year={year}")
    assert data["campaign"] == {"year": year, "title": judged.campaign.title}
    assert data["digest"] == finalized.digest and data["digest_of"] == f"/winners/{year}.txt"
    assert data["final_round"]["digest"] == judged.rounds[-1].digest
    assert data["final_round"]["public_vote"] is False
    listed = queries.listed(finalized)
    assert [w["rank"] for w in data["winners"]] == list(range(1, 11))
    for row, entry in zip(data["winners"], listed, strict=True):
        assert (row["title"], row["theme"], row["region"]) == (entry.title, entry.theme_name, entry.region)
        assert row["proposer"] == entry.proposer and row["citation"] == entry.citation
        assert row["expert_score"] == round(entry.expert_score, 4) and row["blended"] is None
        assert row["tracking_code"] == entry.idea.tracking_code
        assert row["url"] == f"/winners/{year}/{entry.rank}"
        assert client.get(row["url"]).status_code == 200
    assert set(data["winners"][0]) == {
        "rank", "tracking_code", "title", "theme", "region", "proposer", "citation", "expert_score",
        "expert_part", "public_votes", "public_part", "blended", "promoted", "url"}
    assert "王建国、李秀英" in {w["proposer"] for w in data["winners"]}
    raw = client.get("/api/v1/winners").get_data(as_text=True)
    for entry in listed:
        idea = entry.idea
        assert idea.contact_phone not in raw and idea.author.login_name not in raw
        if not idea.show_name:
            assert idea.author.real_name not in raw


def test_winners_json_errors(client, judged, finalized):
    assert "四位数字年份" in get_json(client, "/api/v1/winners?year=abc", 400)["error"]
    assert get_json(client, "/api/v1/winners?year=1999", 404)["error"] == "没有已公布的十大金点子"
    assert get_json(client, "/api/v1/stats?year=２０２５", 400)["error"]


def test_no_winners_yet(client, make):
    make.campaign()
    assert get_json(client, "/api/v1/winners", 404)["error"]
    stats = get_json(client, "/api/v1/stats")
    assert stats["winners"] == 0 and stats["announcement"] is None and stats["submissions"]["total"] == 0


def test_stats_json(client, judged, finalized):
    data = get_json(client, f"/api/v1/stats?year={judged.campaign.year}")
    assert data == get_json(client, "/api/v1/stats")  # the current campaign by default
    submitted = db.session.scalar(
        select(func.count()).select_from(Idea).where(Idea.status != IdeaStatus.draft))
    submissions = data["submissions"]
    assert submissions["total"] == submitted == 15
    assert sum(row["count"] for row in submissions["by_theme"]) == submitted
    assert sum(row["count"] for row in submissions["by_region"]) == submitted
    by_status = {row["status"]: row["count"] for row in submissions["by_status"]}
    assert by_status["winner"] == 10 and by_status["merged"] == 1 and "draft" not in by_status
    assert by_status["shortlisted"] == 3 and by_status["accepted"] == 1
    assert submissions["accepted"] == 14
    assert [(r["name"], r["pool"], r["advanced"], r["digest"]) for r in data["rounds"]] == [
        (r.name, pool, r.advance_count, r.digest) for r, pool in zip(judged.rounds, (14, 13, 12))]
    assert all(r["state"] == "finalized" and r["votes"] is None for r in data["rounds"])
    assert data["objections"] == {"pending": 0, "upheld": 0, "dismissed": 1, "spam": 0}
    assert data["announcement"] == {"state": "finalized", "digest": finalized.digest,
                                    "notice_ends_at": finalized.notice_ends_at.isoformat(sep=" ")}
    assert data["winners"] == 10


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(year=st.one_of(st.text(max_size=20), st.integers(-10**6, 10**6).map(str)))
def test_any_year_parameter_is_answered_without_a_crash(client, year):
    for path in ("/api/v1/winners", "/api/v1/stats"):
        response = client.get(path, query_string={"year": year})
        assert response.status_code in (200, 400, 404) and response.is_json
