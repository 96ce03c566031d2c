"""Every decision about an idea reaches its author as a 站内通知; staff answer
(答复) with a department, and ideas unanswered after five working days are flagged."""
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.notifications.models import Notification
from app.timeutil import now
from ideas import replies
from ideas.models import IdeaStatus
from ideas.services import accept_idea, merge_duplicate, reject_idea


def notifications_of(user):
    return db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.id)).all()


def test_accept_reject_and_merge_each_tell_the_author(make, staff):
    accepted, rejected, kept = make.idea(), make.idea(), make.idea()
    duplicate = make.idea()
    accept_idea(accepted, staff)
    reject_idea(rejected, staff, "与本次征集主题无关")
    merge_duplicate(duplicate, kept.tracking_code, staff, "内容相同")
    db.session.commit()
    assert ([n.subject for n in notifications_of(accepted.author)]
            == [f"您的建议 {accepted.tracking_code} 已采纳，进入评选"])
    told = notifications_of(rejected.author)[0]
    assert "未采纳" in told.subject and "与本次征集主题无关" in told.body
    assert told.link == f"/ideas/{rejected.id}"
    assert "已合并" in notifications_of(duplicate.author)[0].subject
    assert notifications_of(kept.author) == []   # a note on the kept idea is no decision about it


def test_staff_answer_through_the_page_and_the_author_sees_it(client, auth, make, staff):
    idea = make.idea()
    response = client.post(f"/ideas/{idea.id}/reply", data={
        "reply-department": "省发展改革委",
        "reply-text": "您的建议已转园区处研究，将在年度改革方案中统筹考虑。"})
    assert response.status_code == 302
    db.session.refresh(idea)
    assert idea.reply_department == "省发展改革委" and idea.replied_at is not None
    assert "收到答复" in notifications_of(idea.author)[-1].subject
    auth.login(idea.author)
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "答复部门" in page and "省发展改革委" in page and "年度改革方案" in page
    # The public tracking page shows the dates and the department, the text only to the author.
    auth.logout()
    track = client.get(f"/ideas/track/{idea.tracking_code}").get_data(as_text=True)
    assert "答复日期" in track and "省发展改革委" in track and "年度改革方案" not in track


def test_an_empty_answer_is_refused_at_the_field(client, make, staff):
    idea = make.idea()
    client.post(f"/ideas/{idea.id}/reply", data={"reply-department": "", "reply-text": ""})
    db.session.refresh(idea)
    assert idea.replied_at is None


def test_the_accept_date_is_the_first_decision(make, staff):
    idea = make.idea(status=IdeaStatus.accepted, staff=staff)
    assert idea.screened_at == idea.events[-1].created_at


def test_overdue_ideas_are_counted_and_flagged_on_the_queue(client, make, staff):
    late, fresh, answered = make.idea(title="早就提交的建议"), make.idea(), make.idea()
    late.submitted_at = answered.submitted_at = now() - timedelta(days=20)
    answered.replied_at = now()
    db.session.commit()
    campaign = late.campaign
    assert replies.overdue_count(campaign) == 1
    assert replies.overdue_ids(campaign, [late.id, fresh.id, answered.id]) == {late.id}
    page = client.get("/ideas/screening").get_data(as_text=True)
    assert "超过 5 个工作日未办理 1" in page and "已超期" in page
