"""``flask identity …``: what an administrator does from the server's shell."""
from datetime import timedelta

import click
from sqlalchemy import delete

from app.auth.queries import find_by_login
from app.errors import Refused
from app.extensions import db
from app.identity import services
from app.identity.models import SmsCode
from app.timeutil import now
from app.validators import parse_login


def register(cli):
    @cli.command("reset-2fa")
    @click.option("--login", required=True, help="手机号或电子邮箱")
    @click.option("--reason", required=True, help="重置原因（写入操作日志）")
    def reset_2fa_command(login, reason):
        """Remove an account's two-factor, e.g. for the only admin who lost their phone."""
        _, value = parse_login(login)
        user = find_by_login(value) if value else None
        if user is None:
            raise click.ClickException(f"没有这个账号：{login}")
        try:
            services.reset_two_factor(None, user, reason)
        except Refused as exc:
            raise click.ClickException(exc.message)
        db.session.commit()
        click.echo(f"已重置 {user.login_name} 的两步验证。")

    @cli.command("purge-codes")
    @click.option("--days", default=30, show_default=True, help="保留最近多少天的短信验证码记录")
    def purge_codes_command(days):
        """Delete SMS code records older than the limits and the security review need."""
        if days < 1:
            raise click.UsageError("--days 至少为 1（发送限制按最近 24 小时计算）")
        result = db.session.execute(delete(SmsCode).where(SmsCode.sent_at < now() - timedelta(days=days)))
        db.session.commit()
        click.echo(f"已删除 {result.rowcount} 条 {days} 天前的短信验证码记录。")
