from wtforms import BooleanField, SubmitField

from app.forms import BaseForm


class PreferenceForm(BaseForm):
    email = BooleanField("同时发邮件（账号须填写邮箱）")
    sms = BooleanField("同时发短信（短信服务开通后，发到账号绑定的手机）")
    submit = SubmitField("保存")
