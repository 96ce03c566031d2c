import pytest

from app.auth.models import Role
from app.extensions import db
from ideas.models import IdeaStatus
from tests.voting.ballots.ballot_helpers import open_vote, set_up_vote
from voting.judging import panels, queries
from voting.judging import rounds as round_services
from voting.judging.reviews import save_review
from voting.judging.rounds import create_default_rounds


@pytest.fixture
def judging(make):
    """A campaign with 12 accepted ideas, 6 reviewers and the default rounds
    scaled down (advance 6 → 3 → 2)."""
    campaign = make.campaign()
    staff = make.user(Role.staff, login="staff@example.com")
    reviewers = [make.user(Role.reviewer, region="长沙市" if n % 2 else "株洲市", work_unit=f"单位{n}")
                 for n in range(6)]
    ideas = [make.idea(status=IdeaStatus.accepted, staff=staff, title=f"第{n:02d}条建议的标题",
                       region="岳阳市") for n in range(12)]
    rounds = create_default_rounds(campaign, staff)
    for round_, advance in zip(rounds, (6, 3, 2)):
        round_.advance_count = advance
        round_.avoid_same_region = False
    db.session.commit()
    return {"campaign": campaign, "staff": staff, "reviewers": reviewers, "ideas": ideas, "rounds": rounds}


@pytest.fixture
def open_round(judging):
    """The first round of ``judging``: reviewers assigned, scoring open."""
    first, staff = judging["rounds"][0], judging["staff"]
    panels.prepare_round(first, staff)
    round_services.open_round(first, staff)
    return first


@pytest.fixture
def closed_round(open_round, judging):
    """``open_round`` fully scored (1 + idea id mod 10 on every criterion) and closed with seed 1."""
    score_everything(open_round, lambda a: 1 + a.idea_id % 10)
    round_services.close_round(open_round, judging["staff"], seed=1)
    db.session.commit()
    return open_round


@pytest.fixture
def vote_round(judging):
    """The first round of ``judging`` with an open public vote: 3 votes each, experts 70 %."""
    round_ = set_up_vote(judging["rounds"][0], judging["staff"])
    open_vote(round_)
    return round_


def score_everything(round_, score_of):
    """Submit every active assignment of the round with score_of(assignment) for each criterion."""
    for assignment in queries.active_assignments(round_):
        value = score_of(assignment)
        save_review(assignment, assignment.reviewer, {c.id: value for c in round_.criteria}, "",
                             submit=True)
    db.session.commit()
