import json
from pathlib import Path

import click
from flask.cli import AppGroup

from app.campaigns.queries import current_campaign
from app.extensions import db
from ideas import queries
from ideas.analysis_services import rebuild, update
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


@nlp_cli.command("update")
def update_command():
    """Themes, gate and groups for the ideas new since the last rebuild, with its models."""
    campaign = current_campaign()
    if campaign is None:
        raise click.ClickException("当前没有征集活动")
    count = update(campaign)
    if count is None:
        raise click.ClickException("还没有可以沿用的重新分析（或主题已改动）：请先运行 flask nlp rebuild")
    db.session.commit()
    click.echo(f"完成：增量分析了 {count} 条建议。")


@ideas_cli.command("triage-sim")
@click.option("--csv", "csv_path", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--text-col", default="text", show_default=True)
@click.option("--label-col", default="label", show_default=True)
@click.option("--other-label", default="其他", show_default=True, help="标签为它的留言不是建议")
@click.option("--group-col", default=None, help="说同一件事的留言共有的编号（可选）")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="只用前 N 条")
def triage_sim_command(csv_path, text_col, label_col, other_label, group_col, limit):
    """Screen the CSV's messages as a careful staff member would, through the real
    services in a throw-away SQLite database; prints one JSON line."""
    from app.worker import scratch_app
    from ideas.triage import load_messages, run_triage

    try:
        messages = load_messages(csv_path, text_col, label_col, group_col)[:limit]
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    if not messages:
        raise click.UsageError("CSV 中没有留言")
    with scratch_app(PASSWORD_HASH_METHOD="pbkdf2:sha256:1") as app:
        result = run_triage(messages, other_label, app.config["NLP_OFF_TOPIC_DOUBT"])
    click.echo(json.dumps(result, ensure_ascii=False))
