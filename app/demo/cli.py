import click
from flask import current_app
from flask.cli import AppGroup

from app.campaigns.queries import current_campaign
from app.demo.loader import DEMO_ACCOUNTS, load_demo
from app.extensions import db
from ideas.analysis_services import rebuild

demo_cli = AppGroup("demo", help="演示数据。")


@demo_cli.command("load")
def load_command():
    """Load demo accounts, a current campaign and its ideas (kept if already there)."""
    created = load_demo(current_app.config["DEMO_PASSWORD"])
    db.session.commit()
    if not created:
        click.echo("演示数据已存在，保留现有数据。")
        return
    # The demo shows themes, clusters and similar ideas from the start.
    rebuild(current_campaign())
    db.session.commit()
    click.echo("已载入演示数据，并完成文本分析。")


@demo_cli.command("accounts")
def accounts_command():
    """Print the demo accounts and their password."""
    password = current_app.config["DEMO_PASSWORD"]
    click.echo("演示账号（密码均为 %s）：" % password)
    for login, role, name, *_ in DEMO_ACCOUNTS:
        click.echo(f"  {role.label}\t{login}\t{name or ''}")
    click.echo("  另有 44 位演示群众：13900000001 … 13900000044")
