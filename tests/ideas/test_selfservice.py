"""An author manages their own ideas: delete a draft, withdraw before screening
(the reason kept in the history), add a correction staff see."""
from sqlalchemy import select

from app.auth.models import Role
from app.extensions import db
from ideas.models import Idea, IdeaStatus


def test_delete_a_draft(client, auth, make):
    draft = make.idea(status=IdeaStatus.draft, title="写了一半的草稿")
    auth.login(draft.author)
    assert "删除草稿" in client.get("/ideas/mine").get_data(as_text=True)
    response = client.post(f"/ideas/{draft.id}/delete")
    assert response.status_code == 302
    assert db.session.get(Idea, draft.id) is None


def test_a_submitted_idea_is_not_deleted(client, auth, make):
    idea = make.idea()
    auth.login(idea.author)
    client.post(f"/ideas/{idea.id}/delete")
    assert db.session.get(Idea, idea.id) is not None


def test_someone_else_s_draft_is_hidden(client, auth, make):
    draft = make.idea(status=IdeaStatus.draft)
    auth.login(make.user())
    assert client.post(f"/ideas/{draft.id}/delete").status_code == 404


def test_withdraw_before_screening_keeps_the_reason(client, auth, make):
    idea = make.idea()
    auth.login(idea.author)
    client.post(f"/ideas/{idea.id}/withdraw", data={"withdraw-reason": "想法还不成熟"})
    db.session.refresh(idea)
    assert idea.status is IdeaStatus.withdrawn
    assert "想法还不成熟" in idea.events[-1].reason
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "想法还不成熟" in page and "已撤回" in page


def test_withdraw_needs_a_reason_and_is_refused_after_screening(client, auth, make):
    idea = make.idea()
    accepted = make.idea(author=idea.author, status=IdeaStatus.accepted)
    auth.login(idea.author)
    client.post(f"/ideas/{idea.id}/withdraw", data={"withdraw-reason": ""})
    page = client.post(f"/ideas/{accepted.id}/withdraw", data={"withdraw-reason": "不想要了"},
                       follow_redirects=True).get_data(as_text=True)
    db.session.refresh(idea)
    db.session.refresh(accepted)
    assert idea.status is IdeaStatus.submitted and accepted.status is IdeaStatus.accepted
    assert "不能再撤回" in page


def test_a_correction_is_shown_to_staff_beside_the_idea(client, auth, make):
    idea = make.idea()
    auth.login(idea.author)
    client.post(f"/ideas/{idea.id}/correction",
                data={"correction-text": "第二段的数据应为 2023 年统计年鉴口径。"})
    auth.login(make.user(Role.staff))
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "补充说明" in page and "2023 年统计年鉴口径" in page


def test_my_ideas_are_grouped_by_campaign_and_filtered_by_status(client, auth, make):
    author = make.user()
    draft = make.idea(author=author, status=IdeaStatus.draft, title="一条草稿建议")
    submitted = make.idea(author=author, title="一条已提交的建议")
    auth.login(author)
    page = client.get("/ideas/mine").get_data(as_text=True)
    assert draft.campaign.title in page and draft.title in page and submitted.title in page
    filtered = client.get("/ideas/mine?status=draft").get_data(as_text=True)
    assert draft.title in filtered and submitted.title not in filtered
    assert client.get("/ideas/mine?status=nonsense").status_code == 200
    assert db.session.scalars(select(Idea).where(Idea.author_id == author.id)).all()
