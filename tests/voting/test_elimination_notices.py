"""Authors hear when their idea goes no further: a round that does not advance it,
or an upheld objection that takes it off the 公示 list."""
from sqlalchemy import select

from app.extensions import db
from app.notifications.models import Notification
from tests.notice_fixtures import finished_judging, uphold_objection


def _notifications(user_id):
    return db.session.scalars(select(Notification).where(Notification.user_id == user_id)
                              .order_by(Notification.id)).all()


def _subjects(user):
    return [n.subject for n in _notifications(user.id)]


def test_closing_a_round_tells_the_authors_left_behind(closed_round):
    out = [e for e in closed_round.entries if not e.advanced]
    through = [e for e in closed_round.entries if e.advanced]
    assert out and through
    for entry in out:
        told = _notifications(entry.idea.author_id)
        assert told[-1].subject == f"您的建议 {entry.idea.tracking_code} 初审未进入下一轮"
        assert f"排名第 {entry.rank} 位" in told[-1].body and told[-1].link == f"/ideas/{entry.idea.id}"
    for entry in through:
        assert "未进入下一轮" not in " ".join(_subjects(entry.idea.author))
        assert _subjects(entry.idea.author)[-1].endswith("入围，进入下一轮评审")


def test_the_final_round_tells_those_not_in_the_ten(make):
    judged = finished_judging(make)
    final = judged.rounds[-1]
    out = [e for e in final.entries if not e.advanced]
    assert out
    assert _subjects(out[0].idea.author)[-1] == f"您的建议 {out[0].idea.tracking_code} 终审未入选前十"


def test_an_upheld_objection_tells_the_author_the_idea_was_removed(make):
    judged = finished_judging(make)
    entry = uphold_objection(make, judged)
    last = _notifications(entry.idea.author_id)[-1]
    assert last.subject == f"您的建议 {entry.idea.tracking_code} 因异议取消入选"
    assert "经核实，异议成立。" in last.body and "入围，进入下一轮评审" not in last.subject
