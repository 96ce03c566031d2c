"""Fill a PostgreSQL database for ``bench/db_bench.py``: the demo campaign, then
``--ideas`` synthetic ideas with their analyses, a clustering, and a judging round of
``--pool`` accepted ideas with most of its reviews in, all written with COPY.

Ideas are grown from the sentences of the shared messages as ``bench/nlp_bench.py``
grows them (2–10 sentences each, fixed seed); each sentence is segmented once, so
an idea's stored tokens are its sentences' tokens joined, as the site would store them.
Runs in the site's environment (DATABASE_URL); prints one JSON document.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_1m python bench/db_seed.py --ideas 1000000
"""
import argparse
import hashlib
import json
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere
sys.path.insert(0, str(ROOT / "bench"))

from nlp_bench import install_segmenter, load_themes, log, read_sentences  # noqa: E402

# Where the loaded ideas stand: a real campaign rejects or leaves waiting most of what it gets.
SUBMITTED_SHARE = 0.40
THEME_STATUS = (("assigned", 0.80), ("needs_review", 0.15), ("off_topic", 0.05))
GATE_KINDS = ("complaint", "advert", "empty")
CLUSTERS_PER_THEME = 20
REVIEWERS = 60
REVIEWED_SHARE = 0.8
BENCH_PASSWORD_HASH_FROM = "13800000001"  # the demo citizen: its hash is reused, hashing is slow


def copy_rows(connection, table, columns, rows):
    """COPY ``rows`` (tuples in ``columns`` order) into ``table``; returns the count."""
    count = 0
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def pick(rng, shares):
    value, total = rng.random(), 0.0
    for item, share in shares:
        total += share
        if value < total:
            return item
    return shares[-1][0]


def sentence_bank(data, cache_dir):
    from nlp.segmenter import segment_many
    sentences = read_sentences(data, ["title", "detail"])
    segmenter = install_segmenter(cache_dir, load_themes())
    start = time.perf_counter()
    tokens = segment_many(sentences, n_jobs=2, segmenter=segmenter)
    log(f"{len(sentences)} sentences segmented in {time.perf_counter() - start:.1f} s")
    return sentences, tokens


def seed_base():
    """The demo campaign, reviewers and an empty first round; returns the ids the COPY needs."""
    from sqlalchemy import func, select

    from app.auth.models import Role, User
    from app.campaigns.queries import current_campaign
    from app.extensions import db
    from flask import current_app
    from ideas.models import Idea
    from ops.demo.loader import load_demo
    if not load_demo(current_app.config["DEMO_PASSWORD"]):
        raise SystemExit("这个数据库里已经有今年的活动：只用新建的空库")
    db.session.commit()
    campaign = current_campaign()
    password_hash = db.session.scalar(select(User.password_hash)
                                      .where(User.mobile == BENCH_PASSWORD_HASH_FROM))
    return {"campaign": campaign.id, "year": campaign.year, "opens_at": campaign.submit_opens_at,
            "themes": [t.id for t in campaign.themes], "password_hash": password_hash,
            "staff": db.session.scalar(select(User.id).where(User.role == Role.staff)),
            "first_seq": (db.session.scalar(select(func.max(Idea.seq)).where(Idea.campaign_id == campaign.id))
                          or 0) + 1,
            "first_id": (db.session.scalar(select(func.max(Idea.id))) or 0) + 1,
            "first_user": (db.session.scalar(select(func.max(User.id))) or 0) + 1}


