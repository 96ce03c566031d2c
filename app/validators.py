"""Field rules shared by several forms, with their Chinese messages."""
import re

from email_validator import EmailNotValidError, validate_email
from wtforms.validators import StopValidation, ValidationError

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalize_mobile(value):
    """Strip the separators and +86 prefix people type; None if not a mobile."""
    digits = re.sub(r"[\s\-()（）]", "", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if MOBILE_RE.match(digits) else None


def normalize_email(value):
    try:
        return validate_email((value or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def parse_login(value):
    """(kind, normalized) for a mobile number or e-mail address, else (None, None)."""
    mobile = normalize_mobile(value)
    if mobile:
        return "mobile", mobile
    email = normalize_email(value)
    if email:
        return "email", email
    return None, None


class MainlandMobile:
    message = "请输入有效的11位中国大陆手机号码"

    def __call__(self, form, field):
        if not field.data:
            return
        mobile = normalize_mobile(field.data)
        if not mobile:
            raise ValidationError(self.message)
        field.data = mobile


# C0 control characters other than tab and newline (and DEL): PostgreSQL refuses
# NUL in text outright, and none of them belong in a proposal.
_CONTROL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 127])


def clean_text(value):
    """Text as stored: no control characters, Windows line ends made plain."""
    return value.replace("\r\n", "\n").translate(_CONTROL) if isinstance(value, str) else value


def strip_filter(value):
    value = clean_text(value)
    return value.strip() if isinstance(value, str) else value


class CharLength:
    """Length in characters, with a message that says which limit was missed.
    The minimum is not applied to drafts: a draft is work in progress."""

    def __init__(self, min=0, max=None):
        self.min, self.max = min, max

    def __call__(self, form, field):
        length = len(field.data or "")
        if self.min and length < self.min and not getattr(form, "is_draft", False):
            raise ValidationError(f"至少需要 {self.min} 个字（现在 {length} 个）")
        if self.max is not None and length > self.max:
            raise ValidationError(f"不能超过 {self.max} 个字（现在 {length} 个）")


class RequiredToSubmit:
    """Required when the idea is submitted; a draft may leave the field empty."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.data in (None, "") or (isinstance(field.data, str) and not field.data.strip()):
            field.errors[:] = []
            raise StopValidation("" if getattr(form, "is_draft", False) else self.message)
