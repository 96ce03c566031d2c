"""Every workflow's table of legal moves, checked both ways: each legal move is
made and logged, every other pair is refused with IllegalTransition."""
import logging
from types import SimpleNamespace

import pytest

from app.states import IllegalTransition, move
from ideas.group_models import GroupState
from ideas.models import IdeaStatus, JobState
from voting.ballots.models import VoteState
from voting.judging.models import RoundState
from voting.notice.models import EntryStatus, NoticeState, ObjectionState

WORKFLOWS = (IdeaStatus, GroupState, JobState, RoundState, VoteState, NoticeState, EntryStatus,
             ObjectionState)
LEGAL = {
    IdeaStatus: {("draft", "submitted"), ("submitted", "accepted"), ("submitted", "rejected"),
                 ("submitted", "merged"), ("accepted", "merged"), ("accepted", "shortlisted"),
                 ("accepted", "finalist"), ("shortlisted", "finalist"), ("shortlisted", "accepted"),
                 ("finalist", "shortlisted"), ("finalist", "accepted"), ("finalist", "winner"),
                 ("submitted", "withdrawn"),
                 # Splitting a wrongly formed group undoes its decision.
                 ("accepted", "submitted"), ("rejected", "submitted"), ("merged", "submitted")},
    GroupState: {("open", "accepted"), ("open", "rejected"), ("open", "merged"), ("open", "split"),
                 ("accepted", "split"), ("rejected", "split"), ("merged", "split")},
    JobState: {("queued", "running"), ("queued", "failed"), ("running", "done"), ("running", "failed")},
    RoundState: {("draft", "open"), ("open", "closed"), ("closed", "finalized"), ("closed", "open")},
    VoteState: {("unpublished", "upcoming"), ("upcoming", "open"), ("open", "ended")},
    NoticeState: {("draft", "published"), ("published", "finalized")},
    EntryStatus: {("listed", "removed"), ("alternate", "listed")},
    ObjectionState: {("pending", "upheld"), ("pending", "dismissed"), ("pending", "spam")},
}
PAIRS = [(states, a, b) for states in WORKFLOWS for a in states for b in states]


@pytest.mark.parametrize(("states", "current", "target"), PAIRS,
                         ids=[f"{s.__name__}:{a.value}->{b.value}" for s, a, b in PAIRS])
def test_only_the_table_s_moves_are_allowed(states, current, target, caplog):
    thing = SimpleNamespace(id=7, state=current)
    if (current.value, target.value) in LEGAL[states]:
        with caplog.at_level(logging.INFO, logger="xiance.workflow"):
            move(thing, target)
        assert thing.state is target
        assert f"{current.value} → {target.value}" in caplog.text
    else:
        with pytest.raises(IllegalTransition, match=target.label):
            move(thing, target)
        assert thing.state is current


def test_every_state_has_a_label_and_a_row():
    for states in WORKFLOWS:
        assert all(state.label for state in states)
        assert all(isinstance(state.can_become(state), bool) for state in states)


def test_a_domain_refusal_is_also_an_illegal_transition():
    from voting.judging.guards import VotingError

    thing = SimpleNamespace(id=1, state=RoundState.finalized)
    with pytest.raises(VotingError) as refused:
        move(thing, RoundState.open, error=VotingError, message="不能重新开放")
    assert isinstance(refused.value, IllegalTransition) and str(refused.value) == "不能重新开放"
