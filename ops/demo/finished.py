"""Demo data: last year's campaign, finished. Its ideas (``data/finished_campaign.json``)
are judged in three rounds by the demo reviewers, the top ten are announced
for 公示, one objection is dismissed and one upheld (an alternate moves up),
and the result is finalized, so /winners shows ten winners from the start.

Everything goes through the real services, with seeded scores and a clock
set to last year's dates; only display dates are moved back afterwards (the
action log keeps the real time of loading, as its hash chain requires)."""
import json
import random
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from app.audit.services import log_action
from app.auth.queries import find_by_login
from app.campaigns.queries import campaign_by_year
from app.campaigns.services import create_campaign, update_campaign
from voting.judging.runs import judge_campaign
from app.extensions import db
from app.notifications.models import Notification
from ideas import services as idea_services
from ideas.models import IdeaEvent
from voting.ballots import services as ballot_services
from voting.notice import queries as notice_queries
from voting.notice import services as notice_services

DATA = Path(__file__).with_name("data") / "finished_campaign.json"
STAFF_LOGIN = "staff@xiance.example"
DEMO_CITIZEN_LOGIN = "13800000001"
ALTERNATES = 3
DEMO_CITIZENS = 45
VOTES_PER_CITIZEN = 3
DEMO_BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile Safari/604.1"
INTRO = ("经初审、复审、终审三轮专家评审，现将“献策湖南”十大金点子拟入选名单予以公示。公示期间，"
         "任何登录用户均可对名单中的建议提出异议，异议理由和处理结果在本页公开。")


def citizen_login(number):
    """The demo citizens of citizens.json: number 0 is the demo citizen."""
    return DEMO_CITIZEN_LOGIN if number == 0 else f"1390000{number:04d}"


def _last_event_id():
    return db.session.scalar(select(func.max(IdeaEvent.id))) or 0


def _date_events_since(mark, when):
    """Idea histories read like the real year: events after ``mark`` happened ``when``."""
    db.session.execute(update(IdeaEvent).where(IdeaEvent.id > mark).values(created_at=when))


def load_finished_campaign(today):
    """Create last year's finished campaign unless it exists, or when this is
    not a demo database (no demo staff account); True if created."""
    year = today.year - 1
    staff = find_by_login(STAFF_LOGIN)
    if campaign_by_year(year) is not None or staff is None:
        return False
    spec = json.loads(DATA.read_text(encoding="utf-8"))
    opens = datetime(year, 3, 1, 9, 0)
    closes = datetime(year, 4, 30, 18, 0)
    title = f"献策湖南 · 金点子征集（{year}）"
    description = "上一年度的“献策湖南”金点子征集活动，已评出十大金点子。"
    # The service only takes submissions while the window is open: open it
    # now, then give the campaign last year's window.
    campaign = create_campaign(None, year, title, today - timedelta(days=1), today + timedelta(days=1),
                               description=description)
    ideas = {}
    for number, item in enumerate(spec["ideas"]):
        mark = _last_event_id()
        author = find_by_login(citizen_login(item["author"]))
        fields = {name: item[name]
                  for name in ("title", "problem", "suggestion", "benefit", "region", "show_name")}
        idea, _ = idea_services.save_idea(author, campaign, f"demo{year}-{item['key']}", fields,
                                          item["theme"], submit=True)
        submitted = opens + timedelta(days=number * 2, hours=number % 7)
        idea.created_at = idea.submitted_at = submitted
        _date_events_since(mark, submitted)
        mark = _last_event_id()
        idea_services.accept_idea(idea, staff)
        _date_events_since(mark, submitted + timedelta(days=3))
        ideas[item["key"]] = idea
    update_campaign(None, campaign, title, description, opens, closes)

    mark = _last_event_id()
    quality = {ideas[i["key"]].id: i["quality"] for i in spec["ideas"]}
    rounds = judge_campaign(campaign, staff, quality, advance=(16, 13, 10), reviewers_per_idea=(3, 3, None),
                            seed=year, final_vote=lambda round_: _public_vote(round_, staff, quality, year))
    for number, round_ in enumerate(rounds):
        round_.opens_at = datetime(year, 5, 6, 9, 0) + timedelta(days=14 * number)
        round_.closed_at = round_.finalized_at = round_.closes_at = round_.opens_at + timedelta(days=10)
        # Closing a round writes "<round name>排名第 N 位，晋级" into each advancing idea's history.
        db.session.execute(update(IdeaEvent)
                           .where(IdeaEvent.id > mark, IdeaEvent.reason.startswith(round_.name))
                           .values(created_at=round_.closed_at))
    _announce(campaign, staff, spec, ideas, year)
    log_action(None, "demo.load_finished", campaign, ideas=len(ideas))
    return True


