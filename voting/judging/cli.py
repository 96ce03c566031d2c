import json

import click
from flask import current_app
from flask.cli import AppGroup

from app.audit.queries import first_broken_link
from app.audit.services import RetentionTooShort, prune_log
from app.extensions import db
from app.timeutil import now
from app.worker import scratch_app
from voting.judging.reviewer_models import DEFAULT_NOISE, REVIEWER_MODELS

voting_cli = AppGroup("voting", help="评审轮次。")
audit_cli = AppGroup("audit", help="操作日志。")
voting_cli.add_command(audit_cli)


@audit_cli.command("verify")
def verify_command():
    """Check the hash chain of the action log; report the first broken link."""
    broken = first_broken_link()
    if broken is None:
        click.echo("操作日志哈希链完整。")
        return
    raise click.ClickException(
        f"第 {broken.id} 条记录（{broken.created_at:%Y-%m-%d %H:%M:%S} {broken.label}）与哈希链不符，"
        "该条或其前一条被改动过。")


@audit_cli.command("prune")
@click.option("--days", type=int, default=None,
              help="保留最近多少天（默认 AUDIT_RETENTION_DAYS；不少于 180）")
def prune_command(days):
    """Delete log entries past the retention period, keeping the chain verifiable."""
    config = current_app.config
    try:
        checkpoint = prune_log(days or config["AUDIT_RETENTION_DAYS"], config["AUDIT_RETENTION_FLOOR_DAYS"],
                               now())
    except RetentionTooShort as exc:
        raise click.UsageError(str(exc))
    db.session.commit()
    if checkpoint is None:
        click.echo("没有超过保存期的操作日志。")
        return
    click.echo(f"已清理 {checkpoint.details['count']} 条操作日志"
               f"（至第 {checkpoint.details['through_id']} 条），哈希链从检查点继续。")


@voting_cli.command("simulate")
@click.option("--ideas", "n_ideas", default=500, show_default=True)
@click.option("--reviewers", "n_reviewers", default=25, show_default=True)
@click.option("--seed", default=1, show_default=True)
@click.option("--reviewer-model", type=click.Choice(REVIEWER_MODELS), default="additive", show_default=True,
              help="合成评审专家的行为（见 voting/judging/reviewer_models.py）。")
@click.option("--noise", type=click.FloatRange(min=0), default=DEFAULT_NOISE, show_default=True,
              help="一份评分表的噪声（以真实质量的标准差为单位；1 约为单份评审信度 0.45）。")
def simulate_command(n_ideas, n_reviewers, seed, reviewer_model, noise):
    """A whole three-round selection on synthetic ideas, through the real services,
    in a throw-away SQLite database. Prints one JSON line."""
    from voting.judging.dryrun import run_dry_run

    with scratch_app(PASSWORD_HASH_METHOD="pbkdf2:sha256:1"):
        result = run_dry_run(n_ideas, n_reviewers, seed, reviewer_model, noise)
    click.echo(json.dumps(result, ensure_ascii=False))
