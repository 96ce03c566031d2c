"""`make serve` (``python -m deploy.serve`` from the project root): the
production shape on this machine.

Prepares what the site needs (secret key, PostgreSQL database, migrations),
then runs an RQ worker for the ``nlp`` queue in the background and gunicorn in
the foreground. Ctrl-C or SIGTERM stops both; if either stops, so does the other.

Python rather than shell: the database URL is taken apart by SQLAlchemy and the
database created through psycopg, as the app itself does, and two children are
supervised with subprocess and signal handlers instead of bash job control.
"""
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import psycopg
from psycopg import sql
from redis import Redis
from sqlalchemy.engine import make_url

from ops.backup.services import libpq_url
from config import database_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULTS = {
    "FLASK_APP": "app",
    "FLASK_CONFIG": "production",
    "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/xiance",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def secret_key():
    """Made once and kept in the instance folder, so sessions survive a restart."""
    path = ROOT / "instance" / "secret_key"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        # Created with mode 600, never readable by others even for a moment.
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
            handle.write(secrets.token_hex(32))
        print(f"已生成密钥：{path}（权限 600）")
    return path.read_text().strip()


def ensure_database(url):
    url = make_url(url)
    if url.get_backend_name() != "postgresql":
        return
    conninfo, password = libpq_url(url)
    try:
        # Any database of the server will do to look around; "postgres" always exists.
        with psycopg.connect(conninfo, dbname="postgres", password=password, autocommit=True,
                             connect_timeout=5) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [url.database]).fetchone():
                return
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(url.database)))
    except psycopg.OperationalError as exc:
        sys.exit(f"连不上 PostgreSQL（{url.host}:{url.port or 5432}）：{exc}")
    print(f"已创建数据库 {url.database}")


def check_redis(url):
    try:
        with Redis.from_url(url, socket_connect_timeout=5) as redis:
            redis.ping()
    except Exception as exc:  # whatever the reason, the worker could not start
        sys.exit(f"连不上 Redis（{url}）：{type(exc).__name__}: {exc}")


def supervise(commands):
    # Children get process groups of their own: a Ctrl-C reaches only this
    # process, which passes it on once, so the RQ worker sees one signal (a
    # warm shutdown that lets a running job finish) rather than two (cold).
    # A second Ctrl-C is passed on too: then they stop at once.
    children = [subprocess.Popen(command, cwd=ROOT, process_group=0) for command in commands]
    stopping = False

    def pass_on(signum, frame=None):
        nonlocal stopping
        stopping = True
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    signal.signal(signal.SIGINT, pass_on)
    signal.signal(signal.SIGTERM, pass_on)
    # Wait for the first child to exit (leaving it to Popen to reap), then stop the other.
    os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOWAIT)
    if not stopping:
        pass_on(signal.SIGTERM)
    return [child.wait() for child in children]


def main():
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)
    os.environ["SECRET_KEY"] = os.environ.get("SECRET_KEY") or secret_key()
    ensure_database(database_url())
    check_redis(os.environ["REDIS_URL"])
    subprocess.run([BIN / "flask", "db", "upgrade"], cwd=ROOT, check=True)
    worker, web = supervise([
        [BIN / "rq", "worker", "--url", os.environ["REDIS_URL"], "nlp"],
        [BIN / "gunicorn", "--config", ROOT / "deploy" / "gunicorn.conf.py"],
    ])
    sys.exit(web or worker)


if __name__ == "__main__":
    main()
