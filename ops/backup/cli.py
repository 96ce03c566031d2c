from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ops.backup import services
from app.extensions import db

backup_cli = AppGroup("backup", help="数据库备份与恢复。")


@backup_cli.command("create")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="备份文件，默认 instance/backups/xiance-年月日-时分秒.sqlite 或 .dump")
def create_command(output):
    """Back up the whole database into one file, while the site keeps running."""
    url = db.engine.url
    try:
        path = output or services.default_path(current_app.instance_path, url)
        services.create_backup(url, path)
    except services.BackupError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"备份完成：{services.describe(url)} → {path}（{path.stat().st_size:,} 字节）")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="确认用备份覆盖当前数据库的全部数据")
def restore_command(path, yes):
    """Replace the whole database with a backup made by `flask backup create`."""
    url = db.engine.url
    if not path.is_file():
        raise click.ClickException(f"备份文件不存在：{path}")
    if not yes:
        raise click.ClickException(f"恢复会用 {path} 覆盖 {services.describe(url)} 的全部数据；"
                                   "确认无误后加 --yes 重新运行。")
    try:
        services.restore_backup(url, path)
    except services.BackupError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"恢复完成：{path} → {services.describe(url)}")
