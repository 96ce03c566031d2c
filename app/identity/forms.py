from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired

from app.auth.forms import ChangePasswordForm
from app.forms import BaseForm
from app.validators import CharLength, MainlandMobile, strip_filter


def phone_field(label="手机号码"):
    return StringField(label, filters=[strip_filter],
                       validators=[DataRequired("请填写手机号码"), MainlandMobile()],
                       render_kw={"inputmode": "tel", "autocomplete": "tel"})


def sms_code_field():
    return StringField("短信验证码", filters=[strip_filter],
                       validators=[DataRequired("请输入短信验证码"), CharLength(max=12)],
                       render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 12})


class ResetPasswordForm(BaseForm):
    phone = phone_field()
    code = sms_code_field()
    # The password rules of the change-password form, whatever they become.
    password = ChangePasswordForm.password
    password2 = ChangePasswordForm.password2


class SmsLoginForm(BaseForm):
    phone = phone_field()
    code = sms_code_field()
    remember = BooleanField("在这台设备上保持登录")


class VerifyPhoneForm(BaseForm):
    phone = phone_field()
    code = sms_code_field()


class TotpCodeForm(BaseForm):
    code = StringField("验证器上的 6 位验证码", filters=[strip_filter],
                       validators=[DataRequired("请输入验证码"), CharLength(max=12)],
                       render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"})


class SecondFactorForm(BaseForm):
    code = StringField("验证码或恢复码", filters=[strip_filter],
                       validators=[DataRequired("请输入验证器上的验证码或一个恢复码"), CharLength(max=24)],
                       description="手机丢失时，可输入设置时保存的恢复码（每个只能用一次）。",
                       render_kw={"autocomplete": "one-time-code"})


class ResetTwoFactorForm(BaseForm):
    reason = TextAreaField("重置原因", filters=[strip_filter],
                           validators=[DataRequired("请填写重置原因"), CharLength(max=200)],
                           description="将写入操作日志，例如：本人手机丢失，已电话核实身份。")
