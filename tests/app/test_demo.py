from sqlalchemy import func, select

from app.auth.models import Role, User
from app.campaigns.queries import current_campaign
from app.demo.loader import DEMO_ACCOUNTS
from app.extensions import db
from ideas.models import Idea, IdeaStatus


def test_demo_load_creates_every_role_and_ideas_in_every_status(runner, app, client):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    campaign = current_campaign()
    assert campaign is not None and campaign.is_open()
    roles = set(db.session.scalars(select(User.role)).all())
    assert roles == set(Role)
    counts = dict(db.session.execute(select(Idea.status, func.count()).group_by(Idea.status)).all())
    screening = {IdeaStatus.draft, IdeaStatus.submitted, IdeaStatus.accepted, IdeaStatus.rejected,
                 IdeaStatus.merged}
    assert set(counts) == screening, counts
    assert sum(counts.values()) >= 150
    themes_used = set(db.session.scalars(select(Idea.theme_id).distinct()).all())
    assert len(themes_used - {None}) == 11
    # Loading again keeps what is there.
    assert "保留现有数据" in runner.invoke(args=["demo", "load"]).output
    assert db.session.scalar(select(func.count()).select_from(Idea)) == sum(counts.values())
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