def idea_rows(base, n, authors, sentences, tokens, pool, rng):
    """(idea row, analysis row) pairs; the first ``pool`` are accepted, for the round."""
    from app.regions import REGIONS
    from nlp.worth import worth
    year, opens = base["year"], base["opens_at"]
    themes, first_user = base["themes"], base["first_user"]
    for k in range(n):
        idea_id, seq = base["first_id"] + k, base["first_seq"] + k
        picks = [rng.randrange(len(sentences)) for _ in range(rng.randint(2, 10))]
        half = max(1, len(picks) // 2)
        title = sentences[picks[0]][:40]
        problem = "".join(sentences[i] for i in picks[:half])
        suggestion = "".join(sentences[i] for i in picks[half:])
        if k < pool:
            status = "accepted"
        else:
            status = "submitted" if rng.random() < SUBMITTED_SHARE else "rejected"
        at = opens + timedelta(seconds=int(k * 19 * 86400 / n) + rng.randrange(30))
        theme = rng.choice(themes)
        theme_status = pick(rng, THEME_STATUS)
        text = "\n".join((title, problem, suggestion, ""))
        idea = (idea_id, base["campaign"], first_user + rng.randrange(authors), f"bench-{idea_id}", seq,
                f"XC-{year}-{seq:06d}", status, theme, title, problem, suggestion, "", rng.choice(REGIONS),
                False, at, at, at)
        digest, found = hashlib.sha256(text.encode("utf-8")).hexdigest(), worth(text)
        analysis = (idea_id, digest, digest, " ".join(tokens[i] for i in picks if tokens[i]), theme,
                    round(rng.uniform(0.3, 0.99), 4), theme_status, round(rng.uniform(0.5, 1.0), 4),
                    rng.choice(GATE_KINDS) if theme_status == "off_topic" else "", "", "", "",
                    found.score, found.reason, at)
        yield idea, analysis


IDEA_COLUMNS = ("id", "campaign_id", "author_id", "submission_token", "seq", "tracking_code", "status",
                "theme_id", "title", "problem", "suggestion", "benefit", "region", "show_name",
                "created_at", "updated_at", "submitted_at")
ANALYSIS_COLUMNS = ("idea_id", "text_hash", "analysed_hash", "tokens", "suggested_theme_id", "confidence",
                    "theme_status", "on_topic_probability", "gate_kind", "gate_reason", "gate_reply",
                    "keywords", "worth_score", "worth_reason", "updated_at")


def load_ideas(connection, base, n, pool, sentences, tokens):
    rng = random.Random(18)
    authors = max(1, n // 5)
    start = time.perf_counter()
    users = copy_rows(connection, "users", ("id", "mobile", "password_hash", "role", "is_active",
                                            "session_version", "created_at"),
                      ((base["first_user"] + k, f"15{k:09d}", base["password_hash"], "citizen", True, 1,
                        base["opens_at"]) for k in range(authors)))
    reviewers = copy_rows(connection, "users", ("id", "email", "password_hash", "role", "real_name",
                                                "is_active", "session_version", "created_at"),
                          ((base["first_user"] + authors + k, f"bench-reviewer{k}@xiance.example",
                            base["password_hash"], "reviewer", f"评审专家{k}", True, 1, base["opens_at"])
                           for k in range(REVIEWERS)))
    analyses = []
    ideas = copy_rows(connection, "ideas", IDEA_COLUMNS,
                      (idea for idea, analysis in idea_rows(base, n, authors, sentences, tokens, pool, rng)
                       if not analyses.append(analysis)))
    copy_rows(connection, "idea_analyses", ANALYSIS_COLUMNS, analyses)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE campaigns SET idea_seq = %s WHERE id = %s", (base["first_seq"] + n - 1,
                                                                            base["campaign"]))
        for table in ("ideas", "users"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"(SELECT max(id) FROM {table}))")
    connection.commit()
    return {"users": users + reviewers, "ideas": ideas, "analyses": len(analyses),
            "copy_s": round(time.perf_counter() - start, 1)}


