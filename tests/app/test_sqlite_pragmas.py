"""SQLite connections get WAL, a busy timeout and NORMAL sync, so several
gunicorn workers can write one file; PostgreSQL engines are left alone."""
from sqlalchemy import event, text

from app import create_app
from app.extensions import db
from app.sqlite_pragmas import BUSY_TIMEOUT_MS, set_pragmas


def test_sqlite_connections_get_wal_busy_timeout_and_normal_sync(tmp_path):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'pragmas.sqlite'}"})
    with app.app_context():
        try:
            with db.engine.connect() as connection:
                assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
                assert connection.execute(text("PRAGMA busy_timeout")).scalar() == BUSY_TIMEOUT_MS
                assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
        finally:
            db.engine.dispose()


def test_postgresql_engines_are_left_alone():
    # Never connects: only the listener's absence is checked.
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:9/none"})
    with app.app_context():
        assert not event.contains(db.engine, "connect", set_pragmas)
