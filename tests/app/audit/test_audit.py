"""The action log: every change is logged with a Chinese name, and tampering is detected."""
from sqlalchemy import select, update

from app.audit.models import ActionLog
from app.audit.queries import first_broken_link
from app.auth.models import Role
from app.extensions import db


def test_action_log_page_and_tamper_detection(client, make, auth):
    auth.login(make.user(Role.admin))
    make.campaign()
    make.idea()
    page = client.get("/admin/log").get_data(as_text=True)
    assert "校验通过" in page and "提交建议" in page
    assert first_broken_link() is None
    victim = db.session.scalars(select(ActionLog).order_by(ActionLog.id)).all()[2]
    db.session.execute(update(ActionLog).where(ActionLog.id == victim.id).values(action="user.login"))
    db.session.commit()
    assert first_broken_link().id == victim.id
    assert "校验失败" in client.get("/admin/log").get_data(as_text=True)


def test_every_logged_action_has_a_chinese_label():
    """The log page shows names, never codes: every action any package logs has one."""
    import ast
    from pathlib import Path

    from app.audit.models import ACTION_LABELS

    root = Path(__file__).resolve().parents[3]
    logged, unnamed = set(), []
    for top in ("app", "ideas", "voting", "ops"):
        for path in (root / top).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "log_action":
                    action = node.args[1] if len(node.args) > 1 else None
                    # "user.enable" if active else "user.disable" names two.
                    names = [action.body, action.orelse] if isinstance(action, ast.IfExp) else [action]
                    if all(isinstance(name, ast.Constant) for name in names):
                        logged.update(name.value for name in names)
                    else:
                        unnamed.append(f"{path.relative_to(root)}:{node.lineno}")
    assert not unnamed, "日志动作应写成字面量，才能核对中文名：" + "、".join(unnamed)
    assert len(logged) > 40 and sorted(logged - set(ACTION_LABELS)) == []


def test_the_chain_holds_across_savepoints_and_commits(app, make):
    """Entries in one transaction chain onto each other without reading the log
    again; a savepoint rolled back, or a commit, makes the next entry read it."""
    from app.audit.services import log_action

    staff = make.user(Role.staff)
    log_action(staff, "user.login", staff)
    log_action(staff, "user.login", staff)
    try:
        with db.session.begin_nested():
            log_action(staff, "user.login", staff)
            raise RuntimeError("undo the savepoint")
    except RuntimeError:
        pass
    log_action(staff, "user.login", staff)
    db.session.commit()
    log_action(staff, "user.login", staff)
    db.session.commit()
    entries = db.session.scalars(select(ActionLog).order_by(ActionLog.id)).all()
    assert len(entries) >= 4 and first_broken_link() is None
    assert all(e.prev_hash == p.hash for p, e in zip(entries, entries[1:]))
