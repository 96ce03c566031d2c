import click
from flask.cli import AppGroup

from app.auth import services
from app.auth.models import Role
from app.auth.passwords import password_problem
from app.extensions import db
from app.regions import REGIONS

users_cli = AppGroup("users", help="管理账号。")


@users_cli.command("create")
@click.option("--login", required=True, help="手机号或电子邮箱")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.citizen.value)
@click.option("--name", "real_name", default=None, help="真实姓名")
@click.option("--region", type=click.Choice(REGIONS), default=None, help="评审专家所在地区")
@click.option("--work-unit", default=None, help="评审专家工作单位")
def create_user_command(login, password, role, real_name, region, work_unit):
    """Create an account with the given role."""
    role = Role(role)
    if role is Role.reviewer and not (region and work_unit):
        raise click.UsageError("评审专家须提供 --region 和 --work-unit（用于回避）")
    problem = password_problem(password, [login, real_name])
    if problem:
        raise click.UsageError(problem)
    try:
        user = services.create_account(None, login, password, role, real_name=real_name,
                                       region=region, work_unit=work_unit)
    except (services.AccountExists, ValueError) as exc:
        raise click.ClickException(getattr(exc, "message", str(exc)))
    db.session.commit()
    click.echo(f"已创建 {role.label} 账号 {user.login_name}（id={user.id}）")
