from wtforms import (BooleanField, DateField, HiddenField, SelectField, SelectMultipleField, StringField,
                     SubmitField, TextAreaField)
from wtforms.validators import DataRequired, Optional, ValidationError

from app.forms import BaseForm, choices, region_choices
from app.validators import CharLength, MainlandMobile, RequiredToSubmit, strip_filter

# Field limits, in characters. Long enough for a real proposal, short enough
# that a reviewer reads the whole of it.
LIMITS = {
    "title": (5, 40),
    "problem": (30, 2000),
    "suggestion": (30, 3000),
    "benefit": (10, 1000),
}


def _text(label, name, widget=StringField, hint=None):
    low, high = LIMITS[name]
    return widget(label, filters=[strip_filter], description=hint or f"{low}–{high} 字",
                  validators=[RequiredToSubmit(f"请填写{label}"), CharLength(low, high)],
                  render_kw={"data-max-chars": high})


class IdeaForm(BaseForm):
    """The proposal form. 保存草稿 checks only what is filled in; 提交 checks everything."""

    submission_token = HiddenField(filters=[strip_filter])
    title = StringField("标题", filters=[strip_filter], description="5–40 字，一句话说清建议",
                        validators=[DataRequired("请填写标题"), CharLength(*LIMITS["title"])],
                        render_kw={"data-max-chars": LIMITS["title"][1]})
    theme = SelectField("针对的瓶颈", choices=[], validators=[RequiredToSubmit("请选择建议针对的瓶颈")])
    problem = _text("问题描述", "problem", TextAreaField, "30–2000 字：存在什么问题，卡在哪里")
    suggestion = _text("对策建议", "suggestion", TextAreaField, "30–3000 字：具体怎么改，谁来做")
    benefit = _text("预期成效", "benefit", TextAreaField, "10–1000 字：改了以后有什么效果")
    region = SelectField("所在地区", choices=region_choices("请选择"),
                         validators=[RequiredToSubmit("请选择所在地区")])
    contact_phone = StringField("联系电话", filters=[strip_filter],
                                description="仅工作人员可见，用于核实和联系",
                                validators=[RequiredToSubmit("请填写联系电话"), MainlandMobile()])
    show_name = BooleanField("入选后可以公开我的姓名")
    public_consent = BooleanField("采纳后可以在网站上公开这条建议", description=(
        "公开后任何人可以阅读、附议和补充；只显示建议的内容、主题和办理进度，不显示姓名、电话和地区"))
    submit = SubmitField("提交建议")
    save_draft = SubmitField("保存草稿")

    @property
    def is_draft(self):
        return bool(self.save_draft.data) and not self.submit.data

    def set_theme_choices(self, pairs):
        self.theme.choices = choices([("", "请选择")] + list(pairs))

    def idea_fields(self):
        """The idea's columns from the form; a draft's empty fields become "" or NULL."""
        fields = {name: getattr(self, name).data or ""
                  for name in ("title", "problem", "suggestion", "benefit")}
        fields["region"] = self.region.data or None
        fields["contact_phone"] = self.contact_phone.data or None
        fields["show_name"] = bool(self.show_name.data)
        fields["public_consent"] = bool(self.public_consent.data)
        return fields


class ScreeningFilterForm(BaseForm):
    """Query-string filters of the screening queue (a GET form: no CSRF needed)."""

    class Meta:
        csrf = False

    # "" (全部) is a choice of its own; Optional() would wave whitespace past the choice check.
    status = SelectField("状态", choices=[], default="")
    theme = SelectField("主题", choices=[], default="")
    region = SelectField("地区", choices=region_choices("全部地区"), default="")
    date_from = DateField("提交日期从", validators=[Optional()])
    date_to = DateField("至", validators=[Optional()])
    q = StringField("搜索", filters=[strip_filter], validators=[Optional(), CharLength(max=100)])

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(f"结束日期早于开始日期（{self.date_from.data:%Y-%m-%d}），请检查日期范围")


class AcceptForm(BaseForm):
    reason = TextAreaField("备注（选填）", filters=[strip_filter],
                           validators=[Optional(), CharLength(max=500)])


class MergeForm(BaseForm):
    target_code = StringField("保留的建议编号", filters=[strip_filter],
                              validators=[DataRequired("请填写要保留的建议编号，如 XC-2024-000123"),
                                          CharLength(max=20)])
    reason = TextAreaField("合并理由", filters=[strip_filter],
                           validators=[DataRequired("请填写合并理由，双方提出人都会看到"),
                                       CharLength(2, 500)])
    credit = BooleanField("把这条（后提交的）建议的提出人列为保留建议的共同提出人",
                          description="只在确属各自独立提出时勾选：共同提出人在入选后同样获得署名和荣誉证书")
    # Set by the confirmation page: the first send only shows both ideas side by side.
    confirmed = HiddenField(filters=[strip_filter])

    @property
    def is_confirmed(self):
        return self.confirmed.data == "yes"


class BulkScreenForm(BaseForm):
    idea_ids = SelectMultipleField(coerce=int, validate_choice=False,
                                   validators=[DataRequired("请先勾选要处理的建议")])
    action = SelectField("批量操作", choices=choices([("accept", "采纳"), ("reject", "不予采纳")]))
    # No Optional(): it would stop the chain before validate_reason sees an empty reason.
    reason = TextAreaField("理由（不予采纳时必填）", filters=[strip_filter], validators=[CharLength(max=500)])

    def validate_reason(self, field):
        if self.action.data == "reject" and not field.data:
            raise ValidationError("批量不予采纳须填写理由，提出人会看到")


class TrackForm(BaseForm):
    class Meta:
        csrf = False

    code = StringField("建议编号", filters=[strip_filter],
                       validators=[DataRequired("请输入建议编号"), CharLength(max=20)])


class ThemeConfirmForm(BaseForm):
    theme = SelectField("主题", choices=[], validators=[DataRequired("请选择主题")])


class OffTopicForm(BaseForm):
    """One decision for many ideas of the 不属于本次征集 queue."""

    idea_ids = SelectMultipleField(coerce=int, validate_choice=False)
    scope = SelectField("处理范围", choices=choices([("selected", "勾选的建议"),
                                                     ("all", "当前筛选下的全部建议")]))
    decision = SelectField("处理决定", choices=choices([
        ("reject", "不予采纳：不属于本次征集"), ("keep", "退回筛选：属于本次征集")]))
    reason = TextAreaField("理由", filters=[strip_filter], description="记入每条建议的办理记录，提出人会看到",
                           validators=[DataRequired("请填写理由"), CharLength(2, 500)])

    def validate_idea_ids(self, field):
        if self.scope.data == "selected" and not field.data:
            raise ValidationError("请先勾选要处理的建议，或选择“当前筛选下的全部建议”")