def _public_vote(round_, staff, quality, year):
    """Last year's final round had a public vote (专家 70 % + 公众 30 %): every
    demo citizen backs up to three finalists, the better ones more often."""
    opens, closes = datetime(year, 6, 4, 9, 0), datetime(year, 6, 11, 18, 0)
    ballot_services.save_settings(round_, staff, public_vote=True, vote_opens_at=opens, vote_closes_at=closes,
                                  votes_per_citizen=VOTES_PER_CITIZEN, expert_weight=0.7)
    ballot_services.publish_blend(round_, staff, at=opens - timedelta(days=1))
    rng = random.Random(year)
    ideas = [entry.idea for entry in round_.entries]
    for number in range(DEMO_CITIZENS):
        voter = find_by_login(citizen_login(number))
        weights = [quality[idea.id] ** 12 for idea in ideas]
        chosen = set(rng.choices(ideas, weights=weights, k=VOTES_PER_CITIZEN))
        for idea in chosen:
            at = opens + timedelta(minutes=rng.randrange(int((closes - opens).total_seconds() // 60)))
            ballot_services.cast_vote(round_, idea, voter, f"10.{number % 7}.{number}.8", DEMO_BROWSER, at=at)


def _announce(campaign, staff, spec, ideas, year):
    published = datetime(year, 7, 1, 9, 0)
    ends = published + timedelta(days=7)
    finalized = ends + timedelta(days=2)
    announcement = notice_services.prepare_announcement(campaign, staff, ALTERNATES)
    announcement.created_at = published - timedelta(days=3)
    citations = {ideas[item["key"]].id: item["citation"] for item in spec["ideas"]}
    notice_services.edit_announcement(announcement, staff, INTRO,
                                      {entry.id: citations[entry.idea_id] for entry in announcement.entries})
    notice_services.publish(announcement, staff, ends, at=published)
    listed = notice_queries.listed(announcement)
    filed = published + timedelta(days=2)
    # Objectors are demo citizens who wrote none of these ideas.
    upheld = notice_services.file_objection(listed[spec["upheld_rank"] - 1], find_by_login(citizen_login(40)),
                                            spec["upheld_reason"], at=filed)
    dismissed = notice_services.file_objection(listed[spec["dismissed_rank"] - 1],
                                               find_by_login(citizen_login(41)), spec["dismissed_reason"],
                                               at=filed + timedelta(hours=5))
    mark = _last_event_id()
    notice_services.rule_objection(dismissed, staff, False, spec["dismissed_ruling"],
                                   at=filed + timedelta(days=2))
    notice_services.rule_objection(upheld, staff, True, spec["upheld_ruling"], at=filed + timedelta(days=3))
    _date_events_since(mark, filed + timedelta(days=3))
    mark = _last_event_id()
    notifications = notice_services.finalize(announcement, staff, at=finalized)
    _date_events_since(mark, finalized)
    db.session.execute(update(Notification).where(Notification.id.in_([n.id for n in notifications]))
                       .values(created_at=finalized))
