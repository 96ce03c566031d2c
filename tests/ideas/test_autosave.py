"""The proposal form's autosave: a draft saved as 保存草稿 saves it, never a submission,
never someone else's idea; what it cannot save yet it says, in JSON."""
from sqlalchemy import select

from app.extensions import db
from ideas.models import Idea, IdeaStatus
from tests.factories import IDEA_FIELDS


def _send(client, token, **fields):
    return client.post("/ideas/autosave", data={"submission_token": token, **fields})


def test_autosave_creates_then_updates_one_draft(client, auth, make):
    campaign = make.campaign()
    author = make.user()
    auth.login(author)
    first = _send(client, "tok-1", title="园区管委会机构叠床架屋", theme=campaign.themes[0].code).get_json()
    assert first["saved"] is True and first["edit_url"] == f"/ideas/{first['id']}/edit"
    second = _send(client, "tok-1", title="园区管委会机构叠床架屋", problem="写了一半",
                   submit="提交建议").get_json()
    assert second["saved"] is True and second["id"] == first["id"] and second["version"] >= first["version"]
    ideas = db.session.scalars(select(Idea)).all()
    assert len(ideas) == 1 and ideas[0].status is IdeaStatus.draft and ideas[0].problem == "写了一半"
    # The edit page carries the version the browser's local copy is compared with.
    assert f'data-version="{second["version"]}"' in client.get(first["edit_url"]).get_data(as_text=True)


def test_autosave_says_what_it_cannot_save(client, auth, make):
    make.campaign()
    author = make.user()
    auth.login(author)
    answer = _send(client, "tok-2", title="长" * 41)
    assert answer.status_code == 200 and answer.get_json()["saved"] is False
    assert _send(client, "", title="标题写在这里").status_code == 400
    submitted = make.idea(author=author)
    after = _send(client, submitted.submission_token, title="改过的标题").get_json()
    assert after == {"saved": False, "submitted": True,
                     "message": f"这条建议已经提交（编号 {submitted.tracking_code}）。"}
    assert submitted.title == IDEA_FIELDS["title"]


def test_autosave_never_touches_another_citizens_draft(client, auth, make):
    make.campaign()
    theirs = make.idea(status=IdeaStatus.draft, title="别人的草稿标题")
    auth.login(make.user())
    assert _send(client, theirs.submission_token, title="想改别人的草稿").status_code == 400
    assert theirs.title == "别人的草稿标题"


def test_an_expired_token_is_answered_in_json(app_with, make):
    make.campaign()
    # The token is checked before anything else, the sign-in included.
    client = app_with(WTF_CSRF_ENABLED=True).test_client()
    answer = client.post("/ideas/autosave", data={"submission_token": "tok-3", "title": "没有令牌的自动保存",
                                                  "csrf_token": "stale"})
    assert answer.status_code == 200 and answer.get_json()["saved"] is False and answer.get_json()["expired"]
