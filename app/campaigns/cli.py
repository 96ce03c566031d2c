import click
from flask.cli import AppGroup

from app.campaigns import services
from app.extensions import db

campaign_cli = AppGroup("campaign", help="管理征集活动。")


@campaign_cli.command("create")
@click.option("--year", type=int, required=True)
@click.option("--title", default=None, help="默认：献策湖南 · 金点子征集（年份）")
@click.option("--opens", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%d %H:%M"]), required=True,
              help="征集开始（北京时间）")
@click.option("--closes", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%d %H:%M"]), required=True,
              help="征集截止（北京时间）")
@click.option("--current/--not-current", default=True, help="设为网站当前展示的活动")
def create_campaign_command(year, title, opens, closes, current):
    """Create a campaign with the ten default themes and 其他."""
    if closes <= opens:
        raise click.ClickException("截止时间必须晚于开始时间")
    try:
        campaign = services.create_campaign(
            None, year, title or f"献策湖南 · 金点子征集（{year}）", opens, closes, make_current=current
        )
    except services.CampaignExists as exc:
        raise click.ClickException(exc.message)
    db.session.commit()
    click.echo(f"已创建活动 {campaign.year}：{campaign.title}")
