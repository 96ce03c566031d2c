"""Whole-database backups: SQLite through its online backup API, PostgreSQL
through pg_dump / pg_restore. Functions take the SQLAlchemy URL of the
database, so the CLI, ``deploy/serve.py`` and the tests share them."""
import os
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url

from app.timeutil import now

SUFFIXES = {"sqlite": "sqlite", "postgresql": "dump"}


class BackupError(Exception):
    """A backup or restore that failed, with a message for the operator."""


def default_path(instance_path, url):
    return Path(instance_path) / "backups" / f"xiance-{now():%Y%m%d-%H%M%S}.{SUFFIXES[_backend(url)]}"


def describe(url):
    url = make_url(url)
    if _backend(url) == "sqlite":
        return f"SQLite 数据库 {url.database}"
    return f"PostgreSQL 数据库 {url.database}（{url.host or 'localhost'}:{url.port or 5432}）"


def libpq_url(url):
    """The URL as libpq takes it, and the password apart: it goes to pg_dump
    in the environment, never on a command line that ``ps`` shows."""
    url = make_url(url)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), url.password


def create_backup(url, path):
    url = make_url(url)
    backend = _backend(url)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Backups hold phone numbers and password hashes: readable by the owner only.
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    os.chmod(path, 0o600)
    try:
        if backend == "sqlite":
            _sqlite_copy(url.database, path)
        else:
            _run_pg_tool(["pg_dump", "--format=custom", "--file", str(path)], url)
    except BackupError:
        path.unlink()  # half a backup must not pass for a whole one
        raise


def restore_backup(url, path):
    """Replace the whole database with the backup at ``path``, in one transaction."""
    url = make_url(url)
    if _backend(url) == "sqlite":
        _sqlite_copy(path, url.database)
    else:
        _run_pg_tool(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                      str(path)], url)


def _backend(url):
    backend = make_url(url).get_backend_name()
    if backend not in SUFFIXES:
        raise BackupError(f"不支持备份 {backend} 数据库，只支持 SQLite 和 PostgreSQL")
    return backend


def _sqlite_copy(source, target):
    # The backup API copies a consistent snapshot while other connections keep
    # writing, and takes the target's lock while it overwrites it. The source
    # opens read-only, so a mistyped path is an error, not a new empty database.
    try:
        with (closing(sqlite3.connect(Path(source).resolve().as_uri() + "?mode=ro", uri=True)) as src,
              closing(sqlite3.connect(target)) as dst):
            src.backup(dst)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite 备份 / 恢复失败：{exc}") from exc


def _run_pg_tool(args, url):
    conninfo, password = libpq_url(url)
    env = {**os.environ, "PGPASSWORD": password} if password else None
    try:
        subprocess.run([*args, "--dbname", conninfo], env=env, check=True, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise BackupError(f"找不到 {args[0]}，请安装 PostgreSQL 客户端") from exc
    except subprocess.CalledProcessError as exc:
        raise BackupError(f"{args[0]} 失败：{exc.stderr.strip()}") from exc
