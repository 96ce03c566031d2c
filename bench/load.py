"""``make load``: the production shape under load and under faults.

Starts everything itself on free loopback ports: a private PostgreSQL cluster
(or, for the SQLite side, a temporary SQLite file), a private Redis, gunicorn
with ``deploy/gunicorn.conf.py`` and an ``rq worker nlp``. It seeds the site
(the demo campaign, citizens who submit, an open judging round) and has staff
rebuild the similar-ideas index through the RQ worker. Then, on SQLite and on
PostgreSQL alike:

* load: citizens arrive over a short warm-up (those who submit log in then),
  then browse the public pages or submit ideas for ``--duration`` seconds, the
  measured window; afterwards every acknowledged submission is looked up in
  the database (``lost``);
* round close: reviewers save score sheets over HTTP while staff close the
  round; every save must be in the frozen table or refused, and the table
  recomputed from the stored scores must hash to the stored digest;
* the action log's hash chain must still hold after all those concurrent writers;

and on PostgreSQL, under a lighter load (unless ``--skip-faults``): a
``pg_ctl restart -m fast`` and a SIGKILLed gunicorn worker, mid-load.

Progress goes to stderr; the last line on stdout is one JSON document.
Everything started is stopped and the temporary directory removed, however
the run ends (Ctrl-C included).

    python bench/load.py                                              # full run, 4–5 minutes
    python bench/load.py --duration 10 --browsers 20 --submitters 5   # smoke run, under 2 minutes
"""
import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import platform
import random
import resource
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the load_* helpers, run from anywhere

from load_procs import (BIN, busy_worker, free_port, healthy, log, pg_version, run,  # noqa: E402
                        site_env, start_gunicorn, start_postgres, start_redis, start_rq, worker_pids)
from load_capacity import run_capacity  # noqa: E402
from load_nodes import run_nodes  # noqa: E402
from load_users import burst, crowd, rebuild_index, round_close  # noqa: E402

BACKENDS = ("sqlite", "postgresql")
FAULT_PHASE_S = 30
# Users arrive (and submitters log in) over this many seconds before the measured window.
WARM_UP_S = 10
KILL_BURST = 20
REBUILD_TIMEOUT_S = 180


def parse_args():
    parser = argparse.ArgumentParser(description="生产形态压测与故障演练（make load）")
    parser.add_argument("--duration", type=int, default=60, help="每个后端的压测秒数（默认 60）")
    parser.add_argument("--browsers", type=int, default=200, help="浏览公开页面的群众数（默认 200）")
    parser.add_argument("--submitters", type=int, default=50, help="提交建议的群众数（默认 50）")
    parser.add_argument("--only", choices=BACKENDS, help="只测一个后端")
    parser.add_argument("--skip-faults", action="store_true", help="跳过 PostgreSQL 故障演练")
    parser.add_argument("--capacity", action="store_true",
                        help="只测一个节点的容量：并发翻倍直到 p95 超过 100 ms，与空 Flask 页面相比")
    parser.add_argument("--step-seconds", type=int, default=8, help="--capacity 每级的秒数（默认 8）")
    parser.add_argument("--nodes", type=int, default=1,
                        help="N ≥ 2：只测 N 个无状态节点经 nginx 对外（共用 PostgreSQL、Redis、索引目录）")
    args = parser.parse_args()
    if args.duration < 5 or args.browsers < 0 or args.submitters < 1 or args.nodes < 1:
        parser.error("--duration 至少 5 秒，--submitters、--nodes 至少 1")
    return args


def _interrupt(signum, frame):
    # SIGTERM (e.g. from a CI runner) cleans up the way Ctrl-C does.
    raise KeyboardInterrupt


