"""Judging's share of a reviewer's personal data (app.privacy.parts): their
assignments, score sheets and declared conflicts. They stay on deletion: the
frozen score tables and their published digests are made of them."""
from sqlalchemy import select

from app.extensions import db
from app.privacy.parts import PersonalPart
from app.privacy.queries import when, yes
from voting.judging.models import Assignment, Conflict


def _sheet(assignment):
    review = assignment.review
    return {"轮次": assignment.round.name, "活动": assignment.round.campaign.title,
            "建议": assignment.idea.title, "分配时间": when(assignment.created_at),
            "有效": yes(assignment.active), "回避理由": assignment.recusal_reason,
            "已提交": yes(review is not None and review.submitted),
            "提交时间": when(review.submitted_at) if review else None,
            "评语": review.comment if review else None,
            "各项评分": {s.criterion.name: s.value for s in review.scores} if review else {}}


class JudgingPart(PersonalPart):
    def export(self, user):
        assignments = db.session.execute(select(Assignment).where(Assignment.reviewer_id == user.id)
                                         .order_by(Assignment.id)).scalars()
        conflicts = db.session.execute(select(Conflict).where(Conflict.reviewer_id == user.id)
                                       .order_by(Conflict.id)).scalars()
        return {"我的评审": [_sheet(a) for a in assignments],
                "我声明的回避": [{"建议": c.idea.title, "理由": c.reason, "时间": when(c.created_at)}
                           for c in conflicts]}

    def erase(self, user):
        # The sheets are in frozen, published score tables: they stay, under the account's number.
        pass


PART = JudgingPart()
