"""The base of every form: Chinese built-in messages, and choices in the form
WTForms wants them."""
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from app.regions import REGIONS

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
