import re
import unicodedata

from wtforms import StringField
from wtforms.validators import DataRequired, ValidationError

from app.forms import BaseForm
from app.pdf import missing_characters
from app.validators import CharLength, strip_filter

NAME_MAX = 20


def _visible(value):
    """The name as typed, less invisible format characters (a zero-width space pasted along)."""
    value = strip_filter(value)
    return "".join(c for c in value if unicodedata.category(c) != "Cf") if isinstance(value, str) else value


def _printable_name(form, field):
    """Only what the certificate font can print, and no digits or masks: a
    name, never a phone number or an e-mail address."""
    if re.search(r"[\d@*＊]", field.data or ""):
        raise ValidationError("姓名中不能有数字、@ 或 *，请填写您的姓名")
    missing = missing_characters(field.data or "")
    if missing:
        raise ValidationError(f"证书字体中没有“{'、'.join(missing)}”，请换用通行写法")


class CertificateNameForm(BaseForm):
    name = StringField(
        "证书上的姓名", filters=[_visible],
        validators=[DataRequired("请填写证书上的姓名"), CharLength(max=NAME_MAX), _printable_name],
        description="将印在荣誉证书上，并显示在任何人扫码可见的证书核验页上。少数民族姓名可用间隔号，如：买买提·艾力。")
