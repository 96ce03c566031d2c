"""``make bench-db``: the staff pages of the funnel and judging at a million ideas on
PostgreSQL, next to the naive ways, in one run.

Fills a new database with ``bench/db_seed.py`` (COPY) unless ``--reuse``, then signs
in as the demo staff member and requests every page through Flask's test client
(in process: the times are the site's own, without a network or a web server),
``--repeat`` times each after one warm-up; p50/p95 in milliseconds. The naive ways
are timed on the same data: the substring search (LIKE), OFFSET pages, the export
built in memory. Exports report rows per second and the peak of Python's own
allocations (tracemalloc) at two sizes: flat when streamed.
Prints one JSON document.

    python bench/db_bench.py --data ../shared/data/citizen_messages_likes.csv --db bench_1m
    python bench/db_bench.py --data ... --db bench_1m --reuse       # measure an already loaded database
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere
sys.path.insert(0, str(ROOT / "bench"))

from nlp_bench import log, millis, percentile  # noqa: E402

SERVER = "postgresql://postgres@127.0.0.1:5432"
SEARCH_WORDS = ("交通", "停车", "养老", "垃圾分类", "噪音扰民")


def spread(times):
    return {"p50_ms": millis(percentile(times, 50)), "p95_ms": millis(percentile(times, 95)),
            "max_ms": millis(max(times))}


def timed(call, repeat):
    call()  # warm: templates compiled, pages in PostgreSQL's buffers
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return spread(times)


def page_getter(client, path):
    def get():
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}")
        return response
    return get


def staff_paths(campaign, round_id, cluster_id, deep_after, theme_code, cluster_after, round_idea_after):
    day = campaign.submit_opens_at.date()
    return {
        "screening queue (待筛选)": "/ideas/screening",
        "screening, all statuses": "/ideas/screening?status=",
        "screening, theme filter": f"/ideas/screening?status=&theme={theme_code}",
        "screening, region filter": "/ideas/screening?status=&region=长沙市",
        "screening, date filter": f"/ideas/screening?status=&date_from={day}&date_to={day}",
        "screening, deep page (keyset)": f"/ideas/screening?status=&after={deep_after}",
        **{f"search 「{w}」": f"/ideas/screening?status=&q={w}" for w in SEARCH_WORDS},
        "analysis dashboard": "/analysis/",
        "cluster page": f"/analysis/clusters/{cluster_id}",
        "cluster page, after 1,000 units (keyset)": f"/analysis/clusters/{cluster_id}?after={cluster_after}",
        "off-topic queue": "/analysis/off-topic",
        "round page (5,000 ideas)": f"/voting/rounds/{round_id}",
        "round page, ideas not fully reviewed after 500 (keyset)":
            f"/voting/rounds/{round_id}?ideas_after={round_idea_after}",
        "rounds list": "/voting/rounds",
        "campaign report": "/reports/",
        "open data stats (API)": "/api/v1/stats",
    }


def naive_ways(campaign, repeat, deep_page):
    """The same reads the old way: LIKE '%…%' over four text columns, OFFSET pages."""
    from sqlalchemy import func, or_, select

    from app.extensions import db
    from ideas.models import Idea, IdeaStatus
    base = select(Idea).where(Idea.campaign_id == campaign.id, Idea.status != IdeaStatus.draft)
    order = (Idea.submitted_at.desc(), Idea.id.desc())
    found = {}
    for word in SEARCH_WORDS:
        pattern = f"%{word}%"
        stmt = base.where(or_(Idea.title.ilike(pattern), Idea.problem.ilike(pattern),
                              Idea.suggestion.ilike(pattern), Idea.benefit.ilike(pattern)))
        found[f"search 「{word}」 LIKE, first page + count"] = timed(lambda: (
            db.session.scalars(stmt.order_by(*order).limit(30)).all(),
            db.session.scalar(select(func.count()).select_from(stmt.subquery()))), repeat)
    found["deep page OFFSET + count"] = timed(lambda: db.paginate(
        base.order_by(*order), page=deep_page, per_page=30, error_out=False).items, repeat)
    return found


def measure_export(client, path, rows, rounds=1):
    start = time.perf_counter()
    size = 0
    for _ in range(rounds):
        response = client.get(path)
        for chunk in response.response:
            size += len(chunk)
    seconds = (time.perf_counter() - start) / rounds
    return {"rows": rows, "seconds": round(seconds, 2), "rows_per_s": round(rows / seconds),
            "bytes": size // rounds}


def traced_peak_mb(call):
    tracemalloc.start()
    try:
        call()
        return round(tracemalloc.get_traced_memory()[1] / 1e6, 1)
    finally:
        tracemalloc.stop()


def built_in_memory(campaign, theme, fmt):
    """The export as it was: every idea as an object, every row in a list, then the file."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from app.exports import csv_bytes, xlsx_bytes
    from app.extensions import db
    from ideas.exports import HEADERS
    from ideas.models import CoProposer, Idea, IdeaStatus
    from ideas.queries import standings
    ideas = db.session.scalars(select(Idea).where(
        Idea.campaign_id == campaign.id, Idea.status == IdeaStatus.submitted, Idea.theme_id == theme.id)
        .options(selectinload(Idea.theme), selectinload(Idea.author), selectinload(Idea.merged_into),
                 selectinload(Idea.co_proposers).selectinload(CoProposer.user)).order_by(Idea.seq)).all()
    standing = standings(ideas)
    rows = [[i.tracking_code, i.title, i.theme.name, standing[i.id].label, i.region or "", i.problem,
             i.suggestion, i.benefit, i.author.real_name or "", i.author.login_name, i.contact_phone or "",
             "是" if i.show_name else "否", "、".join(c.user.display_name for c in i.co_proposers),
             i.merged_into.tracking_code if i.merged_into else "",
             i.submitted_at.strftime("%Y-%m-%d %H:%M")] for i in ideas]
    return csv_bytes(HEADERS, rows) if fmt == "csv" else xlsx_bytes(HEADERS, rows, "建议列表")


