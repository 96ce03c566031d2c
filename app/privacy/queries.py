"""我的数据: everything the site holds about one account, as {section: rows},
the same for the JSON download and the readable page. Reads only."""
from sqlalchemy import and_, or_, select

from app.audit.models import ActionLog
from app.auth.models import UserSession
from app.extensions import db
from app.identity.models import SmsCode, TwoFactor, VerifiedPhone
from app.notifications.models import Notification
from app.notifications.services import preference_of
from app.privacy import parts


def when(value):
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else None


def yes(value):
    return "是" if value else "否"


def _account(user):
    verified = db.session.get(VerifiedPhone, user.id)
    two_factor = db.session.execute(
        select(TwoFactor).where(TwoFactor.user_id == user.id)).scalar_one_or_none()
    preference = preference_of(user)
    return {"账号编号": user.id, "手机号": user.mobile, "电子邮箱": user.email, "真实姓名": user.real_name,
            "角色": user.role.label, "所在地区": user.region, "工作单位": user.work_unit,
            "注册时间": when(user.created_at), "最近登录": when(user.last_login_at),
            "已验证手机号": verified.phone if verified else None,
            "手机号验证时间": when(verified.verified_at) if verified else None,
            "同意的隐私政策版本": user.consent_version, "同意时间": when(user.consent_at),
            "两步验证": yes(two_factor is not None and two_factor.is_confirmed),
            "通知另发邮件": yes(preference.email), "通知另发短信": yes(preference.sms)}


def _phones(user):
    verified = db.session.get(VerifiedPhone, user.id)
    return {phone for phone in (user.mobile, verified.phone if verified else None) if phone}


def sms_records(user):
    """The codes sent to the account's numbers (their hashes are not personal data and stay out)."""
    return db.session.execute(select(SmsCode).where(SmsCode.phone.in_(_phones(user)))
                              .order_by(SmsCode.id)).scalars().all()


def logged_actions(user):
    """Log entries the account made, or that were about the account."""
    return db.session.execute(select(ActionLog).where(or_(
        ActionLog.actor_id == user.id,
        and_(ActionLog.target_type == "User", ActionLog.target_id == user.id)))
        .order_by(ActionLog.id)).scalars().all()


def export_user(user, at):
    sessions = db.session.execute(select(UserSession).where(UserSession.user_id == user.id)
                                  .order_by(UserSession.id)).scalars().all()
    notifications = db.session.execute(select(Notification).where(Notification.user_id == user.id)
                                       .order_by(Notification.id)).scalars().all()
    data = {"导出时间": when(at), "账号": _account(user)}
    for part in parts.registered():
        data.update(part.export(user))
    data["站内通知"] = [{"时间": when(n.created_at), "标题": n.subject, "内容": n.body, "链接": n.link,
                     "阅读时间": when(n.read_at), "邮件发送时间": when(n.emailed_at)} for n in notifications]
    data["登录设备"] = [{"登录时间": when(s.created_at), "最近使用": when(s.last_seen_at), "设备": s.device,
                     "地址": s.address, "结束时间": when(s.ended_at)} for s in sessions]
    data["短信验证码发送记录"] = [{"手机号": c.phone, "用途": c.purpose.label, "状态": c.state.label,
                           "发送时间": when(c.sent_at), "有效期至": when(c.expires_at),
                           "使用时间": when(c.used_at), "发送时的网络地址": c.address}
                          for c in sms_records(user)]
    data["操作日志中与我有关的记录"] = [
        {"时间": when(e.created_at), "操作": e.label,
         "操作人": "本人" if e.actor_id == user.id else ("系统" if e.actor_id is None else "工作人员"),
         "详情": e.details} for e in logged_actions(user)]
    return data
