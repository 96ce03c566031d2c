"""The processes of ``bench/load.py``: a private PostgreSQL cluster, a private
Redis, gunicorn and an RQ worker, all on 127.0.0.1 and free ports.

Each process starts in its own process group, so a Ctrl-C in the terminal
reaches only the bench, which then stops them in order: every process is
registered on the caller's ExitStack the moment it starts."""
import os
import pwd
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PG_USER = "postgres"


def log(message):
    print(f"[load {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _kill_group(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def run(cmd, env=None, timeout=300, output=None):
    """Run a command to completion in its own process group; its stdout, or
    with ``output`` (an open file) both streams go there."""
    proc = subprocess.Popen([str(c) for c in cmd], env=env, cwd=ROOT, text=True, start_new_session=True,
                            stdout=output or subprocess.PIPE, stderr=output or subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=timeout)
    except BaseException:
        _kill_group(proc.pid, signal.SIGKILL)
        proc.wait()
        raise
    if proc.returncode:
        detail = (err or "")[-3000:] if output is None else f"see {output.name}"
        raise RuntimeError(f"{Path(str(cmd[0])).name} {cmd[1] if len(cmd) > 1 else ''} failed "
                           f"({proc.returncode}): {detail}")
    return out


class Service:
    """A long-running process and its process group, logging to a file; as a
    context manager (``stack.enter_context``), stopped on the way out."""

    def __init__(self, name, cmd, log_path, env=None):
        self.name, self.log_path, self.stopped = name, log_path, False
        with open(log_path, "ab") as output:
            self.proc = subprocess.Popen([str(c) for c in cmd], env=env, cwd=ROOT, stdin=subprocess.DEVNULL,
                                         stdout=output, stderr=subprocess.STDOUT, start_new_session=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def log_tail(self, chars=3000):
        return Path(self.log_path).read_text(encoding="utf-8", errors="replace")[-chars:]

    def stop(self, sig=signal.SIGTERM, grace=20):
        """``sig``, then ``sig`` again (RQ then kills its work horse, which runs in a
        session of its own), then SIGKILL for whatever is left in the group."""
        if self.stopped:
            return
        start = time.monotonic()
        for wait in (grace, 5):
            if not self.alive():
                break
            _kill_group(self.pid, sig)
            try:
                self.proc.wait(wait)
            except subprocess.TimeoutExpired:
                log(f"{self.name} 未在 {wait} 秒内退出")
        if self.alive():
            log(f"{self.name} 强制结束")
        _kill_group(self.pid, signal.SIGKILL)
        self.proc.wait()
        self.stopped = True
        log(f"{self.name} 已停止（{time.monotonic() - start:.1f} 秒）")


def wait_for(check, what, timeout, service=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service is not None and not service.alive():
            raise RuntimeError(f"{service.name} 启动失败：\n{service.log_tail()}")
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"等待{what}超时（{timeout} 秒）")


def port_open(port):
    with socket.create_connection(("127.0.0.1", port), timeout=1):
        return True


def healthy(url):
    with urllib.request.urlopen(url, timeout=2) as response:
        return response.status == 200


def pg_bin():
    """The newest installed PostgreSQL's programs."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
    if not found:
        raise RuntimeError("没有找到 PostgreSQL（/usr/lib/postgresql/*/bin）")
    return found[-1].parent


def pg_version():
    return run([pg_bin() / "postgres", "--version"]).strip()


class Postgres:
    """A throw-away cluster owned by the postgres OS user (it refuses to run as
    root), listening on 127.0.0.1 only, its socket inside its own directory."""

    def __init__(self, workdir):
        self.bin = pg_bin()
        self.dir = Path(workdir) / "pg"
        self.data = self.dir / "data"
        self.logfile = self.dir / "postgres.log"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/xiance"
        self.started = False

    def _as_postgres(self, tool, *args, **kw):
        return run(["runuser", "-u", PG_USER, "--", self.bin / tool, *args], **kw)

    def _pg_ctl(self, *args, timeout=120):
        # The postmaster keeps pg_ctl's stdout: a file, never a pipe we would wait on.
        with open(self.dir / "pg_ctl.log", "a") as output:
            self._as_postgres("pg_ctl", "-D", self.data, "-l", self.logfile, *args, output=output,
                              timeout=timeout)

    def start(self):
        account = pwd.getpwnam(PG_USER)
        self.dir.mkdir()
        os.chown(self.dir, account.pw_uid, account.pw_gid)
        self._as_postgres("initdb", "-D", self.data, "-U", PG_USER, "--auth=trust", "-E", "UTF8",
                          "--locale=C.UTF-8", "--no-sync")
        self.started = True
        self._pg_ctl("start", "-w", "-t", "60", "-o",
                     f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1")
        self._as_postgres("createdb", "-h", self.dir, "-p", self.port, "-U", PG_USER, "xiance")

    def restart(self):
        self._pg_ctl("restart", "-m", "fast", "-w", "-t", "60")

    def stop(self):
        if not self.started or not (self.data / "postmaster.pid").exists():
            return
        try:
            self._pg_ctl("stop", "-m", "fast", "-w", "-t", "30", timeout=60)
        except (RuntimeError, subprocess.TimeoutExpired):
            self._pg_ctl("stop", "-m", "immediate", "-w", "-t", "30", timeout=60)
        log("PostgreSQL 已停止")


# Each start_* registers its process on ``stack`` before waiting for it, so a
# Ctrl-C during the wait still stops it.

def start_postgres(workdir, stack):
    """A private cluster (``Postgres``), stopped when ``stack`` closes."""
    postgres = Postgres(workdir)
    stack.callback(postgres.stop)
    postgres.start()
    return postgres


def start_redis(workdir, stack):
    port = free_port()
    service = stack.enter_context(Service(
        "redis", ["redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                  "--dir", workdir], Path(workdir) / "redis.log"))
    wait_for(lambda: port_open(port), "Redis", 20, service)
    return f"redis://127.0.0.1:{port}/0"


def site_env(database_url, redis_url, instance_path, port):
    """The production shape's environment, as deploy/gunicorn.conf.py and the app read it."""
    return {**os.environ, "FLASK_APP": "app", "FLASK_CONFIG": "production", "DATABASE_URL": database_url,
            "REDIS_URL": redis_url, "INSTANCE_PATH": str(instance_path), "SECRET_KEY": os.urandom(24).hex(),
            "COOKIE_SECURE": "false", "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_ACCESSLOG": "",
            # The simulated people stand behind one proxy, each with an address of its own.
            "PROXY_HOPS": "1", "PYTHONPATH": str(ROOT),
            # No SMS gateway here, and the simulated staff have no authenticator.
            "SMS_CONSOLE_ALLOWED": "true", "TWO_FACTOR_REQUIRED": "false"}


def start_gunicorn(env, workdir, stack):
    service = stack.enter_context(Service("gunicorn", [BIN / "gunicorn", "-c", "deploy/gunicorn.conf.py"],
                                          Path(workdir) / "gunicorn.log", env))
    base = "http://" + env["GUNICORN_BIND"]
    wait_for(lambda: healthy(base + "/healthz"), "gunicorn /healthz", 90, service)
    return service, base


def start_rq(env, redis_url, workdir, stack):
    command = [BIN / "rq", "worker", "nlp", "--url", redis_url, "--path", ROOT]
    return stack.enter_context(Service("rq", command, Path(workdir) / "rq.log", env))


def worker_pids(master_pid):
    """gunicorn's workers: the master's children."""
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    except OSError:
        return []
    return [int(pid) for pid in children]


def busy_worker(master_pid, timeout):
    """A worker with a request thread on the CPU (its main thread only accepts
    connections), or None if none was seen within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pid in worker_pids(master_pid):
            for stat in Path(f"/proc/{pid}/task").glob("*/stat"):
                if stat.parent.name == str(pid):
                    continue
                try:
                    # The state follows the command name, which is in parentheses.
                    if stat.read_text().rsplit(")", 1)[1].split()[0] == "R":
                        return pid
                except (OSError, IndexError):
                    continue
        time.sleep(0.005)
    return None
