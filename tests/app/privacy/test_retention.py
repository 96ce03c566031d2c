"""``flask users expire-campaign-data``: months after a campaign's results are
announced, what they do not need is erased; the results still verify."""
from datetime import timedelta

from sqlalchemy import select

from app.auth.models import LoginFailure, UserSession
from app.extensions import db
from app.privacy.services import expire_campaign_data
from app.timeutil import now
from ideas.models import Idea
from tests.app.privacy.test_delete import _results_still_verify
from voting.ballots.models import PublicVote
from voting.judging.models import Round
from voting.notice.models import Announcement


def _finished_vote(announcement, voter):
    """A vote in the finished campaign's final round, as cast then (the fixture's campaign had no
    public vote)."""
    vote = PublicVote(round_id=announcement.round_id, idea_id=announcement.entries[0].idea_id,
                      user_id=voter.id, ip="10.7.7.7", network="10.7.7.0/24",
                      user_agent="Mozilla/5.0 (旧活动)")
    db.session.add(vote)
    db.session.commit()
    return vote


def test_finished_campaigns_lose_phones_addresses_and_agents_and_keep_their_results(app, client, auth, world):
    people, values = world
    auth.login(people["citizen"])
    announcement = db.session.execute(select(Announcement)).scalar_one()
    old_vote = _finished_vote(announcement, people["other_citizen"])
    config = {**app.config, "CAMPAIGN_DATA_MONTHS": 6, "SESSION_RECORD_DAYS": 180}
    winners = client.get(f"/api/v1/winners?year={announcement.campaign.year}").get_json()

    # Five months on: too early, nothing changes.
    campaigns, changed = expire_campaign_data(announcement.finalized_at + timedelta(days=150), config)
    assert campaigns == [] and not any(changed.values())
    assert db.session.execute(select(UserSession)).first() is not None

    campaigns, changed = expire_campaign_data(announcement.finalized_at + timedelta(days=190), config)
    db.session.commit()
    assert campaigns == [announcement.campaign_id]
    assert changed["建议的联系电话"] == 11 and changed["投票的网络地址和浏览器标识"] == 1
    # The session record is more than SESSION_RECORD_DAYS old by now.
    assert changed["登录设备记录"] == 1
    finished = db.session.execute(select(Idea).where(Idea.campaign_id == announcement.campaign_id)).scalars()
    assert all(idea.contact_phone is None for idea in finished)
    db.session.refresh(old_vote)
    assert (old_vote.ip, old_vote.network, old_vote.user_agent) == ("", "", "")
    # The running campaign keeps its phones and its open vote's fraud screen data.
    running = db.session.execute(select(Idea).where(Idea.campaign_id != announcement.campaign_id)).scalars()
    assert any(idea.contact_phone for idea in running)
    current_round = db.session.execute(
        select(Round).where(Round.vote_opens_at.is_not(None))).scalars().first()
    live = db.session.execute(select(PublicVote).where(PublicVote.round_id == current_round.id)).scalars()
    assert all(vote.ip == "10.1.2.3" for vote in live)
    _results_still_verify()
    assert client.get(f"/api/v1/winners?year={announcement.campaign.year}").get_json() == winners

    # Again: nothing left to erase.
    _, again = expire_campaign_data(announcement.finalized_at + timedelta(days=191), config)
    assert not any(again.values())


def test_wrong_password_counts_go_after_a_day(app):
    from app.auth.services import note_failed_login

    note_failed_login("13900001111", now() - timedelta(hours=25))
    note_failed_login("13900002222", now() - timedelta(hours=1))
    _, changed = expire_campaign_data(now(), app.config)
    db.session.commit()
    assert changed["输错密码的计数"] == 1 and len(db.session.execute(select(LoginFailure)).all()) == 1


def test_the_command(app, runner, world):
    result = runner.invoke(args=["users", "expire-campaign-data", "--months", "6"])
    assert result.exit_code == 0 and "已结束的活动 0 个" in result.output
