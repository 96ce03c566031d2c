import io
import re

from pypdf import PdfReader
from sqlalchemy import func, select

from app.auth.models import Role, User
from app.campaigns.queries import campaign_by_year, current_campaign
from ops.demo.loader import DEMO_ACCOUNTS
from app.extensions import db
from ideas.models import Idea, IdeaStatus
from voting.ballots.queries import vote_totals
from voting.judging.models import RoundState
from voting.judging.queries import rounds_of
from voting.notice import queries as notice_queries
from voting.notice.models import EntryStatus, NoticeState, ObjectionState


def test_demo_load_creates_every_role_and_ideas_in_every_status(runner, app, client):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    campaign = current_campaign()
    assert campaign is not None and campaign.is_open()
    roles = set(db.session.scalars(select(User.role)).all())
    assert roles == set(Role)
    of_campaign = Idea.campaign_id == campaign.id
    counts = dict(db.session.execute(select(Idea.status, func.count()).where(of_campaign)
                                     .group_by(Idea.status)).all())
    screening = {IdeaStatus.draft, IdeaStatus.submitted, IdeaStatus.accepted, IdeaStatus.rejected,
                 IdeaStatus.merged}
    assert set(counts) == screening, counts
    assert sum(counts.values()) >= 150
    themes_used = set(db.session.scalars(select(Idea.theme_id).where(of_campaign).distinct()).all())
    assert len(themes_used - {None}) == 11
    total = db.session.scalar(select(func.count()).select_from(Idea))
    # Loading again keeps what is there.
    assert "保留现有数据" in runner.invoke(args=["demo", "load"]).output
    assert db.session.scalar(select(func.count()).select_from(Idea)) == total
    # Every demo account can log in with the printed password.
    accounts = runner.invoke(args=["demo", "accounts"]).output
    password = app.config["DEMO_PASSWORD"]
    assert password in accounts
    for login, *_ in DEMO_ACCOUNTS:
        assert login in accounts
        response = client.post("/auth/login", data={"login": login, "password": password})
        assert response.status_code == 302, login
        client.post("/auth/logout")
    page = client.get("/").get_data(as_text=True)
    assert all(theme.name in page for theme in campaign.themes)

    # Last year's campaign went all the way: three finalized rounds, 公示 with
    # one dismissed and one upheld objection, an alternate moved up, ten winners.
    finished = campaign_by_year(campaign.year - 1)
    assert finished is not None and not finished.is_current
    announcement = notice_queries.announcement_of(finished)
    assert announcement.state is NoticeState.finalized and announcement.digest
    assert [r.state for r in rounds_of(finished)] == [RoundState.finalized] * 3
    states = {o.state for o in notice_queries.objections(announcement)}
    assert states == {ObjectionState.upheld, ObjectionState.dismissed}
    winners = notice_queries.listed(announcement)
    assert [e.rank for e in winners] == list(range(1, 11))
    assert all(e.idea.status is IdeaStatus.winner for e in winners)
    assert [e for e in winners if e.promoted_at] and notice_queries.entries(announcement, EntryStatus.removed)
    # The final round had a public vote: both parts are published, and the votes were cast in its window.
    final = rounds_of(finished)[-1]
    assert final.public_vote and final.blend_published_at < final.vote_opens_at
    assert all(e.blended is not None and e.public_votes is not None for e in winners)
    assert sum(vote_totals(final).values()) > 0
    assert "公众" in client.get(f"/winners/{finished.year}/1").get_data(as_text=True)
    page = client.get("/winners").get_data(as_text=True)
    assert page.count('class="rank"') == 10 and all(e.title in page for e in winners)
    assert "异议成立" in client.get(f"/gongshi/{finished.year}").get_data(as_text=True)

    # The demo citizen wrote a winner: a notification waits, and the certificate downloads.
    first = winners[0]
    assert first.idea.author.mobile == "13800000001"
    client.post("/auth/login", data={"login": "13800000001", "password": password})
    assert "nav-count" in client.get("/").get_data(as_text=True)
    client.post(f"/winners/{finished.year}/1/certificate", data={"name": first.idea.author.real_name})
    response = client.get(f"/winners/{finished.year}/1/certificate.pdf")
    assert response.status_code == 200
    text = re.sub(r"\s+", "", PdfReader(io.BytesIO(response.data)).pages[0].extract_text())
    assert first.idea.author.real_name in text and first.title in text
