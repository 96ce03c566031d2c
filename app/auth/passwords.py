"""The password rule (ASVS V2.1.7, V2.1.9): long, or hard to guess, and not a
common one. No composition rules: a passphrase of plain words is welcome, a
digit tacked onto a common word is not."""
import string
from functools import cache
from pathlib import Path

from flask_login import current_user
from wtforms.validators import ValidationError
from zxcvbn import zxcvbn

MIN_LENGTH = 8
# From this length on a password needs only to stay clear of the obvious.
LONG_ENOUGH = 12
MAX_LENGTH = 128
# zxcvbn scores 0–4: 3 means about 10^8 guesses or more, 2 about 10^6.
SHORT_MIN_SCORE = 3
LONG_MIN_SCORE = 2
# zxcvbn refuses longer input; what lies beyond this only makes a password stronger.
_ZXCVBN_MAX = 72


@cache
def common_passwords():
    lines = (Path(__file__).with_name("common_passwords.txt")).read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def is_common(password):
    lowered = password.lower()
    stem = lowered.rstrip(string.digits + string.punctuation + " ")
    return lowered in common_passwords() or (bool(stem) and stem in common_passwords())


def password_problem(password, user_inputs=()):
    """Why ``password`` may not be set (a Chinese sentence), or None when it may.
    ``user_inputs`` are the account's login and name, which make a weak password."""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 位"
    if len(password) > MAX_LENGTH:
        return f"密码不能超过 {MAX_LENGTH} 位"
    if is_common(password):
        return "这个密码太常见，很容易被猜中，请换一个"
    inputs = [value for value in user_inputs if value]
    score = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=inputs)["score"]
    if score < (LONG_MIN_SCORE if len(password) >= LONG_ENOUGH else SHORT_MIN_SCORE):
        return (f"密码太容易被猜中，请换一个：例如用几个词连成 {LONG_ENOUGH} 位以上，"
                "不要用手机号、姓名、重复或连续的字符")
    return None


class StrongPassword:
    """The rule above, told at the form field. The form's
    login and name (or the signed-in user's login) count as guessable words."""

    def __call__(self, form, field):
        inputs = [value for name in ("login", "real_name") if name in form
                  for value in (form[name].data, getattr(form[name], "value", None))]
        if current_user.is_authenticated:
            inputs.append(current_user.login_name)
        problem = password_problem(field.data or "", [value for value in inputs if isinstance(value, str)])
        if problem:
            raise ValidationError(problem)
