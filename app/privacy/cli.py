"""``flask users purge-inactive`` and ``flask users expire-campaign-data``: the
retention periods of the privacy policy, run daily from cron."""
import click
from flask import current_app

from app.auth.cli import users_cli
from app.extensions import db
from app.notifications.services import email_notifications
from app.privacy import services
from app.timeutil import now


def _settings(key, given):
    """The app's settings, with the period given on the command line in place of the configured one."""
    config = dict(current_app.config)
    if given is not None:
        config[key] = given
    return config


@users_cli.command("purge-inactive")
@click.option("--days", type=click.IntRange(min=60), default=None,
              help="多少天未登录即注销（默认 INACTIVE_ACCOUNT_DAYS，365）")
def purge_inactive_command(days):
    """Notify accounts inactive for long (30 and 7 days ahead), then delete them."""
    notices, deleted = services.purge_inactive(now(), _settings("INACTIVE_ACCOUNT_DAYS", days))
    db.session.commit()
    # The notice is about the account itself: it goes by e-mail to every address on file.
    mailed = email_notifications([n for n in notices if n.user.email], current_app.config.get("SITE_URL", ""))
    db.session.commit()
    click.echo(f"发出注销提醒 {len(notices)} 条（邮件 {mailed} 封），注销账号 {len(deleted)} 个。")


@users_cli.command("expire-campaign-data")
@click.option("--months", type=click.IntRange(min=1), default=None,
              help="结果公布后多少个月清理（默认 CAMPAIGN_DATA_MONTHS，6）")
def expire_campaign_data_command(months):
    """Erase personal data of finished campaigns that the published results do not need."""
    campaigns, changed = services.expire_campaign_data(now(), _settings("CAMPAIGN_DATA_MONTHS", months))
    db.session.commit()
    counts = "，".join(f"{what} {count} 条" for what, count in changed.items())
    click.echo(f"已结束的活动 {len(campaigns)} 个；清理：{counts}。")
