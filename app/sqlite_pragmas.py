"""SQLite settings for several processes (gunicorn workers) writing one file.

WAL lets readers carry on while one process writes; busy_timeout makes a
writer wait for the lock instead of failing at once with "database is locked";
synchronous=NORMAL is safe with WAL and saves an fsync on every commit.
PostgreSQL engines are left alone."""
from sqlalchemy import event

# Well under gunicorn's 30 s worker timeout: a stuck writer fails the request, not the worker.
BUSY_TIMEOUT_MS = 10_000


def init_app(app):
    from app.extensions import db

    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", set_pragmas)


def set_pragmas(dbapi_connection, connection_record):
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()
