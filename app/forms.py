"""The base of every form: Chinese built-in messages, and choices in the form
WTForms wants them."""
from flask_wtf import FlaskForm
from wtforms import SelectChoice, TextAreaField
from wtforms.validators import DataRequired

from app.regions import REGIONS
from app.validators import CharLength, strip_filter

# What a datetime-local input sends, and what people type where it is a plain text box.
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class BaseForm(FlaskForm):
    class Meta:
        # WTForms' own translations, for messages such as "Not a valid choice".
        locales = ["zh"]


def choices(pairs):
    return [SelectChoice(value, label) for value, label in pairs]


def region_choices(blank_label):
    return choices([("", blank_label)] + [(region, region) for region in REGIONS])


class ReasonForm(BaseForm):
    """Why staff did something (rejected, recused, reopened, restored): kept in the record."""

    reason = TextAreaField("理由", filters=[strip_filter],
                           validators=[DataRequired("请填写理由"), CharLength(2, 500)])
