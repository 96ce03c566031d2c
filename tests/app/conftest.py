"""Fixtures shared by the access tests: one of everything, and URLs for every rule."""
from datetime import timedelta

import pytest
from werkzeug.routing import Map

from app.auth.models import Role, mask_phone
from voting.judging.runs import judge_campaign
from app.extensions import db
from app.timeutil import now
from ideas.analysis_services import rebuild
from ideas.models import Cluster, ClusterRun, IdeaStatus, NlpJob
from ideas.group_models import GroupState, IdeaGroup, IdeaGroupMember
from ideas.public_services import add_supplement
from voting.judging import queries as voting_queries
from voting.judging.panels import prepare_round
from voting.judging.rounds import create_default_rounds, open_round
from voting.ballots import services as ballot_services
from voting.certificates.services import issue_certificate
from voting.notice import queries as notice_queries
from voting.notice import services as notice_services

VISITORS = ("anonymous", "citizen", "other_citizen", "reviewer", "other_reviewer", "staff", "admin")
# Markers no page may show of an idea under review, except to staff and its author:
# a region of its own (not in the form's list), the authors' names, the contact phone.
UNDER_REVIEW_REGION = "盲审标记地区"
UNDER_REVIEW_AUTHOR = "盲审标记作者"


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
    # The first round judges these twelve: what would tell who wrote them is marked (see UNDER_REVIEW).
    # Its author agreed to a public page: that page must not tell who wrote it either.
    idea = make.idea(author=people["citizen"], status=IdeaStatus.accepted, staff=people["staff"],
                     region=UNDER_REVIEW_REGION, public_consent=True)
    supplement = add_supplement(idea, people["other_citizen"], "补充一点：园区要先理顺体制。")
    others = [make.idea(author=make.user(real_name=f"{UNDER_REVIEW_AUTHOR}{n:02d}"),
                        status=IdeaStatus.accepted, staff=people["staff"], region=UNDER_REVIEW_REGION)
              for n in range(11)]
    rebuild(campaign)
    job = NlpJob(campaign_id=campaign.id, state="done")
    run = ClusterRun(campaign_id=campaign.id, strategy="zero_shot")
    cluster = Cluster(run=run, name="园区、管委会", terms="园区 管委会", size=1)
    # Decided, so the rebuild a POST starts keeps it (a rebuild forms the open groups afresh).
    # Its contact phone is its author's own: their 我的数据 page shows it, not the judged idea's.
    second = make.idea(author=people["other_citizen"], status=IdeaStatus.rejected, staff=people["staff"],
                       contact_phone="13900000002")
    group = IdeaGroup(campaign_id=campaign.id, lead_id=second.id, state=GroupState.rejected,
                      members=[IdeaGroupMember(idea_id=second.id, previous_status=IdeaStatus.submitted)])
    db.session.add_all([job, run, cluster, group])
    first = create_default_rounds(campaign, people["staff"])[0]
    first.reviewers_per_idea = 1
    prepare_round(first, people["staff"])
    open_round(first, people["staff"])
    db.session.commit()
    own = next(a for a in voting_queries.active_assignments(first) if a.reviewer_id == people["reviewer"].id)
    void = _open_public_vote(first, people)
    winner, objection, notification = _finished_campaign(make, campaign.year - 1, people)
    certificate = issue_certificate(winner, people["citizen"], "张三")
    db.session.commit()
    values = {"idea_id": {"ideas.edit": draft.id}, "default_idea": idea.id, "assignment_id": own.id,
              "round_id": first.id, "criterion_id": first.criteria[0].id,
              "user_id": people["other_citizen"].id, "reviewer_id": people["reviewer"].id,
              "campaign_id": campaign.id, "theme_id": campaign.themes[0].id, "job_id": job.id,
              "cluster_id": cluster.id, "group_id": group.id, "code": idea.tracking_code, "fmt": "csv",
              "action": "prepare", "request_": "remind", "filename": "css/site.css",
              # 公示 and the winners live in last year's finished campaign.
              "year": dict.fromkeys(_LAST_YEAR_ENDPOINTS, campaign.year - 1), "default_year": campaign.year,
              "rank": winner.rank, "entry_id": winner.id, "objection_id": objection.id,
              "notification_id": notification.id, "void_id": void.id, "serial": certificate.serial,
              "supplement_id": supplement.id,
              # ``citizen``'s own code is in the tracking page's address; the others' must show nowhere.
              "under_review": [UNDER_REVIEW_REGION, UNDER_REVIEW_AUTHOR, idea.contact_phone,
                               mask_phone(idea.contact_phone), *(i.tracking_code for i in others)]}
    return people, values


def _open_public_vote(round_, people):
    """The round's public vote is open; ``other_citizen`` voted and staff voided that vote."""
    staff = people["staff"]
    ballot_services.save_settings(round_, staff, public_vote=True, vote_opens_at=now() + timedelta(hours=1),
                                  vote_closes_at=now() + timedelta(days=2), votes_per_citizen=3,
                                  expert_weight=0.7)
    ballot_services.publish_blend(round_, staff)
    round_.vote_opens_at = now() - timedelta(hours=1)  # as if the published opening time had come
    vote = ballot_services.cast_vote(round_, round_.entries[0].idea, people["other_citizen"], "10.1.2.3",
                                     "UA")
    void = ballot_services.void_votes(round_, staff, "ids", [vote.id], "测试作废")
    db.session.commit()
    return void


_LAST_YEAR_ENDPOINTS = ("notice.gongshi", "notice.objection", "notice.manage", "notice.prepare",
                        "notice.preview",
                        "notice.publish", "notice.finalize", "notice.winners", "notice.winners_text",
                        "notice.winner", "notice.spam", "certificates.name", "certificates.pdf")


def _finished_campaign(make, year, people):
    """Last year's campaign, judged, announced and finalized; ``citizen`` wrote a
    winner (and got its notification), ``other_citizen`` objected (dismissed)."""
    staff = people["staff"]
    campaign = make.campaign(year=year, current=False)
    mine = make.idea(author=people["citizen"], campaign=campaign, status=IdeaStatus.accepted, staff=staff)
    ideas = [mine] + [make.idea(campaign=campaign, status=IdeaStatus.accepted, staff=staff)
                      for _ in range(10)]
    judge_campaign(campaign, staff, {idea.id: 9 - 0.5 * n for n, idea in enumerate(ideas)},
                   advance=(11, 11, 10), reviewers_per_idea=(1, 1, None))
    announcement = notice_services.prepare_announcement(campaign, staff, alternates=1)
    notice_services.edit_announcement(announcement, staff, "", {e.id: "评语" for e in announcement.entries})
    start = now() - timedelta(days=10)
    notice_services.publish(announcement, staff, start + timedelta(days=7), at=start)
    listed = notice_queries.listed(announcement)
    objection = notice_services.file_objection(listed[-1], people["other_citizen"], "异议理由写在这里。",
                                               at=start + timedelta(days=1))
    notice_services.rule_objection(objection, staff, False, "异议不成立。")
    notifications = notice_services.finalize(announcement, staff)
    db.session.commit()
    winner = next(e for e in listed if e.idea_id == mine.id)
    return winner, objection, next(n for n in notifications if n.user_id == people["citizen"].id)


def url_for_rule(rule, values):
    args = {}
    for name in rule.arguments:
        value = values[name]
        if isinstance(value, dict):
            value = value.get(rule.endpoint, values["default_" + name.removesuffix("_id")])
        args[name] = value
    return Map([rule.empty()]).bind("localhost").build(rule.endpoint, args)