def main():
    args = parse_args()
    signal.signal(signal.SIGTERM, _interrupt)
    workdir = Path(tempfile.mkdtemp(prefix="xiance-load-"))
    os.chmod(workdir, 0o711)  # the postgres user must reach its cluster inside
    stack = contextlib.ExitStack()
    report = {"machine": machine(), "duration_s": args.duration,
              "users": {"browsers": args.browsers, "submitters": args.submitters}}
    results = {}
    try:
        if args.capacity:
            report["capacity"] = run_capacity(args, workdir, stack)
        elif args.nodes > 1:
            report["nodes"] = run_nodes(args, workdir, stack)
        else:
            redis_url = start_redis(workdir, stack)
            for number, backend in enumerate((args.only,) if args.only else BACKENDS):
                # Its own Redis database: rate-limit counters and queued jobs stay apart.
                results[backend] = run_backend(backend, args, workdir, f"{redis_url[:-1]}{number}", stack)
    except KeyboardInterrupt:
        log("已中断，正在停止启动的进程……")
        code = 130
    else:
        code = 0
    finally:
        # A second Ctrl-C must not cut the clean-up short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.close()
        shutil.rmtree(workdir, ignore_errors=True)
    if code:
        sys.exit(code)
    report.update({backend: result["load"] for backend, result in results.items()})
    if "faults" in results.get("postgresql", {}):
        report["faults"] = results["postgresql"]["faults"]
    if results:
        report["round_close"] = {backend: result["round_close"] for backend, result in results.items()}
    print(json.dumps(report, ensure_ascii=False))


def machine():
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
                     platform.processor())
    return {"cpus": os.cpu_count(), "model": model, "python": platform.python_version(),
            "postgres": pg_version(), "sqlite": sqlite3.sqlite_version, "aiohttp": aiohttp.__version__,
            "loadavg_at_start": [round(x, 2) for x in os.getloadavg()]}


def run_backend(name, args, workdir, redis_url, stack):
    """Start the site on this backend, run every phase, stop the site.
    Returns {"load": .., "round_close": ..} and, on PostgreSQL, "faults"."""
    own = stack.enter_context(contextlib.ExitStack())
    log(f"== {name}：启动 ==")
    if name == "postgresql":
        postgres = start_postgres(workdir, own)
        database_url = postgres.url
    else:
        postgres = None
        database_url = f"sqlite:///{workdir / 'xiance.sqlite'}"
    env = site_env(database_url, redis_url, workdir / f"{name}-instance", free_port())
    run([BIN / "flask", "db", "upgrade"], env)
    seed = json.loads(run([sys.executable, "bench/load_db.py", "seed", "--submitters", args.submitters], env))
    gunicorn, base_url = start_gunicorn(env, workdir, own)
    start_rq(env, redis_url, workdir, own)
    load = {"nlp_rebuild_s": asyncio.run(rebuild_index(base_url, seed, REBUILD_TIMEOUT_S))}
    log(f"{name}：gunicorn {base_url}，相似建议索引已由 RQ 重建（{load['nlp_rebuild_s']} 秒）")

    log(f"{name}：压测 {args.duration} 秒（另有 {_warm_up(args)} 秒陆续进场、登录），"
        f"{args.browsers} 人浏览、{args.submitters} 人提交……")
    load.update(load_phase(base_url, seed, env, args, workdir, name))
    load["workers"] = len(worker_pids(gunicorn.pid))
    result = {"load": load}
    if postgres is not None and not args.skip_faults:
        result["faults"] = {
            "postgres_restart": fault_phase(base_url, seed, env, args, workdir, "postgres_restart",
                                            lambda recorder, codes: _restart_postgres(postgres)),
            "worker_kill": fault_phase(
                base_url, seed, env, args, workdir, "worker_kill",
                lambda recorder, codes: _kill_worker(gunicorn, base_url, recorder, codes)),
        }
        result["faults"]["worker_kill"]["workers_after"] = len(worker_pids(gunicorn.pid))
    result["round_close"] = round_close_phase(base_url, seed, env, workdir, name)
    load["audit_log"] = json.loads(run([sys.executable, "bench/load_db.py", "audit"], env))
    log(f"{name}：操作日志 {load['audit_log']['entries']} 条，"
        f"哈希链{'完整' if load['audit_log']['intact'] else '断裂'}")
    log(f"{name}：停止 gunicorn、RQ{'、PostgreSQL' if postgres else ''}")
    own.close()
    return result


def load_phase(base_url, seed, env, args, workdir, name):
    cpu = _cpu_seconds()
    recorder, window, _ = asyncio.run(crowd(base_url, seed, args.browsers, args.submitters, args.duration,
                                            ramp=_warm_up(args)))
    summary = recorder.summary(window)
    summary["lost"] = _lost(recorder, env, workdir, name)["lost"]
    summary["client_cpu_s"] = round(_cpu_seconds() - cpu, 1)
    _log_summary(name, summary)
    return summary


def _warm_up(args):
    return round(min(WARM_UP_S, args.duration / 6), 1)