def exports(client, campaign, themes):
    """Rows per second of the streamed CSV of every idea, and of the streamed downloads
    of one theme's waiting ideas next to the file built in memory; Python's peak
    allocation for those and for the ones of one region among them: flat when
    streamed, growing with the rows when built."""
    from sqlalchemy import func, select

    from app.extensions import db
    from ideas.models import Idea, IdeaStatus
    theme = themes[0]

    def count(region=None):
        stmt = select(func.count()).select_from(Idea).where(
            Idea.campaign_id == campaign.id, Idea.theme_id == theme.id, Idea.status == IdeaStatus.submitted)
        return db.session.scalar(stmt.where(Idea.region == region) if region else stmt)
    rows, few = count(), count("长沙市")
    every = db.session.scalar(select(func.count()).select_from(Idea).where(
        Idea.campaign_id == campaign.id, Idea.status != IdeaStatus.draft))
    result = {"csv streamed, every idea": measure_export(client, "/ideas/export.csv?status=", every)}
    log(f"csv, every idea: {result['csv streamed, every idea']}")
    for fmt in ("csv", "xlsx"):
        path = f"/ideas/export.{fmt}?status=submitted&theme={theme.code}"
        streamed = measure_export(client, path, rows)
        streamed["peak_python_mb"] = traced_peak_mb(lambda: [None for _ in client.get(path).response])
        streamed[f"peak_python_mb_for_{few}_rows"] = traced_peak_mb(
            lambda: [None for _ in client.get(path + "&region=长沙市").response])
        result[f"{fmt} streamed"] = streamed
        start = time.perf_counter()
        built_in_memory(campaign, theme, fmt)
        seconds = time.perf_counter() - start
        result[f"{fmt} built in memory (naive)"] = {
            "rows": rows, "seconds": round(seconds, 2), "rows_per_s": round(rows / seconds),
            "peak_python_mb": traced_peak_mb(lambda: built_in_memory(campaign, theme, fmt))}
        log(f"{fmt}: {result[f'{fmt} streamed']} / {result[f'{fmt} built in memory (naive)']}")
    return result


