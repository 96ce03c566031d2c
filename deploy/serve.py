"""`make serve` (``python -m deploy.serve`` from the project root): the
production shape on this machine.

Prepares what the site needs (secret key, PostgreSQL database, migrations),
then runs an RQ worker for the ``nlp`` queue in the background and gunicorn in
the foreground. Ctrl-C or SIGTERM stops both; if gunicorn stops, so does the
worker. A worker that dies (a crash, the out-of-memory killer) is started again
and the site stays up; the rebuild it was running is marked failed once RQ sees
its heartbeat stop (``ideas.analysis_services.fail_abandoned``).

Python rather than shell: the database URL is taken apart by SQLAlchemy and the
database created through psycopg, as the app itself does, and two children are
supervised with subprocess and signal handlers instead of bash job control.
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from psycopg import sql
from redis import Redis
from sqlalchemy.engine import make_url

from app.security import instance_secret_key
from ops.backup.services import libpq_url
from config import database_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULTS = {
    "FLASK_APP": "app",
    "FLASK_CONFIG": "production",
    "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/xiance",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    # No SMS gateway on this machine: codes go to the log.
    "SMS_CONSOLE_ALLOWED": "true",
}


def secret_key():
    """Made once and kept in the instance folder, so sessions survive a restart."""
    return instance_secret_key(ROOT / "instance")


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


WORKER_RESTART_DELAY = 5  # seconds: a worker failing at start does not spin


def supervise(web, worker, restart_delay=WORKER_RESTART_DELAY):
    """Run the web server and the worker; returns their exit codes (web, worker)."""
    # Children get process groups of their own: a Ctrl-C reaches only this
    # process, which passes it on once, so the RQ worker sees one signal (a
    # warm shutdown that lets a running job finish) rather than two (cold).
    # A second Ctrl-C is passed on too: then they stop at once.
    def start(command):
        return subprocess.Popen(command, cwd=ROOT, process_group=0)

    children = {"web": start(web), "worker": start(worker)}
    stopping = False

    def pass_on(signum, frame=None):
        nonlocal stopping
        stopping = True
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signum)

    signal.signal(signal.SIGINT, pass_on)
    signal.signal(signal.SIGTERM, pass_on)
    while True:
        # Wait for a child to exit (leaving it to Popen to reap).
        os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOWAIT)
        if stopping or children["web"].poll() is not None:
            break
        code = children["worker"].poll()
        if code is not None:
            print(f"RQ worker 已退出（返回码 {code}），{restart_delay} 秒后重新启动；网站照常服务。",
                  file=sys.stderr)
            time.sleep(restart_delay)
            if stopping:
                break
            children["worker"] = start(worker)
    if not stopping:
        pass_on(signal.SIGTERM)
    return children["web"].wait(), children["worker"].wait()


def main():
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)
    os.environ["SECRET_KEY"] = os.environ.get("SECRET_KEY") or secret_key()
    ensure_database(database_url())
    check_redis(os.environ["REDIS_URL"])
    subprocess.run([BIN / "flask", "db", "upgrade"], cwd=ROOT, check=True)
    web, worker = supervise(web=[BIN / "gunicorn", "--config", ROOT / "deploy" / "gunicorn.conf.py"],
                            worker=[BIN / "rq", "worker", "--url", os.environ["REDIS_URL"], "nlp"])
    sys.exit(web or worker)


if __name__ == "__main__":
    main()
