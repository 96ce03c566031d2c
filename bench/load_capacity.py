"""``make load LOAD_ARGS="--capacity"``: how much one node holds, as a ratio to the framework.

One gunicorn node with ``deploy/gunicorn.conf.py`` on a private PostgreSQL and
Redis, and beside it, under the very same settings, a bare Flask page
(``bench/bare_gunicorn.conf.py``): the floor no page of ours can beat. For each
page, closed-loop clients (no think time, one request in flight each) double
from 1 until the p95 passes ``P95_LIMIT_MS``; the figure is the highest
throughput of a step that stayed under it. The client runs on the same cores,
for the floor as for the pages, so the ratio is fairer than either number.

Pages: the home page (anonymous), an idea's tracking page (anonymous; one idea
again and again, then every seeded idea in turn, as many citizens would), a
submission (signed in: the form, then the POST), the similar-ideas look-up
(signed in). The per-account limits on submissions and look-ups are lifted
for the run: they measure a policy, not the page."""
import asyncio
import contextlib
import itertools
import json
import random
import sys
import time

import numpy as np

from load_procs import (BIN, Service, free_port, healthy, log, run, site_env, start_gunicorn,
                        start_postgres, start_redis, start_rq, wait_for)
from load_record import Recorder
from load_users import FormReader, IdeaWriter, Person, rebuild_index

P95_LIMIT_MS = 100
LEVELS = (1, 2, 4, 8, 16, 32, 64)
UNLIMITED = "1000000 per minute"


def run_capacity(args, workdir, stack):
    own = stack.enter_context(contextlib.ExitStack())
    postgres = start_postgres(workdir, own)
    redis_url = start_redis(workdir, own)
    env = site_env(postgres.url, redis_url, workdir / "instance", free_port())
    env.update({name: UNLIMITED for name in ("IDEA_LIMIT_PER_USER", "IDEA_LIMIT_PER_ADDRESS",
                                              "SIMILAR_LIMIT_PER_USER", "SIMILAR_LIMIT_PER_ADDRESS")})
    run([BIN / "flask", "db", "upgrade"], env)
    seed = json.loads(run([sys.executable, "bench/load_db.py", "seed", "--submitters", max(LEVELS)], env))
    site_dir, bare_dir = workdir / "site", workdir / "bare"
    site_dir.mkdir()
    bare_dir.mkdir()
    _, site = start_gunicorn(env, site_dir, own)
    start_rq(env, redis_url, workdir, own)
    bare = _start_bare(env, bare_dir, own)
    asyncio.run(rebuild_index(site, seed, 180))
    log(f"容量：站点 {site}，空 Flask 页面 {bare}，每级 {args.step_seconds} 秒")
    pages = {"bare_flask": (bare, _get("/")), "home": (site, _get("/")),
             "idea_page": (site, _get(f"/ideas/track/{seed['codes'][0]}")),
             "idea_pages_in_turn": (site, _in_turn([f"/ideas/track/{code}" for code in seed["codes"]])),
             "submission": (site, _submit), "similar": (site, _similar)}
    figures = {}
    for name, (base, action) in pages.items():
        figures[name] = asyncio.run(_ramp(base, action, seed, args.step_seconds))
        held = figures[name]
        log(f"{name}：{held['held_rps']} 次/秒（p95 ≤ {P95_LIMIT_MS} ms，{held['held_at']} 个并发）")
    floor = figures["bare_flask"]["held_rps"] or 1
    figures["ratio_to_floor"] = {name: round(f["held_rps"] / floor, 3) for name, f in figures.items()
                                 if name != "bare_flask"}
    own.close()
    return figures


def _start_bare(env, directory, stack):
    port = free_port()
    bare_env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    command = [BIN / "gunicorn", "-c", "bench/bare_gunicorn.conf.py"]
    service = stack.enter_context(Service("bare-flask", command, directory / "gunicorn.log", bare_env))
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: healthy(base + "/"), "bare Flask", 60, service)
    return base


def _get(path):
    async def action(person, state):
        await person.request("page", "GET", path)
    return action


def _in_turn(paths):
    turns = itertools.cycle(paths)

    async def action(person, state):
        await person.request("page", "GET", next(turns))
    return action


async def _submit(person, state):
    form_page = await person.request("page", "GET", "/ideas/new")
    if form_page is None:
        return
    form = FormReader(form_page.text)
    fields = state["writer"].fields(form.options["region"], form.options["theme"])
    await person.request("page", "POST", "/ideas/new", expect=(302,), data={**form.hidden, **fields})


async def _similar(person, state):
    if "token" not in state:
        form_page = await person.request("setup", "GET", "/ideas/new")
        state["token"] = FormReader(form_page.text).hidden["csrf_token"]
    spec = state["writer"].fields(["长沙市"], ["x"])
    await person.request("page", "POST", "/analysis/similar",
                         data={"csrf_token": state["token"], "text": spec["problem"][:300]})


async def _ramp(base, action, seed, step_seconds):
    """Double the clients until the p95 passes the limit; the best step under it."""
    signed_in = action in (_submit, _similar)
    steps, held, held_at = [], 0.0, 0
    for level in LEVELS:
        recorder = Recorder()
        people = [Person(base, recorder) for _ in range(level)]
        states = [{"writer": IdeaWriter(random.Random(n))} for n in range(level)]
        try:
            if signed_in:
                await asyncio.gather(*(p.log_in(seed["submitters"][n], seed["password"])
                                       for n, p in enumerate(people)))
            # A second of warm-up per step: connections opened, the workers' first requests done.
            await _loop(people, states, action, time.monotonic() + 1)
            start = time.monotonic()
            recorder.samples.clear()
            # A submission's time is its form's and its POST's together, counted once.
            durations = await _loop(people, states, action, start + step_seconds)
            elapsed = time.monotonic() - start
        finally:
            await asyncio.gather(*(p.close() for p in people))
        errors = sum(s.error for s in recorder.samples) + sum(
            s.outcome == "unexpected" for s in recorder.samples)
        rps = round(len(durations) / elapsed, 1)
        p95 = round(float(np.percentile(durations, 95)), 1) if durations else None
        steps.append({"clients": level, "rps": rps, "p95_ms": p95, "errors": errors})
        if p95 is None or p95 > P95_LIMIT_MS or errors:
            break
        if rps > held:
            held, held_at = rps, level
    return {"held_rps": held, "held_at": held_at, "steps": steps}


async def _loop(people, states, action, deadline):
    """Each client acts again as soon as it is answered; the milliseconds of every action."""
    durations = []

    async def one(person, state):
        while time.monotonic() < deadline:
            began = time.monotonic()
            await action(person, state)
            durations.append((time.monotonic() - began) * 1000)
    await asyncio.gather(*(one(p, s) for p, s in zip(people, states)))
    return durations
