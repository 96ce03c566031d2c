"""`flask backup create` and `flask backup restore`: back up, damage, restore,
and every row is back. Each test runs on a database of its own, so a restore
never overwrites the shared test database."""
import os
import re
import stat
import uuid

import flask_migrate
import psycopg
import pytest
from psycopg import sql
from sqlalchemy import delete, select, update
from sqlalchemy.engine import make_url

from app import create_app
from app.audit.models import ActionLog
from app.audit.queries import first_broken_link
from app.auth.models import Role, User
from ops.backup.services import libpq_url
from app.extensions import db
from ideas.models import Idea, IdeaStatus
from tests.factories import Factories


def _own_app(url):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        flask_migrate.upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def sqlite_app(tmp_path):
    yield from _own_app("sqlite:///" + str(tmp_path / "live.sqlite"))


@pytest.fixture
def postgres_app():
    server = make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgresql+psycopg")
    name = f"backup_test_{uuid.uuid4().hex[:12]}"
    conninfo, password = libpq_url(server)
    with psycopg.connect(conninfo, password=password, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield from _own_app(server.set(database=name).render_as_string(hide_password=False))
    finally:
        with psycopg.connect(conninfo, password=password, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _snapshot():
    """Every row of every table, in primary-key order."""
    return {table.name: db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
            for table in db.metadata.sorted_tables}


def _back_up_damage_and_restore(app, backup):
    make = Factories()
    staff = make.user(Role.staff)
    kept = make.idea()
    kept_id, kept_title = kept.id, kept.title
    make.idea(status=IdeaStatus.accepted, staff=staff)
    make.idea(status=IdeaStatus.rejected, staff=staff)
    before = _snapshot()
    assert before["ideas"] and before["users"] and len(before["action_logs"]) > 5
    assert first_broken_link() is None
    runner = app.test_cli_runner()

    result = runner.invoke(args=["backup", "create", "--output", str(backup)])
    assert result.exit_code == 0, result.output
    assert "备份完成：" in result.output and f"→ {backup}" in result.output
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600

    # After the backup: a new account, an edited idea, a log entry deleted (which breaks the chain).
    make.user()
    db.session.execute(update(Idea).where(Idea.id == kept_id).values(title="备份之后改过的标题"))
    db.session.execute(delete(ActionLog).where(ActionLog.id == before["action_logs"][1].id))
    db.session.commit()
    assert first_broken_link() is not None
    db.session.remove()  # the restore replaces tables; this session must hold no transaction open

    refused = runner.invoke(args=["backup", "restore", str(backup)])
    assert refused.exit_code == 1 and "--yes" in refused.output
    assert len(db.session.scalars(select(User)).all()) == len(before["users"]) + 1
    db.session.remove()

    result = runner.invoke(args=["backup", "restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    assert f"恢复完成：{backup} →" in result.output
    assert _snapshot() == before
    assert db.session.get(Idea, kept_id).title == kept_title
    assert first_broken_link() is None
    # The site carries on where the backup left off: new rows get new ids.
    assert make.user().id > max(row.id for row in before["users"])


def test_sqlite_backup_and_restore(sqlite_app, tmp_path):
    _back_up_damage_and_restore(sqlite_app, tmp_path / "backups" / "xiance.sqlite")


@pytest.mark.postgres_only
def test_postgres_backup_and_restore(postgres_app, tmp_path):
    _back_up_damage_and_restore(postgres_app, tmp_path / "backups" / "xiance.dump")


def test_default_name_and_what_restore_refuses(sqlite_app, tmp_path, monkeypatch):
    monkeypatch.setattr(sqlite_app, "instance_path", str(tmp_path))
    runner = sqlite_app.test_cli_runner()
    result = runner.invoke(args=["backup", "create"])
    assert result.exit_code == 0, result.output
    [name] = os.listdir(tmp_path / "backups")
    assert re.fullmatch(r"xiance-\d{8}-\d{6}\.sqlite", name)

    missing = runner.invoke(args=["backup", "restore", str(tmp_path / "nothing.sqlite"), "--yes"])
    assert missing.exit_code == 1 and "备份文件不存在" in missing.output
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("不是数据库")
    wrong = runner.invoke(args=["backup", "restore", str(not_sqlite), "--yes"])
    assert wrong.exit_code == 1 and "SQLite 备份 / 恢复失败" in wrong.output
    assert first_broken_link() is None and db.session.scalars(select(User)).all() == []
