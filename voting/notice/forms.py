from wtforms import DateTimeLocalField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from app.forms import DATETIME_FORMATS, BaseForm, choices
from app.validators import CharLength, strip_filter

CITATION_MAX = 200
DECISIONS = (("dismissed", "异议不成立"), ("upheld", "异议成立（取消入选，由候补递补）"))


def announcement_form(announcement):
    """The intro and one citation (评语) field per entry, finalists first."""

    class AnnouncementForm(BaseForm):
        intro = TextAreaField("公示说明（选填）", filters=[strip_filter],
                              validators=[Optional(), CharLength(max=1000)],
                              description="显示在公示名单上方，例如评选经过和异议的提出方式。")

    for entry in announcement.entries:
        label = f"第 {entry.rank} 名" if entry.rank else f"候补（总排名第 {entry.position} 位）"
        setattr(AnnouncementForm, f"c{entry.id}", TextAreaField(
            f"{label}：{entry.title}", filters=[strip_filter],
            validators=[Optional(), CharLength(max=CITATION_MAX)],
            description=f"评语，不超过 {CITATION_MAX} 字"))
    form = AnnouncementForm(data={
        "intro": announcement.intro, **{f"c{e.id}": e.citation for e in announcement.entries}})
    form.citation_fields = [(entry, form[f"c{entry.id}"]) for entry in announcement.entries]
    return form


def citations(form):
    return {entry.id: field.data or "" for entry, field in form.citation_fields}


class PublishForm(BaseForm):
    ends_at = DateTimeLocalField("公示截止时间（北京时间）", format=DATETIME_FORMATS,
                                 validators=[DataRequired("请填写公示截止时间，格式如 2024-03-31 18:00")])


class ObjectionForm(BaseForm):
    reason = TextAreaField("异议理由", filters=[strip_filter],
                           validators=[DataRequired("请写明异议理由"), CharLength(10, 1000)],
                           description="请写明事实和依据，例如建议与他人成果雷同、内容不实等。"
                                       "理由和处理结果会公开，您的身份不会公开。")


class RulingForm(BaseForm):
    decision = SelectField("处理结果", choices=choices(DECISIONS),
                           validators=[InputRequired("请选择处理结果")])
    ruling = TextAreaField("处理理由（会公开）", filters=[strip_filter],
                           validators=[DataRequired("请写明处理理由"), CharLength(2, 500)])


class SpamForm(BaseForm):
    """Pending objections set aside in one go, e.g. the same advertisement from many accounts."""

    objection_ids = SelectMultipleField(coerce=int, validate_choice=False,
                                        validators=[DataRequired("请先勾选要驳回的异议")])
    reason = TextAreaField("驳回理由（记入操作日志，不公开）", filters=[strip_filter],
                           validators=[DataRequired("请写明驳回理由"), CharLength(2, 500)])
