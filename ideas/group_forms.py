from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Optional, ValidationError

from app.forms import BaseForm, choices
from app.validators import CharLength, strip_filter
from ideas.groups import DECISIONS

_CREDIT = "把后提交的提出人列为共同提出人（不勾选：列为附议人，仍计入提出人数）"


class GroupDecisionForm(BaseForm):
    """One decision for every member of a group."""

    decision = SelectField("整组处理", choices=choices(DECISIONS.items()))
    into_code = StringField("并入的建议编号", filters=[strip_filter],
                            validators=[Optional(), CharLength(0, 20)],
                            description="“整组并入已有建议”时填写，须是先提交的建议，如 XC-2024-000123")
    credit = BooleanField(_CREDIT)
    reason = TextAreaField("理由", filters=[strip_filter], validators=[Optional(), CharLength(0, 500)],
                           description="记入每条建议的办理记录，提出人会看到；整组不予采纳时必须填写")

    def validate_reason(self, field):
        if self.decision.data == "reject" and not field.data:
            raise ValidationError("整组不予采纳须说明理由，每位提出人都会看到")

    def validate_into_code(self, field):
        if self.decision.data == "merge" and not field.data:
            raise ValidationError("请填写要并入的建议编号")


class GroupSplitForm(BaseForm):
    reason = TextAreaField("拆分理由", filters=[strip_filter], validators=[Optional(), CharLength(0, 500)])


class ClusterDecisionForm(BaseForm):
    """A page of a cluster as one decision: the ticked ones accepted, the rest of the
    page set aside with one reason. ``shown`` and ``shown_groups`` carry the units the
    page listed, so the decision covers those and no others."""

    idea_ids = SelectMultipleField(coerce=int, validate_choice=False)
    shown = SelectMultipleField(coerce=int, validate_choice=False)
    shown_groups = SelectMultipleField(coerce=int, validate_choice=False)
    credit = BooleanField(_CREDIT)
    reason = TextAreaField("其余的不予采纳，理由", filters=[strip_filter],
                           validators=[Optional(), CharLength(0, 500)],
                           description="本页没有勾选的建议（含其分组成员）都不予采纳，"
                                       "理由记入每条建议的办理记录，提出人会看到")
