"""Test data through the real services, so tests see what users produce."""
import itertools
import uuid
from datetime import timedelta

from app.auth.models import Role
from app.auth.services import create_account
from app.campaigns.queries import current_campaign
from app.campaigns.services import create_campaign
from app.extensions import db
from app.identity.services import mark_phone_verified, send_code
from app.timeutil import now
from ideas import services as idea_services
from ideas.models import IdeaStatus

PASSWORD = "isle-lantern"
_numbers = itertools.count(1)

IDEA_FIELDS = {
    "title": "推行园区政区分设让管委会专心招商",
    "problem": "不少县域产业园区管委会既管招商又管社会事务，机构叠床架屋，企业办事要跑多个部门，审批效率低。",
    "suggestion": ("推行政区分设，社会事务交还属地政府，园区只保留经济管理职能，"
                   "实行市场化运营公司加精干管委会的模式。"),
    "benefit": "企业办事环节减少一半，园区把精力集中到招商引资和服务企业上。",
    "region": "株洲市",
    "contact_phone": "13812341234",
    "show_name": True,
}


class Factories:
    def user(self, role=Role.citizen, login=None, real_name=None, region=None, work_unit=None,
             password=PASSWORD, verified=True):
        """An account; a citizen with a mobile login has proven it by SMS,
        as registration asks, unless ``verified`` is False."""
        number = next(_numbers)
        login = login or f"1350000{number:04d}"
        if role is Role.reviewer:
            region = region or "长沙市"
            work_unit = work_unit or f"评审单位{number}"
        user = create_account(None, login, password, role, real_name=real_name or f"测试用户{number}",
                              region=region, work_unit=work_unit)
        if verified and role is Role.citizen and user.mobile:
            mark_phone_verified(user, user.mobile)
        db.session.commit()
        return user

    def sms_code(self, phone, purpose="register"):
        """A code sent to ``phone``, as the console provider shows it."""
        sent = send_code(phone, purpose, "127.0.0.1", "tests")
        db.session.commit()
        return sent.shown_code

    def campaign(self, year=None, opens=None, closes=None, current=True, themes=None):
        opens = opens or now() - timedelta(days=1)
        closes = closes or now() + timedelta(days=30)
        campaign = create_campaign(None, year or now().year, "献策湖南 · 金点子征集（测试）",
                                   opens, closes, themes=themes, make_current=current)
        db.session.commit()
        return campaign

    def idea(self, author=None, campaign=None, status=IdeaStatus.submitted, theme="parks", staff=None,
             **fields):
        campaign = campaign or current_campaign() or self.campaign()
        author = author or self.user()
        values = {**IDEA_FIELDS, **fields}
        idea, _ = idea_services.save_idea(author, campaign, uuid.uuid4().hex, values, theme,
                                          submit=status is not IdeaStatus.draft)
        if status in (IdeaStatus.accepted, IdeaStatus.rejected):
            staff = staff or self.user(Role.staff)
            if status is IdeaStatus.accepted:
                idea_services.accept_idea(idea, staff)
            else:
                idea_services.reject_idea(idea, staff, "测试理由")
        db.session.commit()
        return idea
