"""Speed of 热点 and 建议综述 on a large campaign (SQLite in a temporary folder).

Ideas are the 313 proposals of the ten-theme evaluation set, repeated with
authors, regions and days drawn at random (a third of the authors post twice
or more, 5 % of ideas are duplicates merged into an earlier one), in 8
clusters per theme; inserted in bulk, not through the services, so the run
measures the reads. Prints one JSON line.

    python bench/hot_report.py --ideas 100000
"""
import argparse
import json
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

import flask_migrate  # noqa: E402

from app import create_app  # noqa: E402
from app.auth.models import Role, User  # noqa: E402
from app.campaigns.services import create_campaign  # noqa: E402
from app.extensions import db, nlp  # noqa: E402
from app.regions import REGIONS  # noqa: E402
from app.timeutil import now  # noqa: E402
from ideas import heat_queries  # noqa: E402
from ideas.models import Cluster, ClusterRun, Idea, IdeaAnalysis, IdeaStatus  # noqa: E402
from voting.reports.proposal_pdf import proposal_pdf  # noqa: E402
from voting.reports.proposal_tables import proposal_xlsx  # noqa: E402
from voting.reports.proposals import proposal_report  # noqa: E402

EVAL = ROOT / "nlp" / "data" / "eval" / "ten_themes_eval.jsonl"
CLUSTERS_PER_THEME = 8


def seed(n_ideas, rng):
    opened = now() - timedelta(days=30)
    campaign = create_campaign(None, opened.year, "压测活动", opened, now() + timedelta(days=5),
                               make_current=True)
    db.session.flush()
    themes = {t.code: t.id for t in campaign.themes}
    rows = [json.loads(line) for line in EVAL.read_text(encoding="utf-8").splitlines()]
    tokens = [nlp.segmenter.segment(row["text"]) for row in rows]
    n_authors = n_ideas * 2 // 3
    db.session.execute(insert(User), [{"mobile": f"139{n:08d}", "role": Role.citizen, "password_hash": "x"}
                                      for n in range(n_authors)])
    first_user = db.session.scalar(select(User.id).order_by(User.id).limit(1))
    run = ClusterRun(campaign_id=campaign.id, strategy="zero_shot")
    db.session.add(run)
    db.session.flush()
    cluster_ids = {}
    for code, theme_id in themes.items():
        for k in range(CLUSTERS_PER_THEME):
            cluster = Cluster(run=run, scope_theme_id=theme_id, name=f"{code}-{k}", terms="", size=0)
            db.session.add(cluster)
            db.session.flush()
            cluster_ids[code, k] = cluster.id
    ideas, analyses = [], []
    for n in range(1, n_ideas + 1):
        source = n % len(rows)
        row = rows[source]
        merged = n > 100 and rng.random() < 0.05
        # Later days are busier for the first theme: a topic on the rise.
        day = rng.random() ** (0.5 if row["label"] == rows[0]["label"] else 1.0) * 30
        ideas.append({"id": n, "campaign_id": campaign.id, "author_id": first_user + rng.randrange(n_authors),
                      "submission_token": f"t{n}", "seq": n, "tracking_code": f"XC-B-{n:07d}",
                      "status": IdeaStatus.merged if merged else IdeaStatus.submitted,
                      "merged_into_id": rng.randrange(1, n) if merged else None,
                      "theme_id": themes.get(row["label"]), "title": row["text"][:20], "problem": row["text"],
                      "suggestion": "", "benefit": "", "region": rng.choice(REGIONS),
                      "submitted_at": opened + timedelta(days=day)})
        analyses.append({"idea_id": n, "text_hash": str(source), "tokens": tokens[source],
                         "suggested_theme_id": themes.get(row["label"]), "theme_status": "assigned",
                         "cluster_id": None if merged else cluster_ids.get((row["label"], source % 8))})
    db.session.execute(insert(Idea), ideas)
    db.session.execute(insert(IdeaAnalysis), analyses)
    members = {}
    for row in analyses:
        members.setdefault(row["cluster_id"], []).append(row["idea_id"])
    for cluster in run.clusters:
        cluster.members, cluster.size = members.get(cluster.id, []), len(members.get(cluster.id, []))
    db.session.commit()
    return campaign


def timed(results, name, call):
    start = time.perf_counter()
    value = call()
    results[name] = round(time.perf_counter() - start, 3)
    return value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ideas", type=int, default=100000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite"})
        with app.app_context():
            flask_migrate.upgrade()
            results = {"ideas": args.ideas}
            campaign = timed(results, "seed_seconds", lambda: seed(args.ideas, random.Random(7)))
            at = now()
            hot = timed(results, "hot_clusters_seconds", lambda: heat_queries.hot_clusters(campaign, at))
            timed(results, "hot_themes_seconds", lambda: heat_queries.hot_themes(campaign, at))
            timed(results, "rise_seconds",
                  lambda: heat_queries.rise(campaign, [h.cluster for h in hot[:5]], at))
            report = timed(results, "proposal_report_seconds", lambda: proposal_report(campaign))
            timed(results, "xlsx_seconds", lambda: proposal_xlsx(report))
            timed(results, "pdf_seconds", lambda: proposal_pdf(report))
            results["clusters"], results["proposals"] = len(hot), len(report.proposals)
            db.engine.dispose()
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