def load_clusters(connection, base, n):
    """One clustering: CLUSTERS_PER_THEME clusters in each theme, every analysed idea in one."""
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO cluster_runs (campaign_id, created_at, strategy, summary) "
                       "VALUES (%s, now(), 'bench', '{}') RETURNING id", (base["campaign"],))
        run_id = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO clusters (run_id, scope_theme_id, name, terms, size, nearest_theme_id, theme_score, "
            "members, change, sources) SELECT %s, t, '类' || t || '-' || c, '', 0, t, 0.5, '[]', 'new', '[]' "
            "FROM unnest(%s::int[]) t, generate_series(0, %s) c",
            (run_id, base["themes"], CLUSTERS_PER_THEME - 1))
        # Each idea joins a cluster of its theme, spread by its id.
        cursor.execute(
            "WITH numbered AS (SELECT id, scope_theme_id, row_number() OVER (PARTITION BY scope_theme_id "
            "ORDER BY id) - 1 AS k FROM clusters WHERE run_id = %s) "
            "UPDATE idea_analyses a SET cluster_id = c.id FROM numbered c "
            "WHERE a.idea_id >= %s AND c.scope_theme_id = a.suggested_theme_id AND c.k = a.idea_id %% %s",
            (run_id, base["first_id"], CLUSTERS_PER_THEME))
        cursor.execute("UPDATE clusters c SET size = m.n, members = m.ids FROM (SELECT cluster_id, "
                       "count(*) n, json_agg(idea_id ORDER BY idea_id) ids FROM idea_analyses "
                       "WHERE cluster_id IS NOT NULL GROUP BY cluster_id) m WHERE m.cluster_id = c.id")
    connection.commit()
    return {"cluster_run": run_id, "clusters": len(base["themes"]) * CLUSTERS_PER_THEME,
            "seconds": round(time.perf_counter() - start, 1)}


def load_round(connection, base):
    """The first round prepared by the site's own assignment, opened, most sheets submitted."""
    from app.auth.models import User
    from app.campaigns.models import Campaign
    from app.extensions import db
    from voting.judging.panels import prepare_round
    from voting.judging.rounds import create_default_rounds, open_round
    start = time.perf_counter()
    staff = db.session.get(User, base["staff"])
    first = create_default_rounds(db.session.get(Campaign, base["campaign"]), staff)[0]
    prepare_round(first, staff)
    open_round(first, staff)
    db.session.commit()
    prepared = time.perf_counter() - start
    rng = random.Random(5000)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM assignments WHERE round_id = %s AND active ORDER BY id", (first.id,))
        chosen = [row[0] for row in cursor.fetchall() if rng.random() < REVIEWED_SHARE]
        cursor.execute("SELECT id FROM criteria WHERE round_id = %s ORDER BY id", (first.id,))
        criteria = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT coalesce(max(id), 0) + 1 FROM reviews")
        first_review = cursor.fetchone()[0]
    reviews = copy_rows(connection, "reviews", ("id", "assignment_id", "submitted", "comment", "updated_at"),
                        ((first_review + k, a, True, "", base["opens_at"]) for k, a in enumerate(chosen)))
    scores = copy_rows(connection, "review_scores", ("review_id", "criterion_id", "value"),
                       ((first_review + k, c, rng.randint(3, 10))
                        for k in range(len(chosen)) for c in criteria))
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('reviews', 'id'), "
                       "(SELECT max(id) FROM reviews))")
    connection.commit()
    return {"round": first.id, "entries": len(first.entries), "reviews": reviews, "scores": scores,
            "prepare_s": round(prepared, 1), "seconds": round(time.perf_counter() - start, 1)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--ideas", type=int, default=1_000_000)
    parser.add_argument("--pool", type=int, default=5000)
    args = parser.parse_args()
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    app = create_app("development", {"DEBUG": False, "NLP_PRELOAD": False})
    with app.app_context(), tempfile.TemporaryDirectory() as folder:
        upgrade()
        sentences, tokens = sentence_bank(args.data, folder)
        base = seed_base()
        connection = db.engine.raw_connection().driver_connection
        report = {"ideas": load_ideas(connection, base, args.ideas, args.pool, sentences, tokens)}
        log(f"ideas: {report['ideas']}")
        report["clusters"] = load_clusters(connection, base, args.ideas)
        log(f"clusters: {report['clusters']}")
        connection.autocommit = True
        with connection.cursor() as cursor:
            start = time.perf_counter()
            cursor.execute("ANALYZE")
        report["analyze_s"] = round(time.perf_counter() - start, 1)
        connection.autocommit = False
        report["round"] = load_round(connection, base)
        log(f"round: {report['round']}")
    print(json.dumps(report, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
