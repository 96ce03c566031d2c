"""The public vote's services: settings and the published blend, votes, voids, closing with the blend."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import ActionLog
from app.auth.models import Role
from app.extensions import db
from app.timeutil import now
from ideas.models import IdeaStatus
from tests.concurrency import post_at_once
from tests.voting.ballots.ballot_helpers import BROWSER, end_vote, open_vote, set_up_vote, vote
from tests.voting.conftest import score_everything
from voting.ballots.round_part import vote_effect
from voting.judging.guards import VotingError
from voting.judging.outcome import compute_outcome, provisional_results
from voting.judging.panels import prepare_round
from voting.judging.rounds import close_round, open_round, reopen_round, update_round
from voting.ballots import queries
from voting.ballots import services as ballots
from voting.ballots.models import PublicVote, accepts_votes, vote_state
from voting.judging.digest import verify_digest


def actions(name):
    return db.session.scalars(select(ActionLog).where(ActionLog.action == name).order_by(ActionLog.id)).all()


def active_votes(round_, user):
    return db.session.scalar(select(func.count()).select_from(PublicVote).where(
        PublicVote.round_id == round_.id, PublicVote.user_id == user.id, PublicVote.withdrawn_at.is_(None)))


# --- Settings and publishing --------------------------------------------------------------

def settings(**changes):
    values = {"public_vote": True, "vote_opens_at": now() + timedelta(hours=1),
              "vote_closes_at": now() + timedelta(days=1), "votes_per_citizen": 3, "expert_weight": 0.7}
    return {**values, **changes}


def test_settings_are_checked_at_their_field_and_logged(judging):
    round_, staff = judging["rounds"][2], judging["staff"]
    round_.opens_at, round_.closes_at = now(), now() + timedelta(days=3)
    for changes, field in (({"vote_opens_at": None}, "vote_opens_at"),
                           ({"votes_per_citizen": None}, "votes_per_citizen"),
                           ({"vote_closes_at": now()}, "vote_closes_at"),
                           ({"vote_opens_at": now() - timedelta(hours=1)}, "vote_opens_at"),
                           ({"vote_closes_at": now() + timedelta(days=4)}, "vote_closes_at"),
                           ({"expert_weight": 1.5}, "expert_weight")):
        with pytest.raises(ballots.SettingsError) as refused:
            ballots.save_settings(round_, staff, **settings(**changes))
        assert refused.value.field == field, changes
    ballots.save_settings(round_, staff, **settings())
    assert round_.public_vote and round_.expert_weight == 0.7 and round_.votes_per_citizen == 3
    # Turned off, the window may stay empty.
    ballots.save_settings(round_, staff, **settings(public_vote=False, vote_opens_at=None,
                                                    vote_closes_at=None))
    db.session.commit()
    assert [a.details["public_vote"] for a in actions("vote.settings")] == [True, False]


def test_the_blend_is_published_before_opening_and_then_fixed(judging):
    round_, staff = judging["rounds"][0], judging["staff"]
    ballots.save_settings(round_, staff, **settings())
    with pytest.raises(ballots.BallotError, match="评审池还是空的"):
        ballots.publish_blend(round_, staff)
    prepare_round(round_, staff)
    round_.vote_opens_at = now() - timedelta(minutes=1)
    with pytest.raises(ballots.BallotError, match="投票开始前公布"):
        ballots.publish_blend(round_, staff)
    round_.vote_opens_at = now() + timedelta(hours=1)
    assert vote_state(round_) == "unpublished" and not accepts_votes(round_)
    ballots.publish_blend(round_, staff)
    db.session.commit()
    assert round_.blend_published_at is not None and vote_state(round_) == "upcoming"
    assert actions("vote.publish")[0].details["expert_weight"] == 0.7
    with pytest.raises(ballots.BallotError, match="不能再改"):
        ballots.save_settings(round_, staff, **settings(expert_weight=0.5))
    with pytest.raises(ballots.BallotError, match="已于"):
        ballots.publish_blend(round_, staff)
    # The round's own window must keep holding the published vote window…
    with pytest.raises(VotingError, match="投票"):
        update_round(round_, staff, closes_at=now() + timedelta(hours=2))
    db.session.rollback()
    # …and its pool may be reassigned, but not changed.
    prepare_round(round_, staff)
    db.session.commit()


def test_the_pool_cannot_change_once_the_blend_is_published(judging, make):
    round_, staff = judging["rounds"][0], judging["staff"]
    prepare_round(round_, staff)
    ballots.save_settings(round_, staff, **settings())
    ballots.publish_blend(round_, staff)
    make.idea(status=IdeaStatus.accepted, staff=staff)
    with pytest.raises(VotingError, match="评审池不能再改变"):
        prepare_round(round_, staff)


# --- Casting and withdrawing --------------------------------------------------------------

def test_vote_withdraw_and_revive_keep_one_row(vote_round, judging, make):
    citizen, idea = make.user(), judging["ideas"][0]
    first = vote(vote_round, idea, citizen)
    assert (first.ip, first.network, first.user_agent) == ("10.1.2.3", "10.1.2.0/24", BROWSER)
    with pytest.raises(ballots.BallotError, match="已经为这条建议投过票"):
        ballots.cast_vote(vote_round, idea, citizen, "10.1.2.3", BROWSER)
    db.session.rollback()
    ballots.withdraw_vote(vote_round, idea, citizen)
    db.session.commit()
    assert first.withdrawn_at is not None and queries.vote_totals(vote_round) == {}
    with pytest.raises(ballots.BallotError, match="没有为这条建议投票"):
        ballots.withdraw_vote(vote_round, idea, citizen)
    db.session.rollback()
    revived = vote(vote_round, idea, citizen, ip="2001:db8:abcd:12::1", user_agent="x" * 400)
    assert revived.id == first.id and revived.is_active
    assert revived.network == "2001:db8:abcd::/48" and len(revived.user_agent) == 255
    assert db.session.scalar(select(func.count()).select_from(PublicVote)) == 1
    assert queries.vote_totals(vote_round) == {idea.id: 1}
    assert ([a.action for a in actions("vote.cast") + actions("vote.withdraw")]
            == ["vote.cast"] * 2 + ["vote.withdraw"])


def test_at_most_m_active_votes(vote_round, judging, make):
    citizen, ideas = make.user(), judging["ideas"]
    for idea in ideas[:3]:
        vote(vote_round, idea, citizen)
    with pytest.raises(ballots.BallotError, match="每人最多投 3 票"):
        ballots.cast_vote(vote_round, ideas[3], citizen, "10.1.2.3", BROWSER)
    db.session.rollback()
    ballots.withdraw_vote(vote_round, ideas[0], citizen)
    vote(vote_round, ideas[3], citizen)
    assert active_votes(vote_round, citizen) == 3
    assert queries.voted_idea_ids(vote_round, citizen) == {i.id for i in ideas[1:4]}


def test_votes_only_inside_the_window_and_the_ballot(judging, make):
    round_, staff, citizen, idea = judging["rounds"][0], judging["staff"], make.user(), judging["ideas"][0]
    set_up_vote(round_, staff)
    with pytest.raises(ballots.BallotError, match="投票尚未开始"):
        ballots.cast_vote(round_, idea, citizen, "10.1.2.3", BROWSER)
    db.session.rollback()
    open_vote(round_)
    vote(round_, idea, citizen)
    outsider = make.idea(title="不在本轮的建议")
    with pytest.raises(ballots.BallotError, match="不在本轮投票范围内"):
        ballots.cast_vote(round_, outsider, citizen, "10.1.2.3", BROWSER)
    db.session.rollback()
    end_vote(round_)
    with pytest.raises(ballots.BallotError, match="投票已于"):
        ballots.cast_vote(round_, judging["ideas"][1], citizen, "10.1.2.3", BROWSER)
    db.session.rollback()
    with pytest.raises(ballots.BallotError, match="投票已于"):
        ballots.withdraw_vote(round_, idea, citizen)
    db.session.rollback()
    assert queries.vote_totals(round_) == {idea.id: 1}
    # A round without a published vote takes no votes at all.
    with pytest.raises(ballots.BallotError, match="没有正在进行的公众投票"):
        ballots.cast_vote(judging["rounds"][1], idea, citizen, "10.1.2.3", BROWSER)


def test_a_vote_lost_to_the_unique_constraint_is_refused_cleanly(vote_round, judging, make, monkeypatch):
    """The path a race takes when two inserts meet: the savepoint rolls back, the user gets a message."""
    citizen, idea = make.user(), judging["ideas"][0]
    vote(vote_round, idea, citizen)
    monkeypatch.setattr(queries, "vote_of", lambda *args: None)
    with pytest.raises(ballots.BallotError, match="已经为这条建议投过票"):
        ballots.cast_vote(vote_round, idea, citizen, "10.1.2.3", BROWSER)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PublicVote)) == 1


# --- Voiding and restoring ----------------------------------------------------------------

def test_void_and_restore_a_network(vote_round, judging, make):
    staff, ideas = judging["staff"], judging["ideas"]
    for n in range(3):
        vote(vote_round, ideas[0], make.user(), ip=f"10.9.9.{n + 1}")
    vote(vote_round, ideas[1], make.user(), ip="10.1.1.1")
    with pytest.raises(ballots.BallotError, match="作废理由"):
        ballots.void_votes(vote_round, staff, "network", "10.9.9.0/24", "")
    void = ballots.void_votes(vote_round, staff, "network", "10.9.9.0/24", "同一网段短时间集中投票")
    db.session.commit()
    assert void.selection == "网段：10.9.9.0/24" and len(void.votes) == 3
    assert queries.vote_totals(vote_round) == {ideas[1].id: 1}
    assert queries.vote_totals(vote_round, include_voided=True) == {ideas[0].id: 3, ideas[1].id: 1}
    with pytest.raises(ballots.BallotError, match="没有符合条件"):
        ballots.void_votes(vote_round, staff, "network", "10.9.9.0/24", "再作废一次")
    db.session.rollback()
    # Withdrawing and voting again does not wash a voided vote clean.
    voter = void.votes[0].user
    ballots.withdraw_vote(vote_round, ideas[0], voter)
    vote(vote_round, ideas[0], voter, ip="10.9.9.1")
    assert queries.vote_totals(vote_round) == {ideas[1].id: 1}
    ballots.restore_void(void, staff, "核实为同一单位职工正常投票")
    db.session.commit()
    assert queries.vote_totals(vote_round) == {ideas[0].id: 3, ideas[1].id: 1}
    with pytest.raises(ballots.BallotError, match="已经恢复过"):
        ballots.restore_void(void, staff, "再恢复一次")
    db.session.rollback()
    logged = actions("vote.void")[0].details
    assert logged["votes"] == [v.id for v in void.votes] and logged["reason"] == "同一网段短时间集中投票"
    assert actions("vote.restore")[0].details["reason"] == "核实为同一单位职工正常投票"


def test_void_by_user_agent_new_accounts_and_ids(vote_round, judging, make):
    staff, ideas = judging["staff"], judging["ideas"]
    old = make.user()
    old.created_at = now() - timedelta(days=60)
    db.session.commit()
    vote(vote_round, ideas[0], old, user_agent="BotAgent/1.0")
    fresh = [make.user() for _ in range(2)]
    for user in fresh:
        vote(vote_round, ideas[2], user)
    other = vote(vote_round, ideas[3], make.user())
    ballots.void_votes(vote_round, staff, "user_agent", "BotAgent/1.0", "脚本投票")
    by_new = ballots.void_votes(vote_round, staff, "new_accounts", ideas[2].id, "新注册账号集中投一条")
    by_id = ballots.void_votes(vote_round, staff, "ids", [other.id, 999999], "核实为重复账号")
    db.session.commit()
    assert by_new.selection == f"新账号只投一条建议：“{ideas[2].title}”" and len(by_new.votes) == 2
    assert [v.id for v in by_id.votes] == [other.id]
    assert queries.vote_totals(vote_round) == {}


def test_no_voiding_or_restoring_after_the_round_closes(vote_round, judging, make):
    staff, ideas = judging["staff"], judging["ideas"]
    first = vote(vote_round, ideas[0], make.user())
    second = vote(vote_round, ideas[0], make.user())
    void = ballots.void_votes(vote_round, staff, "ids", [first.id], "测试")
    db.session.commit()
    end_vote(vote_round)
    score_everything(vote_round, lambda a: 5)
    close_round(vote_round, staff, seed=1)
    db.session.commit()
    with pytest.raises(ballots.BallotError, match="已截止"):
        ballots.void_votes(vote_round, staff, "ids", [second.id], "测试")
    db.session.rollback()
    with pytest.raises(ballots.BallotError, match="已截止"):
        ballots.restore_void(void, staff, "测试")


# --- Closing with the blend ----------------------------------------------------------------

def test_close_is_refused_while_the_vote_runs_or_is_unpublished(judging):
    round_, staff = judging["rounds"][0], judging["staff"]
    prepare_round(round_, staff)
    open_round(round_, staff)
    ballots.save_settings(round_, staff, **settings())
    score_everything(round_, lambda a: 5)
    with pytest.raises(VotingError, match="计分办法尚未公布"):
        close_round(round_, staff)
    db.session.rollback()
    ballots.publish_blend(round_, staff)
    open_vote(round_)
    with pytest.raises(VotingError, match="公众投票尚未结束"):
        close_round(round_, staff)
    db.session.rollback()
    assert round_.state.value == "open"


def test_close_ranks_by_the_blend_and_the_digest_covers_the_votes(vote_round, judging, make):
    staff, ideas = judging["staff"], judging["ideas"]
    # Every reviewer gives 5 everywhere: the experts cannot tell the ideas
    # apart, so the public decides (3 > 2 > 1 > 0 votes).
    score_everything(vote_round, lambda a: 5)
    voters = [make.user() for _ in range(3)]
    for idea, backers in ((ideas[5], voters), (ideas[7], voters[:2]), (ideas[9], voters[:1])):
        for voter in backers:
            vote(vote_round, idea, voter)
    suspect = vote(vote_round, ideas[9], make.user(), ip="10.66.66.6")
    before_void = compute_outcome(vote_round, seed=4)[0].table.digest
    ballots.void_votes(vote_round, staff, "ids", [suspect.id], "核实为冒用账号")
    db.session.commit()
    end_vote(vote_round)
    close_round(vote_round, staff, seed=4)
    db.session.commit()
    entries = {e.idea_id: e for e in vote_round.entries}
    assert [entries[i.id].rank for i in (ideas[5], ideas[7], ideas[9])] == [1, 2, 3]
    top = entries[ideas[5].id]
    assert top.public_votes == 3 and top.public_part == 100
    assert top.expert_part == pytest.approx(400 / 9)  # total 5 on a 1–10 rubric
    assert top.blended == pytest.approx(0.7 * 400 / 9 + 0.3 * 100)
    silent = entries[ideas[0].id]
    assert silent.public_votes == 0 and silent.public_part == pytest.approx(4 / 11 * 100)  # 8 others tie at 0
    assert entries[ideas[9].id].public_votes == 1  # the voided vote does not count
    assert top.advanced
    line = (f'"idea":"{ideas[5].id}","public_part":"100.0000","rank":1,"votes":"3"}}')
    assert line in vote_round.frozen_table
    assert verify_digest(vote_round.frozen_table, vote_round.digest) and vote_round.digest != before_void
    assert actions("round.close")[0].details["public_votes"] == 6


def test_without_a_public_vote_nothing_changes(judging):
    round_, staff = judging["rounds"][0], judging["staff"]
    prepare_round(round_, staff)
    open_round(round_, staff)
    score_everything(round_, lambda a: 1 + a.idea_id % 10)
    close_round(round_, staff, seed=2)
    assert all(e.blended is None and e.public_votes is None for e in round_.entries)
    assert '"votes"' not in round_.frozen_table
    assert "public_votes" not in actions("round.close")[0].details


def test_reopen_clears_the_blend_and_closing_again_recomputes_it(vote_round, judging, make):
    staff, admin = judging["staff"], make.user(Role.admin)
    score_everything(vote_round, lambda a: 5)
    vote(vote_round, judging["ideas"][0], make.user())
    end_vote(vote_round)
    close_round(vote_round, staff, seed=1)
    digest = vote_round.digest
    reopen_round(vote_round, admin, "核对投票数据")
    assert all(e.blended is None and e.public_votes is None for e in vote_round.entries)
    close_round(vote_round, staff, seed=1)
    assert vote_round.digest == digest


def test_vote_effect_compares_with_and_without_voided(vote_round, judging, make):
    staff, ideas = judging["staff"], judging["ideas"]
    vote(vote_round, ideas[0], make.user())
    for n in range(3):
        vote(vote_round, ideas[1], make.user(), ip="10.7.7.7")
    ballots.void_votes(vote_round, staff, "network", "10.7.7.0/24", "集中投票")
    db.session.commit()
    public_only = vote_effect(vote_round)
    assert not public_only.expert_ready
    row = next(r for r in public_only.rows if r["idea"].id == ideas[1].id)
    assert (row["votes_valid"], row["votes_all"], row["public_all"]) == (0, 3, 100)
    score_everything(vote_round, lambda a: 5)
    effect = vote_effect(vote_round)
    assert effect.expert_ready and effect.rows[0]["idea"].id == ideas[0].id
    row = next(r for r in effect.rows if r["idea"].id == ideas[1].id)
    assert row["rank_all"] == 1 and row["rank_valid"] > 1 and row["blended_all"] > row["blended_valid"]


def test_provisional_results_rank_by_the_blend(vote_round, judging, make):
    score_everything(vote_round, lambda a: 5)
    vote(vote_round, judging["ideas"][4], make.user())
    rows = provisional_results(vote_round).rows
    assert rows[0]["idea_id"] == judging["ideas"][4].id and rows[0]["public_votes"] == 1


# --- Races (PostgreSQL) --------------------------------------------------------------------

def _race(app, vote_round, citizen, idea_ids):
    """Each idea id is sent by its own client (own session, own connection) at once."""
    return post_at_once(app, [(citizen.login_name, f"/vote/{vote_round.id}/ideas/{idea_id}/vote", {})
                              for idea_id in idea_ids])


@pytest.mark.postgres_only
def test_concurrent_double_votes_make_one_row(app, vote_round, judging, make):
    citizen, idea_id = make.user(), judging["ideas"][0].id
    statuses = _race(app, vote_round, citizen, [idea_id] * 4)
    assert statuses == [302] * 4
    assert db.session.scalar(select(func.count()).select_from(PublicVote)) == 1
    assert len(actions("vote.cast")) == 1


@pytest.mark.postgres_only
def test_concurrent_votes_respect_the_limit(app, judging, make):
    round_ = set_up_vote(judging["rounds"][0], judging["staff"], votes_per_citizen=2)
    open_vote(round_)
    citizen = make.user()
    statuses = _race(app, round_, citizen, [i.id for i in judging["ideas"][:5]])
    assert statuses == [302] * 5
    assert active_votes(round_, citizen) == 2