def measure(url, repeat, naive_repeat, deep_page, only, with_exports):
    from sqlalchemy import func, select

    from app import create_app
    from app.campaigns.queries import current_campaign
    from app.extensions import db
    from ideas import group_queries
    from ideas.models import Cluster, Idea, IdeaStatus
    from voting.judging import queries as judging_queries
    from voting.judging.models import Round
    # A fresh instance folder: no similar-ideas index from another site to catch up on.
    os.environ["INSTANCE_PATH"] = tempfile.mkdtemp(prefix="bench-db-")
    app = create_app("development", {"DEBUG": False, "SQLALCHEMY_DATABASE_URI": url,
                                     "CACHE_TYPE": "NullCache", "RATELIMIT_ENABLED": False,
                                     "WTF_CSRF_ENABLED": False})
    report = {}
    with app.app_context():
        campaign = current_campaign()
        themes = list(campaign.themes)
        report["ideas"] = db.session.scalar(select(func.count()).select_from(Idea))
        round_id = db.session.scalar(select(Round.id).where(Round.campaign_id == campaign.id)
                                     .order_by(Round.id))
        cluster_id = db.session.scalar(select(Cluster.id).order_by(Cluster.size.desc()).limit(1))
        report["largest_cluster"] = db.session.scalar(select(func.max(Cluster.size)))
        deep_after = db.session.scalar(
            select(Idea.id).where(Idea.campaign_id == campaign.id, Idea.status != IdeaStatus.draft)
            .order_by(Idea.submitted_at.desc(), Idea.id.desc()).offset(deep_page * 30).limit(1))
        # Where a deep page of the two paged staff lists starts.
        round_idea_after = judging_queries.incomplete_ideas(db.session.get(Round, round_id), None,
                                                            500).items[-1].who.id
        cluster_after = group_queries.cluster_page(db.session.get(Cluster, cluster_id), None,
                                                   1000).items[-1][0].id
        client = app.test_client()
        response = client.post("/auth/login", data={"login": "staff@xiance.example",
                                                    "password": app.config["DEMO_PASSWORD"]})
        if response.status_code != 302:
            raise SystemExit(f"staff login: HTTP {response.status_code}")
        pages = {}
        paths = staff_paths(campaign, round_id, cluster_id, deep_after, themes[0].code, cluster_after,
                            round_idea_after)
        for name, path in paths.items():
            if not re.search(only, name):
                continue
            pages[name] = timed(page_getter(client, path), repeat)
            log(f"{name}: {pages[name]}")
        report["pages"] = pages
        report["deep_page"] = deep_page
        if naive_repeat:
            report["naive"] = naive_ways(campaign, naive_repeat, deep_page)
            log(f"naive: {report['naive']}")
        if with_exports:
            report["exports"] = exports(client, campaign, themes)
        db.session.rollback()
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--db", default="bench_1m")
    parser.add_argument("--ideas", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="measure the database as it is")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--naive-repeat", type=int, default=3,
                        help="the naive ways take seconds each; 0: skip")
    parser.add_argument("--deep-page", type=int, default=1000)
    parser.add_argument("--pages", default="",
                        help="only the pages whose name matches this regular expression")
    parser.add_argument("--no-exports", action="store_true")
    parser.add_argument("--out")
    args = parser.parse_args()
    url = f"{SERVER}/{args.db}"
    report = {"database": args.db}
    if not args.reuse:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", args.db], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", args.db], check=True)
        seeded = subprocess.run([sys.executable, str(ROOT / "bench" / "db_seed.py"), "--data", args.data,
                                 "--ideas", str(args.ideas)], env={**os.environ, "DATABASE_URL": url},
                                check=True, capture_output=True, text=True)
        report["load"] = json.loads(seeded.stdout.strip().splitlines()[-1])
    report.update(measure(url.replace("postgresql://", "postgresql+psycopg://"), args.repeat,
                          args.naive_repeat, args.deep_page, args.pages, not args.no_exports))
    text = json.dumps(report, ensure_ascii=False, indent=1)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
