"""The database side of ``bench/load.py``: seed the site, then check what the load left behind.

Runs as a subprocess in the site's own environment (FLASK_CONFIG, DATABASE_URL,
INSTANCE_PATH, SECRET_KEY), so the bench process never imports the app, and
prints one JSON document on stdout.

    python bench/load_db.py seed --submitters 50
    python bench/load_db.py lost acknowledged.json       # {"idea id": "tracking code or null"}
    python bench/load_db.py round saves.json             # {"round_id": .., "saved": [assignment ids]}
    python bench/load_db.py audit                        # does the action log's hash chain still hold?
"""
import argparse
import json
import sys
from pathlib import Path

from sqlalchemy import func, insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from app import create_app  # noqa: E402  (needs ROOT on the path)
from app.audit.models import ActionLog  # noqa: E402
from app.audit.queries import first_broken_link  # noqa: E402
from app.auth.models import Role, User  # noqa: E402
from app.campaigns.queries import current_campaign  # noqa: E402
from ops.demo.loader import DEMO_CITIZEN_LOGIN, load_demo  # noqa: E402
from app.extensions import db  # noqa: E402
from ideas.models import Idea, IdeaStatus  # noqa: E402
from voting.judging import queries as voting_queries  # noqa: E402
from voting.judging.outcome import compute_outcome  # noqa: E402
from voting.judging.panels import prepare_round  # noqa: E402
from voting.judging.reviews import save_review  # noqa: E402
from voting.judging.rounds import create_default_rounds, open_round  # noqa: E402
from voting.judging.models import Assignment, Round  # noqa: E402
from voting.judging.digest import verify_digest  # noqa: E402

SUBMITTER_LOGIN = "1360000{:04d}"
# One reviewer sheet per pool idea is submitted while seeding, so the round can
# close; the rest are left for the reviewers of the round-close scenario.
SEEDED_SCORES = (7, 6, 8, 5)


def seed(submitters):
    app = create_app()
    with app.app_context():
        if not load_demo(app.config["DEMO_PASSWORD"]):
            raise SystemExit("这个数据库里已经有今年的活动：压测只用新建的空库")
        db.session.commit()
        # The demo's single password hash, reused: hashing one per account is slow on purpose.
        password_hash = db.session.scalar(select(User.password_hash).where(User.mobile == DEMO_CITIZEN_LOGIN))
        logins = [SUBMITTER_LOGIN.format(n) for n in range(1, submitters + 1)]
        db.session.execute(insert(User), [
            {"mobile": login, "role": Role.citizen, "real_name": f"压测群众{n:04d}",
             "password_hash": password_hash} for n, login in enumerate(logins, start=1)])
        staff = db.session.scalar(select(User).where(User.role == Role.staff))
        campaign = current_campaign()
        first = create_default_rounds(campaign, staff)[0]
        prepare_round(first, staff)
        open_round(first, staff)
        seeded = set()
        for assignment in voting_queries.active_assignments(first):
            if assignment.idea_id in seeded:
                continue
            values = {c.id: SEEDED_SCORES[n % len(SEEDED_SCORES)] for n, c in enumerate(first.criteria)}
            save_review(assignment, assignment.reviewer, values, "", submit=True)
            seeded.add(assignment.idea_id)
        db.session.commit()
        open_sheets = [{"id": a.id, "reviewer": a.reviewer.login_name}
                       for a in voting_queries.active_assignments(first) if a.review is None]
        codes = db.session.scalars(select(Idea.tracking_code).where(
            Idea.campaign_id == campaign.id, Idea.status != IdeaStatus.draft)).all()
        return {"password": app.config["DEMO_PASSWORD"], "submitters": logins, "staff": staff.login_name,
                "codes": sorted(codes), "round": {"id": first.id, "sheets": open_sheets}}


def lost(path):
    """Acknowledged submissions whose submitted row is not in the database."""
    acknowledged = {int(k): v for k, v in json.loads(Path(path).read_text(encoding="utf-8")).items()}
    with create_app().app_context():
        rows = dict(db.session.execute(select(Idea.id, Idea.tracking_code).where(
            Idea.id.in_(acknowledged), Idea.status != IdeaStatus.draft)).all())
    missing = sorted(i for i, code in acknowledged.items()
                     if rows.get(i) is None or (code is not None and rows[i] != code))
    return {"checked": len(acknowledged), "lost": len(missing), "examples": missing[:10]}


def round_check(path):
    """Did every acknowledged score sheet make the frozen table, and does the
    table recomputed from the stored scores hash to the stored digest?"""
    saves = json.loads(Path(path).read_text(encoding="utf-8"))
    with create_app().app_context():
        round_ = db.session.get(Round, saves["round_id"])
        if round_.digest is None:
            return {"state": round_.state.value, "digest_match": False}
        frozen = {(row["idea"], row["reviewer"]) for row in map(json.loads, round_.frozen_table.splitlines())
                  if "reviewer" in row}
        sheets = [db.session.get(Assignment, i) for i in saves["saved"]]
        missing = [a.id for a in sheets if (str(a.idea_id), str(a.reviewer_id)) not in frozen]
        outcome, *_ = compute_outcome(round_, seed=round_.tie_seed)
        return {"state": round_.state.value, "digest": round_.digest,
                "saved_missing_from_table": len(missing),
                "recomputed_digest": outcome.table.digest,
                "digest_match": outcome.table.digest == round_.digest
                and verify_digest(round_.frozen_table, round_.digest)}


def audit():
    """Concurrent writers must chain onto the log one after another, never onto the same entry."""
    with create_app().app_context():
        broken = first_broken_link()
        return {"entries": db.session.scalar(select(func.count()).select_from(ActionLog)),
                "intact": broken is None, "first_broken_id": broken.id if broken else None}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("seed").add_argument("--submitters", type=int, required=True)
    commands.add_parser("lost").add_argument("path")
    commands.add_parser("round").add_argument("path")
    commands.add_parser("audit")
    args = parser.parse_args()
    if args.command == "seed":
        result = seed(args.submitters)
    elif args.command == "lost":
        result = lost(args.path)
    elif args.command == "round":
        result = round_check(args.path)
    else:
        result = audit()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
