"""Helpers for the public-vote tests in tests/voting/ballots/ (the ``vote_round`` fixture is in
tests/voting/conftest.py)."""
from datetime import timedelta

from app.extensions import db
from app.timeutil import now
from voting.judging.panels import prepare_round
from voting.judging.rounds import open_round
from voting.ballots import services as ballots

IP = "10.1.2.3"
BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) 测试浏览器"


def set_up_vote(round_, staff, votes_per_citizen=3, expert_weight=0.7):
    """Prepare and open the round, set a vote an hour ahead and publish its blend."""
    prepare_round(round_, staff)
    open_round(round_, staff)
    ballots.save_settings(round_, staff, public_vote=True, vote_opens_at=now() + timedelta(hours=1),
                          vote_closes_at=now() + timedelta(days=2), votes_per_citizen=votes_per_citizen,
                          expert_weight=expert_weight)
    ballots.publish_blend(round_, staff)
    db.session.commit()
    return round_


def open_vote(round_):
    """As if the published opening time had come: the window starts an hour ago."""
    round_.vote_opens_at = now() - timedelta(hours=1)
    db.session.commit()


def end_vote(round_):
    round_.vote_closes_at = now() - timedelta(minutes=1)
    db.session.commit()


def vote(round_, idea, user, ip=IP, user_agent=BROWSER):
    cast = ballots.cast_vote(round_, idea, user, ip, user_agent)
    db.session.commit()
    return cast

