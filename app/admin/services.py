"""What an admin changes on someone's account. Functions flush; the view commits.
Every change is in the hash-chained log, by field name: the log never holds
the passwords and names themselves."""
import secrets

from app.audit.services import log_action
from app.auth.models import Role
from app.auth.services import end_sessions, set_password
from app.errors import Refused
from app.identity.codes import RECOVERY_ALPHABET
from app.identity.models import CodePurpose
from app.identity.services import send_code

EDITABLE = ("real_name", "role", "region", "work_unit")


def update_account(actor, user, real_name, role, region, work_unit):
    if actor.id == user.id and role is not user.role:
        raise Refused("不能修改自己的角色，请由另一位管理员操作")
    if role is Role.reviewer and not (region and work_unit):
        raise Refused("评审专家须填写所在地区和工作单位，用于回避")
    values = {"real_name": real_name or None, "role": role, "region": region or None,
              "work_unit": work_unit or None}
    changed = [name for name in EDITABLE if getattr(user, name) != values[name]]
    for name in changed:
        setattr(user, name, values[name])
    if "role" in changed:
        # What the account may do changed: its open sessions end.
        end_sessions(user)
    log_action(actor, "user.update", user, fields=changed, role=role.value)
    return changed


def set_temporary_password(actor, user):
    """A random password the admin passes on by phone or in person; every
    session of the account ends. Shown once, never stored in the clear."""
    groups = ("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(4)) for _ in range(4))
    password = "-".join(groups).lower()
    set_password(user, password, temporary=True)
    log_action(actor, "user.password_temporary", user)
    return password


def send_reset_code(actor, user, address):
    """Send the account's phone a reset code; its holder sets the new password
    on 忘记密码, so the admin never knows it."""
    if not user.mobile:
        raise Refused("该账号没有手机号，请设置临时密码")
    sent = send_code(user.mobile, CodePurpose.reset, address, f"admin:{actor.id}")
    log_action(actor, "user.password_reset_sent", user)
    return sent
