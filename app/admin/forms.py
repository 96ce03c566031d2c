from wtforms import DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional, ValidationError

from app.auth.models import Role
from app.forms import DATETIME_FORMATS, BaseForm, choices, region_choices
from app.validators import CharLength, strip_filter

ROLE_CHOICES = [(role.value, role.label) for role in Role]


class CampaignForm(BaseForm):
    title = StringField("活动名称", filters=[strip_filter],
                        validators=[DataRequired("请填写活动名称"), CharLength(4, 80)])
    description = TextAreaField("活动介绍", filters=[strip_filter],
                                validators=[Optional(), CharLength(max=3000)])
    submit_opens_at = DateTimeLocalField("征集开始（北京时间）", format=DATETIME_FORMATS,
                                         validators=[DataRequired("请填写开始时间，格式如 2024-02-05 09:00")])
    submit_closes_at = DateTimeLocalField(
        "征集截止（北京时间）", format=DATETIME_FORMATS,
        validators=[DataRequired("请填写截止时间，格式如 2024-03-31 18:00")])

    def validate_submit_closes_at(self, field):
        if self.submit_opens_at.data and field.data and field.data <= self.submit_opens_at.data:
            raise ValidationError("截止时间必须晚于开始时间")


class NewCampaignForm(CampaignForm):
    year = IntegerField("年份", validators=[DataRequired("请填写年份"),
                                          NumberRange(2020, 2100, "年份应在 2020–2100 之间")])


class ThemeForm(BaseForm):
    name = StringField("主题名称", filters=[strip_filter],
                       validators=[DataRequired("请填写主题名称"), CharLength(2, 40)])
    description = TextAreaField("说明", filters=[strip_filter], validators=[Optional(), CharLength(max=1000)])
    keywords = StringField("关键词（空格或逗号分隔）", filters=[strip_filter],
                           validators=[Optional(), CharLength(max=500)])


class EditAccountForm(BaseForm):
    real_name = StringField("真实姓名", filters=[strip_filter], validators=[Optional(), CharLength(max=20)])
    role = SelectField("角色", choices=choices(ROLE_CHOICES), validators=[DataRequired()])
    region = SelectField("所在地区", choices=region_choices("—"))
    work_unit = StringField("工作单位", filters=[strip_filter], validators=[CharLength(max=100)])
