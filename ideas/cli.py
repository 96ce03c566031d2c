from pathlib import Path

import click
from flask.cli import AppGroup

from app.campaigns.queries import current_campaign
from app.extensions import db
from ideas import queries
from ideas.analysis_services import rebuild
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
    path.write_bytes(export_ideas(campaign, queries.ScreeningFilter(status=status), fmt))
    click.echo(f"已导出到 {path}")


nlp_cli = AppGroup("nlp", help="文本分析。")


@nlp_cli.command("rebuild")
@click.option("--seed", default=0, show_default=True, help="聚类随机种子：同样的输入和种子得到同样的聚类")
def rebuild_command(seed):
    """Re-segment changed ideas, re-assign themes, re-cluster and re-index the current campaign."""
    campaign = current_campaign()
    if campaign is None:
        raise click.ClickException("当前没有征集活动")
    with click.progressbar(length=1, label="文本分析") as bar:
        def progress(done, total, message):
            bar.length = total
            bar.label = message
            bar.update(done - bar.pos)

        run = rebuild(campaign, progress, seed=seed)
    db.session.commit()
    if run is None:
        click.echo("没有可分析的建议。")
        return
    click.echo(f"完成：主题归类方式 {run.strategy}，{len(run.clusters)} 个聚类。")
