from wtforms import (BooleanField, DateTimeLocalField, FloatField, IntegerField, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import DataRequired, NumberRange, Optional, ValidationError

from app.forms import DATETIME_FORMATS, BaseForm, choices
from app.validators import CharLength, strip_filter
from voting.judging.models import RoundPool


class RoundForm(BaseForm):
    name = StringField("轮次名称", filters=[strip_filter],
                       validators=[DataRequired("请填写名称"), CharLength(2, 20)])
    pool = SelectField("评审池", choices=choices([(p.value, p.label) for p in RoundPool]))
    advance_count = IntegerField("晋级数量", validators=[DataRequired("请填写晋级数量"),
                                                     NumberRange(1, 100000, "晋级数量须为正整数")])
    reviewers_per_idea = IntegerField("每条建议的评审人数（留空：全部专家）",
                                      validators=[Optional(), NumberRange(1, 50, "评审人数须在 1–50 之间")])
    opens_at = DateTimeLocalField("评审开始（北京时间，选填）", format=DATETIME_FORMATS,
                                  validators=[Optional()])
    closes_at = DateTimeLocalField("评审截止（北京时间，选填）", format=DATETIME_FORMATS,
                                   validators=[Optional()])
    carry_over = BooleanField("沿用上一轮的评分")
    avoid_same_region = BooleanField("同地区专家回避")

    def validate_closes_at(self, field):
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError("截止时间必须晚于开始时间")


class CriterionForm(BaseForm):
    name = StringField("评分项", filters=[strip_filter],
                       validators=[DataRequired("请填写评分项名称"), CharLength(2, 20)])
    description = StringField("说明", filters=[strip_filter], validators=[Optional(), CharLength(max=200)])
    weight = FloatField("权重", validators=[DataRequired("请填写权重"),
                                          NumberRange(0.01, 100, "权重须为正数")])
    scale_min = IntegerField("最低分", default=1, validators=[NumberRange(0, 100, "分值须在 0–100 之间")])
    scale_max = IntegerField("最高分", default=10, validators=[NumberRange(1, 100, "分值须在 1–100 之间")])

    def validate_scale_max(self, field):
        if self.scale_min.data is not None and field.data is not None and field.data <= self.scale_min.data:
            raise ValidationError("最高分必须大于最低分")


class ManualAssignmentForm(BaseForm):
    idea_code = StringField("建议编号", filters=[strip_filter], validators=[DataRequired("请填写建议编号")])
    reviewer = SelectField("评审专家", choices=[], coerce=int)


class ExtraReviewsForm(BaseForm):
    count = IntegerField("给分数线附近最不确定的几条建议各加一位评审",
                         validators=[DataRequired("请填写条数"), NumberRange(1, 500, "条数须在 1–500 之间")])


class ConfirmForm(BaseForm):
    """Closing and finalising are deliberate: the page lists what is missing, staff tick this."""

    confirm = BooleanField("我已核对上面列出的情况，确认执行",
                           validators=[DataRequired("请先核对并勾选确认")])


class CloseForm(ConfirmForm):
    seed = IntegerField("抽签种子（留空则随机生成并记录）",
                        validators=[Optional(), NumberRange(0, 2**32 - 1)])


def review_form(criteria, review=None):
    """A score sheet with one select per criterion of the round."""

    class ReviewForm(BaseForm):
        comment = TextAreaField("评语（选填）", filters=[strip_filter],
                                validators=[Optional(), CharLength(max=2000)])

    current = review.score_map() if review else {}
    for criterion in criteria:
        scale = range(criterion.scale_min, criterion.scale_max + 1)
        options = [("", "—")] + [(str(v), str(v)) for v in scale]
        field = SelectField(f"{criterion.name}（权重 {criterion.weight:g}）", choices=choices(options),
                            description=criterion.description, default=str(current.get(criterion.id, "")))
        setattr(ReviewForm, f"c{criterion.id}", field)
    form = ReviewForm(data={"comment": review.comment} if review else None)
    form.criterion_fields = [(criterion, form[f"c{criterion.id}"]) for criterion in criteria]
    return form


def review_values(form):
    return {criterion.id: int(field.data) if field.data else None
            for criterion, field in form.criterion_fields}
