from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, ValidationError

from app.forms import BaseForm
from app.validators import CharLength, strip_filter


class DeleteAccountForm(BaseForm):
    password = PasswordField("当前密码", render_kw={"autocomplete": "current-password"})
    code = StringField("或：短信验证码", filters=[strip_filter], validators=[CharLength(max=12)],
                       render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 12})
    confirm = BooleanField("我已了解：注销后不能恢复，手机号、姓名等个人信息将被删除，"
                           "提交的建议保留并署名“已注销用户”",
                           validators=[DataRequired("请勾选确认")])

    def validate_password(self, field):
        if not field.data and not self.code.data:
            raise ValidationError("请输入当前密码，或获取并输入短信验证码")
