"""Campaigns with finished judging and a finalized 公示, shared by the notice,
API and report tests (loaded as a plugin from tests/conftest.py)."""
from datetime import timedelta
from types import SimpleNamespace

import pytest

from app.auth.models import Role
from voting.judging.runs import judge_campaign
from app.extensions import db
from app.timeutil import now
from ideas.models import IdeaStatus
from ideas.services import merge_duplicate
from voting.notice import queries, services

ALTERNATES = 5


def finished_judging(make, ideas=14, advance=(13, 12, 10), seed=7):
    """A campaign whose three rounds are finalized: 10 finalists, 2 alternates.
    The top idea is by 王建国 (named) with co-proposer 李秀英 (named too)."""
    campaign = make.campaign()
    staff = make.user(Role.staff, login="staff@example.com")
    for n in range(3):
        make.user(Role.reviewer, work_unit=f"评审单位{n}")
    author = make.user(real_name="王建国")
    co_author = make.user(real_name="李秀英")
    made = [make.idea(author=author if n == 0 else None, status=IdeaStatus.accepted, staff=staff,
                      title=f"第{n:02d}条建议的标题", show_name=n % 2 == 0) for n in range(ideas)]
    duplicate = make.idea(author=co_author, title="内容重复的一条建议", show_name=True)
    merge_duplicate(duplicate, made[0].tracking_code, staff, "重复", credit=True)
    quality = {idea.id: 9.5 - 0.5 * n for n, idea in enumerate(made)}
    rounds = judge_campaign(campaign, staff, quality, advance=advance, reviewers_per_idea=(1, 1, None),
                            seed=seed)
    db.session.commit()
    return SimpleNamespace(campaign=campaign, staff=staff, author=author, co_author=co_author, ideas=made,
                           rounds=rounds)


@pytest.fixture
def judged(make):
    return finished_judging(make)


def publish_now(announcement, staff, days=7, at=None):
    services.edit_announcement(announcement, staff, "公示说明",
                               {e.id: f"评语{e.position}" for e in announcement.entries})
    services.publish(announcement, staff, (at or now()) + timedelta(days=days), at=at)
    db.session.commit()


def uphold_objection(make, judged):
    """Publish the judged campaign's 公示 and uphold an objection to its first entry; the entry."""
    announcement = services.prepare_announcement(judged.campaign, judged.staff, ALTERNATES)
    publish_now(announcement, judged.staff)
    entry = queries.listed(announcement)[0]
    objection = services.file_objection(entry, make.user(), "与已发表的文章雷同。")
    services.rule_objection(objection, judged.staff, True, "经核实，异议成立。")
    db.session.commit()
    return entry


@pytest.fixture
def finalized(judged, make):
    start = now() - timedelta(days=10)
    announcement = services.prepare_announcement(judged.campaign, judged.staff, ALTERNATES)
    publish_now(announcement, judged.staff, at=start)
    objection = services.file_objection(queries.listed(announcement)[1], make.user(), "异议理由写在这里。",
                                        at=start + timedelta(days=1))
    services.rule_objection(objection, judged.staff, False, "不成立。")
    services.finalize(announcement, judged.staff)
    db.session.commit()
    return announcement
