from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Optional, ValidationError

from app.auth.models import Role
from app.forms import BaseForm, choices, region_choices
from app.auth.passwords import StrongPassword
from app.validators import CharLength, parse_login, strip_filter

PASSWORD_HINT = "至少 8 位；最好 12 位以上，例如几个词连在一起。不能用常见密码、手机号或姓名"


class LoginIdentifierField(StringField):
    """Mobile number or e-mail; after validation ``kind`` and ``value`` hold the parsed login."""

    def pre_validate(self, form):
        self.kind, self.value = parse_login(self.data)


def valid_login(form, field):
    if field.kind is None:
        raise ValidationError("请输入有效的手机号码或电子邮箱")


class RegisterForm(BaseForm):
    login = LoginIdentifierField(
        "手机号或电子邮箱", filters=[strip_filter],
        validators=[DataRequired("请填写手机号或电子邮箱"), valid_login],
    )
    # A mobile login is proven with an SMS code; an e-mail login needs none.
    code = StringField("短信验证码", filters=[strip_filter], validators=[CharLength(max=12)],
                       render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 12})
    real_name = StringField("真实姓名（选填）", filters=[strip_filter],
                            validators=[Optional(), CharLength(max=20)])
    password = PasswordField("密码", description=PASSWORD_HINT,
                             validators=[DataRequired("请设置密码"), StrongPassword()])
    password2 = PasswordField(
        "确认密码", validators=[DataRequired("请再次输入密码"), EqualTo("password", "两次输入的密码不一致")]
    )
    consent = BooleanField("我已阅读并同意《隐私政策》",
                           validators=[DataRequired("请阅读并同意隐私政策后再注册")])

    def validate_code(self, field):
        if getattr(self.login, "kind", None) == "mobile" and not field.data:
            raise ValidationError("请输入短信验证码")


class LoginForm(BaseForm):
    login = StringField("手机号或电子邮箱", filters=[strip_filter],
                        validators=[DataRequired("请填写手机号或电子邮箱"), CharLength(max=254)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), CharLength(max=128)])
    remember = BooleanField("在这台设备上保持登录")


class ChangePasswordForm(BaseForm):
    current_password = PasswordField("当前密码", validators=[DataRequired("请输入当前密码")])
    password = PasswordField("新密码", description=PASSWORD_HINT,
                             validators=[DataRequired("请设置新密码"), StrongPassword()])
    password2 = PasswordField(
        "确认新密码",
        validators=[DataRequired("请再次输入新密码"), EqualTo("password", "两次输入的密码不一致")]
    )


STAFF_ROLE_CHOICES = [(r.value, r.label) for r in (Role.staff, Role.reviewer, Role.admin)]


class CreateAccountForm(RegisterForm):
    """Admins create staff, reviewer and admin accounts."""

    code = None
    consent = None

    real_name = StringField("真实姓名", filters=[strip_filter],
                            validators=[DataRequired("请填写姓名"), CharLength(max=20)])
    role = SelectField("角色", choices=choices(STAFF_ROLE_CHOICES), validators=[DataRequired()])
    # No Optional(): it would stop the chain before the reviewer checks below.
    region = SelectField("所在地区（评审专家必填）", choices=region_choices("—"))
    work_unit = StringField("工作单位（评审专家必填）", filters=[strip_filter],
                            validators=[CharLength(max=100)])

    def validate_region(self, field):
        if self.role.data == Role.reviewer.value and not field.data:
            raise ValidationError("评审专家须填写所在地区，用于回避")

    def validate_work_unit(self, field):
        if self.role.data == Role.reviewer.value and not field.data:
            raise ValidationError("评审专家须填写工作单位，用于回避")
