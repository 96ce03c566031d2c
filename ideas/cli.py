from pathlib import Path

import click
from flask.cli import AppGroup

from app.campaigns.queries import current_campaign
from ideas import queries
from ideas.exports import export_ideas

ideas_cli = AppGroup("ideas", help="建议数据。")


@ideas_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--status", default=None, help="只导出该状态，如 accepted")
def export_command(path, status):
    """Write the current campaign's submissions to PATH (.xlsx or .csv)."""
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in ("csv", "xlsx"):
        raise click.UsageError("文件名须以 .xlsx 或 .csv 结尾")
    campaign = current_campaign()
    if campaign is None:
        raise click.ClickException("当前没有征集活动")
    ideas = queries.screening_export(campaign, queries.ScreeningFilter(status=status))
    path.write_bytes(export_ideas(ideas, fmt))
    click.echo(f"已导出 {len(ideas)} 条到 {path}")
