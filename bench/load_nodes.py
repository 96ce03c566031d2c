"""``make load LOAD_ARGS="--nodes 2"``: stateless web nodes behind a proxy.

Two (or more) gunicorn nodes on loopback ports share one private PostgreSQL,
one Redis (sessions' rate limits, the page cache and its version, the RQ
queue) and one artifact directory (``NLP_ARTIFACT_DIR``: the similar-ideas
index the RQ worker publishes). Debian's nginx stands in front, round-robin,
with a one-second micro-cache for requests that carry no cookie (anonymous
public pages; the app's own page cache does the rest).

Measured: an idea submitted through one node, looked up as similar through
another node (the same browser session, so the session cookie must work on
both) — how long until it is found; then the usual crowd through the proxy,
and how the proxy spread the requests and what its cache answered."""
import asyncio
import contextlib
import json
import os
import random
import shutil
import sys
import time
from collections import Counter

from yarl import URL

from load_procs import (BIN, Service, free_port, healthy, log, run, site_env, start_gunicorn,
                        start_postgres, start_redis, start_rq, wait_for)
from load_record import Recorder
from load_users import FormReader, IdeaWriter, Person, crowd, rebuild_index

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# The submission look-up target: found "within a second".
FOUND_WITHIN_S = 1.0
CROSS_NODE_TRIALS = 5
GIVE_UP_S = 3
NGINX_CONF = """
user root;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    log_format nodes '$upstream_addr $upstream_cache_status $status';
    access_log {dir}/access.log nodes;
    proxy_cache_path {dir}/cache keys_zone=pages:10m max_size=100m inactive=10s;
    upstream nodes {{
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 2m;
        location / {{
            proxy_pass http://nodes;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            # The simulated visitors each send an address of their own (PROXY_HOPS=1 trusts one hop).
            proxy_set_header X-Forwarded-For $http_x_forwarded_for;
            # Micro-cache: anonymous GETs only; the app says max-age=0 for browsers, the proxy keeps 1 s.
            proxy_cache pages;
            proxy_cache_methods GET HEAD;
            proxy_cache_bypass $http_cookie;
            proxy_no_cache $http_cookie;
            proxy_ignore_headers Cache-Control Expires;
            proxy_cache_valid 200 1s;
            proxy_cache_lock on;
            proxy_cache_use_stale updating;
            add_header X-Cache $upstream_cache_status;
        }}
    }}
}}
"""


