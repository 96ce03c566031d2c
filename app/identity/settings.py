"""The identity settings and their defaults. Machine-specific ones (the SMS
gateway) come from the environment; a config class or ``test_config`` that
names a key wins over the default here."""
import os


def defaults(app, environ=os.environ):
    return {
        # "console" writes codes to the log; "http" posts them to SMS_HTTP_URL (see sms.HttpProvider).
        "SMS_PROVIDER": environ.get("SMS_PROVIDER", "console"),
        "SMS_HTTP_URL": environ.get("SMS_HTTP_URL"),
        "SMS_HTTP_TOKEN": environ.get("SMS_HTTP_TOKEN"),
        "SMS_HTTP_TEMPLATE_ID": environ.get("SMS_HTTP_TEMPLATE_ID"),
        "SMS_HTTP_TIMEOUT": environ.get("SMS_HTTP_TIMEOUT", "5"),
        "SMS_CODE_MINUTES": 5,
        "SMS_CODE_TRIES": 5,
        "SMS_COOLDOWN_SECONDS": 60,
        # Counted from the sms_codes table, so every worker and restart counts together.
        "SMS_LIMIT_PER_PHONE": "10 per day",
        # Generous: a campus or an office shares one address.
        "SMS_LIMIT_PER_ADDRESS": "50 per hour",
        "SMS_LIMIT_PER_DEVICE": "10 per hour",
        # The 开发模式 banner shows console codes on the page (never with a real gateway).
        "SMS_DEV_BANNER": app.debug,
        # ProductionConfig turns this off: there the console provider is refused.
        "SMS_CONSOLE_ALLOWED": True,
        "TWO_FACTOR_ISSUER": "献策湖南",
        # Set in production: staff and admins must enrol before they can use the site.
        "TWO_FACTOR_REQUIRED": environ.get("TWO_FACTOR_REQUIRED", "false").lower() == "true",
        "TWO_FACTOR_REQUIRED_ROLES": ("staff", "admin"),
        "TWO_FACTOR_PENDING_MINUTES": 5,
        "TWO_FACTOR_TRIES": 5,
        "TWO_FACTOR_LIMIT": "10 per 10 minutes",
    }


def init_app(app):
    from app.auth.hooks import KEY, IdentityHooks
    from app.identity import login_flow, services
    from app.identity.sms import make_provider

    for key, value in defaults(app).items():
        app.config.setdefault(key, value)
    if app.config["SMS_PROVIDER"] == "console" and not app.config["SMS_CONSOLE_ALLOWED"]:
        raise RuntimeError("生产环境不能使用 console 短信服务（验证码不会发到手机）："
                           "请设置 SMS_PROVIDER=http 和短信网关")
    if app.config["SMS_PROVIDER"] == "console" and not (app.debug or app.testing):
        app.logger.warning("短信服务为 console：验证码只写入日志，不会发到手机"
                           "（生产环境请设置 SMS_PROVIDER=http）")
    app.extensions["identity_sms"] = make_provider(app.config)
    app.extensions[KEY] = IdentityHooks(register_by_code=services.register_by_code,
                                        complete_login=login_flow.complete_login)
