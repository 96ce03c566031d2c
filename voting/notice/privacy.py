"""公示's share of an account's personal data (app.privacy.parts): the objections
one filed, and which campaigns are finished (their results announced)."""
from sqlalchemy import select

from app.extensions import db
from app.privacy.parts import PersonalPart
from app.privacy.queries import when
from voting.notice.models import Announcement, NoticeState, Objection


class NoticePart(PersonalPart):
    def export(self, user):
        objections = db.session.execute(select(Objection).where(Objection.user_id == user.id)
                                        .order_by(Objection.id)).scalars()
        return {"我提出的异议": [{"活动": o.entry.announcement.campaign.title, "建议": o.entry.title,
                            "理由": o.reason, "状态": o.state.label, "处理意见": o.ruling,
                            "提出时间": when(o.created_at), "处理时间": when(o.ruled_at)}
                           for o in objections]}

    def erase(self, user):
        # An objection holds no personal field; its reason and ruling are part of the public record.
        pass

    def finished_campaigns(self, before):
        return db.session.execute(select(Announcement.campaign_id).where(
            Announcement.state == NoticeState.finalized, Announcement.finalized_at < before)).scalars().all()


PART = NoticePart()
