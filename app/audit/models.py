from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import now


class ActionLog(db.Model):
    """Append-only record of who did what. Each row's hash covers the previous
    row's hash, so editing or deleting a row breaks the chain from there on."""

    __tablename__ = "action_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=now, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[int | None]
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    actor = relationship("User")

    @property
    def label(self):
        return ACTION_LABELS.get(self.action, self.action)


ACTION_LABELS = {
    "user.register": "注册账号",
    "user.create": "创建账号",
    "user.login": "登录",
    "user.password": "修改密码",
    "user.enable": "启用账号",
    "user.disable": "停用账号",
    "user.update": "修改账号资料",
    "user.password_temporary": "管理员设置临时密码",
    "user.password_reset_sent": "管理员发送重置密码验证码",
    "user.session_end": "退出一台设备",
    "user.phone_verified": "验证手机号",
    "user.password_reset": "短信重置密码",
    "user.2fa_enable": "启用两步验证",
    "user.2fa_recovery_codes": "重新生成恢复码",
    "user.2fa_recovery_used": "使用恢复码登录",
    "user.2fa_reset": "管理员重置两步验证",
    "user.delete": "注销账号",
    "privacy.expire": "清理已结束活动的个人信息",
    "audit.prune": "清理超过保存期的操作日志",
    "campaign.create": "新建征集活动",
    "campaign.update": "修改征集活动",
    "campaign.make_current": "设为当前活动",
    "theme.update": "修改主题",
    "idea.draft": "保存草稿",
    "idea.submit": "提交建议",
    "idea.accept": "采纳建议",
    "idea.reject": "不予采纳",
    "idea.merge": "合并重复建议",
    "idea.on_topic": "确认属于本次征集",
    "idea.regroup": "拆分分组后恢复待筛选",
    "group.accept": "整组采纳",
    "group.reject": "整组不予采纳",
    "group.merge": "整组并入已有建议",
    "group.split": "拆分分组",
    "demo.load": "载入演示数据",
    "demo.load_finished": "载入往届演示活动",
    "idea.theme": "修改建议主题",
    "nlp.rebuild": "重建文本分析",
    "nlp.update": "增量文本分析",
    "notice.prepare": "生成公示名单",
    "notice.edit": "修改公示名单",
    "notice.publish": "发布公示",
    "notice.objection": "提出异议",
    "notice.ruling": "处理异议",
    "notice.spam": "异议列为无效信息",
    "notice.finalize": "公示结束并确定获奖名单",
    "notification.create": "发送站内通知",
    "notification.email": "发送通知邮件",
    "notification.read": "阅读通知",
    "notification.read_all": "全部通知标为已读",
    "round.create_defaults": "创建评审轮次",
    "round.update": "修改轮次设置",
    "round.criterion": "修改评分细则",
    "round.criterion_delete": "删除评分项",
    "round.assign": "生成评审分配",
    "round.open": "开始评审",
    "round.close": "截止评审轮次",
    "round.finalize": "评审结果定稿",
    "round.reopen": "重新开放评审轮次",
    "assignment.add": "手动增加分配",
    "assignment.remove": "取消分配",
    "assignment.recuse": "评审专家回避",
    "assignment.extra": "在分数线附近增加评审",
    "round.remind": "提醒专家提交评分",
    "round.revisit": "请专家复核评分",
    "idea.reply": "答复建议",
    "idea.withdraw": "撤回建议",
    "idea.delete_draft": "删除草稿",
    "idea.correction": "补充更正",
    "idea.support": "附议建议",
    "idea.support_withdraw": "撤回附议",
    "idea.supplement": "提出补充建议",
    "idea.supplement_hide": "隐藏补充建议",
    "idea.public_consent": "修改是否公开建议",
    "notification.preference": "修改通知方式",
    "review.save": "保存评分草稿",
    "review.submit": "提交评分",
    "vote.settings": "修改公众投票设置",
    "vote.publish": "公布投票计分办法",
    "vote.cast": "公众投票",
    "vote.withdraw": "撤回投票",
    "vote.void": "作废投票",
    "vote.restore": "恢复作废的投票",
    "certificate.issue": "颁发荣誉证书",
}
