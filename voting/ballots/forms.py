import re

from wtforms import BooleanField, DateTimeLocalField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional, ValidationError

from app.forms import DATETIME_FORMATS, BaseForm, ReasonForm, choices
from app.validators import CharLength, strip_filter
from voting.ballots.services import VOID_KINDS


class VoteSettingsForm(BaseForm):
    public_vote = BooleanField("本轮开启公众投票")
    vote_opens_at = DateTimeLocalField("投票开始（北京时间）", format=DATETIME_FORMATS,
                                       validators=[Optional()],
                                       description="须在本轮评审时间内；计分办法须在此之前公布")
    vote_closes_at = DateTimeLocalField("投票截止（北京时间）", format=DATETIME_FORMATS,
                                        validators=[Optional()])
    votes_per_citizen = IntegerField("每人最多可投几条建议", validators=[
        Optional(), NumberRange(1, 1000, "每人可投票数须在 1–1000 之间")])
    # Typed as a percentage; the round stores the share (70 → 0.7).
    expert_weight = IntegerField("专家评分所占比例（%）", validators=[
        Optional(), NumberRange(0, 100, "比例须为 0–100 之间的整数")],
        description="例如 70：专家评分占 70 %，公众投票占 30 %")

    def validate_vote_closes_at(self, field):
        if self.vote_opens_at.data and field.data and field.data <= self.vote_opens_at.data:
            raise ValidationError("投票截止时间必须晚于开始时间")

    @property
    def expert_share(self):
        return self.expert_weight.data / 100 if self.expert_weight.data is not None else None


def _vote_ids(text):
    return [int(n) for n in re.findall(r"\d+", text or "")]


class VoidForm(ReasonForm):
    kind = SelectField("按什么选出这批投票", choices=choices(VOID_KINDS.items()))
    value = TextAreaField("网段、浏览器标识、建议或投票编号", filters=[strip_filter],
                          validators=[DataRequired("请填写要作废的网段、浏览器标识、建议或投票编号"),
                                      CharLength(max=2000)],
                          description="投票编号可用逗号或空格分隔")

    def validate_value(self, field):
        if self.kind.data in ("new_accounts", "quick_votes", "ids") and not _vote_ids(field.data):
            raise ValidationError("请填写数字编号")

    def selection(self):
        """The value as the service wants it for the chosen kind."""
        if self.kind.data == "ids":
            return _vote_ids(self.value.data)
        if self.kind.data in ("new_accounts", "quick_votes"):
            return _vote_ids(self.value.data)[0]
        return self.value.data
