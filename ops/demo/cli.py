import click
from flask import current_app
from flask.cli import AppGroup

from app.campaigns.queries import current_campaign
from ops.demo.finished import load_finished_campaign
from ops.demo.loader import DEMO_ACCOUNTS, load_demo
from app.extensions import db
from app.timeutil import now
from ideas.analysis_services import rebuild

demo_cli = AppGroup("demo", help="演示数据。")


@demo_cli.command("load")
def load_command():
    """Load demo accounts, a current campaign and its ideas, and last year's
    finished campaign with its ten winners (each kept if already there)."""
    today = now()
    created = load_demo(current_app.config["DEMO_PASSWORD"], today)
    db.session.commit()
    if created:
        # The demo shows themes, clusters and similar ideas from the start.
        click.echo("▸ 文本分析（主题归类、聚类、相似建议）…")
        rebuild(current_campaign())
        db.session.commit()
        click.echo("已载入演示数据，并完成文本分析。")
    finished = load_finished_campaign(today)
    db.session.commit()
    if finished:
        click.echo(f"已载入 {today.year - 1} 年已结束的活动：三轮评审、公示和异议处理，公布了十大金点子。")
    if not created and not finished:
        click.echo("演示数据已存在，保留现有数据。")


@demo_cli.command("accounts")
def accounts_command():
    """Print the demo accounts and their password."""
    password = current_app.config["DEMO_PASSWORD"]
    click.echo("演示账号（密码均为 %s）：" % password)
    for login, role, name, *_ in DEMO_ACCOUNTS:
        click.echo(f"  {role.label}\t{login}\t{name or ''}")
    click.echo("  另有 44 位演示群众：13900000001 … 13900000044")
