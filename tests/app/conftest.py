"""Fixtures shared by the access tests: one of everything, and URLs for every rule."""
import pytest
from werkzeug.routing import Map

from app.auth.models import Role
from app.extensions import db
from ideas.analysis_services import rebuild
from ideas.models import Cluster, ClusterRun, IdeaStatus, NlpJob
from voting import queries as voting_queries
from voting import services as voting_services

VISITORS = ("anonymous", "citizen", "other_citizen", "reviewer", "other_reviewer", "staff", "admin")


@pytest.fixture
def world(make):
    """One of everything, owned by ``citizen`` and ``reviewer``."""
    campaign = make.campaign()
    people = {"citizen": make.user(login="13900000001"), "other_citizen": make.user(login="13900000002"),
              "reviewer": make.user(Role.reviewer, login="r1@example.com", work_unit="甲单位"),
              "other_reviewer": make.user(Role.reviewer, login="r2@example.com", work_unit="乙单位"),
              "staff": make.user(Role.staff, login="staff@example.com"),
              "admin": make.user(Role.admin, login="admin@example.com")}
    draft = make.idea(author=people["citizen"], status=IdeaStatus.draft)
    idea = make.idea(author=people["citizen"], status=IdeaStatus.accepted, staff=people["staff"])
    for _ in range(11):
        make.idea(status=IdeaStatus.accepted, staff=people["staff"])
    rebuild(campaign)
    job = NlpJob(campaign_id=campaign.id, state="done")
    run = ClusterRun(campaign_id=campaign.id, strategy="zero_shot")
    cluster = Cluster(run=run, name="园区、管委会", terms="园区 管委会", size=1)
    db.session.add_all([job, run, cluster])
    first = voting_services.create_default_rounds(campaign, people["staff"])[0]
    first.reviewers_per_idea = 1
    voting_services.prepare_round(first, people["staff"])
    voting_services.open_round(first, people["staff"])
    db.session.commit()
    own = next(a for a in voting_queries.active_assignments(first) if a.reviewer_id == people["reviewer"].id)
    values = {"idea_id": {"ideas.edit": draft.id}, "default_idea": idea.id, "assignment_id": own.id,
              "round_id": first.id, "criterion_id": first.criteria[0].id, "user_id": people["other_citizen"].id,
              "campaign_id": campaign.id, "theme_id": campaign.themes[0].id, "job_id": job.id,
              "cluster_id": cluster.id, "code": idea.tracking_code, "fmt": "csv",
              "action": "prepare", "filename": "css/site.css"}
    return people, values


def url_for_rule(rule, values):
    args = {}
    for name in rule.arguments:
        value = values[name]
        if isinstance(value, dict):
            value = value.get(rule.endpoint, values["default_" + name.removesuffix("_id")])
        args[name] = value
    return Map([rule.empty()]).bind("localhost").build(rule.endpoint, args)
