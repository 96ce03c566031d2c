"""The ideas' share of an account's personal data (app.privacy.parts)."""
from sqlalchemy import select, update

from app.extensions import db
from app.privacy.parts import PersonalPart
from app.privacy.queries import when, yes
from ideas.models import CoProposer, Idea, IdeaStatus
from ideas.public_models import IdeaSupplement, IdeaSupport


def _idea(idea):
    return {"编号": idea.tracking_code, "活动": idea.campaign.title, "标题": idea.title,
            "状态": idea.status.label, "主题": idea.theme.name if idea.theme else None,
            "问题": idea.problem, "对策": idea.suggestion, "预期成效": idea.benefit, "地区": idea.region,
            "联系电话": idea.contact_phone, "公开姓名": yes(idea.show_name),
            "同意公开": yes(idea.public_consent), "创建时间": when(idea.created_at),
            "提交时间": when(idea.submitted_at),
            "答复": idea.reply_text, "答复部门": idea.reply_department, "答复时间": when(idea.replied_at),
            "办理记录": [{"时间": when(e.created_at),
                      "原状态": e.from_status.label if e.from_status else None,
                      "新状态": e.to_status.label if e.to_status else None, "说明": e.reason}
                     for e in idea.events],
            "补充说明": [{"时间": when(c.created_at), "内容": c.text} for c in idea.corrections]}


def _own(model, user):
    return db.session.execute(select(model).where(model.user_id == user.id).order_by(model.id)).scalars()


class IdeasPart(PersonalPart):
    def export(self, user):
        ideas = db.session.execute(select(Idea).where(Idea.author_id == user.id).order_by(Idea.id)).scalars()
        credits = db.session.execute(select(CoProposer).where(CoProposer.user_id == user.id)
                                     .order_by(CoProposer.id)).scalars()
        return {"我的建议": [_idea(idea) for idea in ideas],
                "列为共同提出人的建议": [{"编号": c.idea.tracking_code, "标题": c.idea.title,
                                 "我提交的重复建议": c.source_idea.tracking_code, "时间": when(c.created_at)}
                                for c in credits],
                "我附议的建议": [{"编号": s.idea.tracking_code, "标题": s.idea.title,
                              "时间": when(s.created_at)} for s in _own(IdeaSupport, user)],
                "我的补充建议": [{"编号": s.idea.tracking_code, "内容": s.text, "时间": when(s.created_at),
                              "已隐藏": yes(s.is_hidden)} for s in _own(IdeaSupplement, user)]}

    def erase(self, user):
        # Submitted ideas stay (author shown as 已注销用户); drafts nobody else saw go, unlogged:
        # ideas.selfservice.delete_draft would write their titles into the log.
        for draft in db.session.execute(select(Idea).where(Idea.author_id == user.id,
                                                           Idea.status == IdeaStatus.draft)).scalars().all():
            db.session.delete(draft)
        db.session.execute(update(Idea).where(Idea.author_id == user.id).values(contact_phone=None)
                           .execution_options(synchronize_session="fetch"))

    def expire(self, campaign_ids):
        count = db.session.execute(update(Idea).where(Idea.campaign_id.in_(campaign_ids),
                                                      Idea.contact_phone.is_not(None))
                                   .values(contact_phone=None).execution_options(synchronize_session="fetch")).rowcount
        return {"建议的联系电话": count}


PART = IdeasPart()