def run_nodes(args, workdir, stack):
    """Start the set-up, measure, stop it. Returns the figures."""
    own = stack.enter_context(contextlib.ExitStack())
    postgres = start_postgres(workdir, own)
    redis_url = start_redis(workdir, own)
    shared = workdir / "artifacts"
    shared.mkdir()
    secret = os.urandom(24).hex()
    envs = []
    for n in range(args.nodes):
        env = site_env(postgres.url, redis_url, workdir / f"node{n}-instance", free_port())
        env.update(SECRET_KEY=secret, NLP_ARTIFACT_DIR=str(shared))
        envs.append(env)
    run([BIN / "flask", "db", "upgrade"], envs[0])
    seed = json.loads(run([sys.executable, "bench/load_db.py", "seed", "--submitters", args.submitters],
                          envs[0]))
    bases = []
    for n, env in enumerate(envs):
        node_dir = workdir / f"node{n}"
        node_dir.mkdir()
        bases.append(start_gunicorn(env, node_dir, own)[1])
    start_rq(envs[0], redis_url, workdir, own)
    proxy = _start_nginx(workdir, bases, own)
    log(f"{args.nodes} 个节点 {'、'.join(bases)}，nginx {proxy}")
    figures = {"nodes": args.nodes, "nlp_rebuild_s": asyncio.run(rebuild_index(proxy, seed, 180))}
    figures["cross_node_similar"] = asyncio.run(_cross_node(bases, seed))
    log(f"一个节点提交、另一个节点查到相似：{figures['cross_node_similar']}")
    (workdir / "nginx" / "access.log").write_text("")
    _reopen_nginx_log(workdir)
    recorder, window, _ = asyncio.run(crowd(proxy, seed, args.browsers, args.submitters, args.duration,
                                            ramp=min(10, max(2, args.duration // 3))))
    figures["through_proxy"] = recorder.summary(window)
    figures["proxy"] = _proxy_counts(workdir, bases)
    log(f"经 nginx：{figures['through_proxy']['rps']} 请求/秒，错误 {figures['through_proxy']['errors']}；"
        f"分到各节点 {figures['proxy']['by_node']}，微缓存 {figures['proxy']['cache']}")
    own.close()
    return figures


def _start_nginx(workdir, bases, stack):
    directory = workdir / "nginx"
    directory.mkdir()
    port = free_port()
    servers = "\n".join(f"        server {URL(base).host}:{URL(base).port};" for base in bases)
    conf = directory / "nginx.conf"
    conf.write_text(NGINX_CONF.format(dir=directory, servers=servers, port=port), encoding="utf-8")
    service = stack.enter_context(Service("nginx", [NGINX, "-c", conf, "-p", directory, "-g", "daemon off;"],
                                          directory / "stdout.log"))
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: healthy(base + "/healthz"), "nginx", 30, service)
    return base


def _reopen_nginx_log(workdir):
    pid = int((workdir / "nginx" / "nginx.pid").read_text())
    os.kill(pid, 10)  # SIGUSR1: reopen the log files
    time.sleep(0.5)


def _proxy_counts(workdir, bases):
    lines = (workdir / "nginx" / "access.log").read_text().splitlines()
    addresses = {f"{URL(b).host}:{URL(b).port}": f"node{n}" for n, b in enumerate(bases)}
    by_node = Counter(addresses.get(line.split()[0], "cache") for line in lines if line)
    cache = Counter(line.split()[1] for line in lines if line)
    return {"requests": len(lines), "by_node": dict(by_node), "cache": dict(cache)}


async def _cross_node(bases, seed):
    """A citizen signs in and submits through the first node; the same browser
    asks the last node for similar ideas until the new one is among them."""
    first, last = bases[0], bases[-1]
    writer = Person(first, Recorder())
    reader = Person(last, Recorder())
    found = []
    try:
        if not await writer.log_in(seed["submitters"][0], seed["password"]):
            raise RuntimeError("群众登录失败")
        # The same session cookie, sent to the other node.
        reader.session.cookie_jar.update_cookies(writer.session.cookie_jar.filter_cookies(URL(first)),
                                                 URL(last))
        ideas = IdeaWriter(random.Random(7))
        for trial in range(CROSS_NODE_TRIALS):
            page = await writer.request("new_form", "GET", "/ideas/new")
            form = FormReader(page.text)
            fields = ideas.fields(form.options["region"], form.options["theme"])
            fields["title"] = f"跨节点{trial}{fields['title']}"[:30]
            sent = await writer.request("submit", "POST", "/ideas/new", expect=(302,),
                                        data={**form.hidden, **fields})
            acknowledged = time.monotonic()
            other_page = await reader.request("new_form", "GET", "/ideas/new")
            token = FormReader(other_page.text).hidden["csrf_token"]
            text = f"{fields['title']}\n{fields['problem']}\n{fields['suggestion']}"
            seconds = None
            # Polled gently: the look-up allows an account 30 a minute.
            while time.monotonic() - acknowledged < GIVE_UP_S:
                answer = await reader.request("similar", "POST", "/analysis/similar",
                                              data={"csrf_token": token, "text": text[:1500]})
                hits = json.loads(answer.text) if answer is not None and answer.status == 200 else {}
                if any(item["title"] == fields["title"] for item in hits.get("duplicates", [])):
                    seconds = round(time.monotonic() - acknowledged, 3)
                    break
                await asyncio.sleep(0.2)
            found.append(seconds if sent is not None else None)
    finally:
        await writer.close()
        await reader.close()
    within = [s for s in found if s is not None and s <= FOUND_WITHIN_S]
    return {"trials": len(found), "found_within_1s": len(within), "seconds": found}