def fault_phase(base_url, seed, env, args, workdir, fault, inject):
    """A lighter load with ``inject(recorder, codes)``, a coroutine, run a third of the way in."""
    duration = min(FAULT_PHASE_S, args.duration)
    browsers, submitters = max(1, args.browsers // 4), max(1, args.submitters // 5)
    log(f"故障演练 {fault}：{duration} 秒，{browsers} 人浏览、{submitters} 人提交，第 {duration // 3} 秒注入")

    async def during(window_start, recorder, codes):
        await asyncio.sleep(window_start + duration / 3 - time.monotonic())
        injected = time.monotonic()
        return injected, await inject(recorder, codes)

    recorder, window, (injected, detail) = asyncio.run(
        crowd(base_url, seed, browsers, submitters, duration, ramp=1, rng_seed=len(fault), during=during))
    errors = recorder.errors()
    summary = recorder.summary(window)
    result = {
        **detail,
        # From the fault until the last failed request ended; afterwards every request succeeded.
        "recovery_s": round(max(s.end for s in errors) - injected, 2) if errors else 0.0,
        **{key: summary[key] for key in ("errors", "error_kinds", "unexpected", "resent_by_client")},
        "requests": summary["requests"], "acknowledged": summary["acknowledged"],
        "lost": _lost(recorder, env, workdir, fault)["lost"],
        "healthy_after": _healthy(base_url),
    }
    log(f"{fault}：{json.dumps(result, ensure_ascii=False)}")
    return result


async def _restart_postgres(postgres):
    start = time.monotonic()
    await asyncio.to_thread(postgres.restart)
    return {"restart_s": round(time.monotonic() - start, 2)}


async def _kill_worker(gunicorn, base_url, recorder, codes):
    """SIGKILL a worker caught serving: a burst of visitors keeps them all busy."""
    visitors = asyncio.ensure_future(burst(base_url, recorder, codes, KILL_BURST))
    pid = await asyncio.to_thread(busy_worker, gunicorn.pid, 3)
    busy = pid is not None
    pid = pid or random.choice(worker_pids(gunicorn.pid))
    os.kill(pid, signal.SIGKILL)
    await visitors
    return {"killed_pid": pid, "busy_when_killed": busy, "burst_requests": KILL_BURST}


def round_close_phase(base_url, seed, env, workdir, name):
    log(f"{name}：评审专家保存评分的同时工作人员截止本轮……")
    recorder, outcome, closed, table = asyncio.run(round_close(base_url, seed))
    saved = [sheet for sheet, state in outcome.items() if state == "saved"]
    check = _db_check(env, workdir, "round", f"round-{name}",
                      {"round_id": seed["round"]["id"], "saved": saved})
    published = (table["status"] == 200 and table["digest"] == check.get("digest")
                 and hashlib.sha256(table["body"]).hexdigest() == table["digest"])
    result = {
        # Closed as the database says: a refused close also answers with a redirect.
        "sheets": len(outcome), "closed": closed and check.get("state") == "closed",
        "saved_before_freeze": len(saved) - check.get("saved_missing_from_table", len(saved)),
        "saved_missing_from_table": check.get("saved_missing_from_table"),
        "refused": sum(state == "refused" for state in outcome.values()),
        "failed": sum(state == "failed" for state in outcome.values()),
        "errors": len(recorder.errors()), "unexpected": dict(recorder.unexpected),
        "digest_match": check["digest_match"], "published_digest_match": published,
    }
    log(f"{name} 截止：{json.dumps(result, ensure_ascii=False)}")
    return result


def _lost(recorder, env, workdir, label):
    return _db_check(env, workdir, "lost", f"ack-{label}",
                     {str(k): v for k, v in recorder.acknowledged.items()})


def _db_check(env, workdir, command, label, payload):
    path = workdir / f"{label}.json"
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    return json.loads(run([sys.executable, "bench/load_db.py", command, path], env))


def _healthy(base_url):
    try:
        return healthy(base_url + "/healthz")
    except OSError:
        return False


def _cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _log_summary(name, summary):
    log(f"{name}：{summary['requests']} 个请求，{summary['rps']} 请求/秒，错误 {summary['errors']}，"
        f"意外 {sum(summary['unexpected'].values())}，确认提交 {summary['acknowledged']}，"
        f"丢失 {summary['lost']}")
    for page, figures in summary["latency_ms"].items():
        log(f"  {page:<14} n={figures['n']:<6} p50={figures['p50']:>7} p95={figures['p95']:>7} "
            f"p99={figures['p99']:>7} ms")


if __name__ == "__main__":
    main()
