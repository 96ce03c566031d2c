import threading
from collections import Counter, defaultdict

import pytest
from sqlalchemy import select

from app.audit.models import ActionLog
from app.extensions import db
from ideas.models import IdeaStatus
from tests.voting.conftest import score_everything
from voting.judging import queries
from voting.judging.estimators import ESTIMATORS, estimator_for_round
from voting.judging.guards import VotingError
from voting.judging import outcome as outcome_module
from voting.judging.outcome import provisional_results
from voting.judging.panels import forbidden_pairs, prepare_round
from voting.judging.reviews import recuse, save_review
from voting.judging import rounds as round_services
from voting.judging.rounds import (_advance, close_round, finalize_round, open_round, reopen_round,
                                   save_criterion, update_round)
from voting.judging.models import Assignment, Conflict, RoundState
from voting.judging.digest import verify_digest


def test_prepared_panels_overlap_so_calibration_can_compare_reviewers(judging):
    first = judging["rounds"][0]
    prepare_round(first, judging["staff"])
    panels = {}
    for a in queries.active_assignments(first):
        panels.setdefault(a.idea_id, set()).add(a.reviewer_id)
    # Twelve ideas of one theme, six reviewers: laid out naively they split into
    # two panels of three that never meet.
    reached, frontier = set(), [next(iter(panels))]
    while frontier:
        idea = frontier.pop()
        reached.add(idea)
        frontier += [other for other, panel in panels.items()
                     if other not in reached and panel & panels[idea]]
    assert reached == set(panels)


def test_prepare_assigns_k_reviewers_each_with_balanced_loads_and_no_conflicts(judging, make):
    first = judging["rounds"][0]
    author_reviewer = judging["reviewers"][0]
    # A reviewer's own idea and an idea from their work unit must never reach them.
    own = make.idea(author=author_reviewer, status=IdeaStatus.accepted, staff=judging["staff"])
    colleague = make.user(work_unit=judging["reviewers"][1].work_unit)
    from_unit = make.idea(author=colleague, status=IdeaStatus.accepted, staff=judging["staff"])
    prepare_round(first, judging["staff"])
    db.session.commit()
    assignments = queries.active_assignments(first)
    per_idea = Counter(a.idea_id for a in assignments)
    assert set(per_idea.values()) == {3} and len(per_idea) == 14
    loads = Counter(a.reviewer_id for a in assignments)
    assert max(loads.values()) - min(loads.values()) <= 1
    pairs = {(a.reviewer_id, a.idea_id) for a in assignments}
    assert (author_reviewer.id, own.id) not in pairs
    assert (judging["reviewers"][1].id, from_unit.id) not in pairs


def test_same_region_avoidance_when_the_round_asks(judging, make):
    first = judging["rounds"][0]
    first.avoid_same_region = True
    reviewer = judging["reviewers"][1]
    nearby = make.idea(status=IdeaStatus.accepted, staff=judging["staff"], region=reviewer.region)
    prepare_round(first, judging["staff"])
    pairs = {(a.reviewer_id, a.idea_id) for a in queries.active_assignments(first)}
    assert all((r.id, nearby.id) not in pairs for r in judging["reviewers"] if r.region == reviewer.region)


def test_state_machine_and_rubric_frozen_after_draft(judging):
    first, staff = judging["rounds"][0], judging["staff"]
    with pytest.raises(VotingError, match="请先生成评审分配"):
        open_round(first, staff)
    with pytest.raises(VotingError):
        close_round(first, staff)
    prepare_round(first, staff)
    open_round(first, staff)
    assert first.state is RoundState.open
    for change in (lambda: update_round(first, staff, advance_count=5),
                   lambda: save_criterion(first, staff, "新增项", "", 0.1, 1, 10),
                   lambda: prepare_round(first, staff),
                   lambda: finalize_round(first, staff)):
        with pytest.raises(VotingError):
            change()
    score_everything(first, lambda a: 5 + a.idea_id % 5)
    close_round(first, staff, seed=7)
    assert first.state is RoundState.closed
    with pytest.raises(VotingError):
        save_review(queries.active_assignments(first)[0], judging["reviewers"][0], {}, "", False)
    finalize_round(first, staff)
    with pytest.raises(VotingError):
        reopen_round(first, staff, "想改")


def test_scores_must_be_complete_and_within_the_scale(judging, open_round):
    first = open_round
    assignment = queries.active_assignments(first)[0]
    criteria = first.criteria
    with pytest.raises(VotingError, match="之间"):
        save_review(assignment, assignment.reviewer, {criteria[0].id: 11}, "", False)
    with pytest.raises(VotingError, match="每个评分项"):
        save_review(assignment, assignment.reviewer, {criteria[0].id: 7}, "", True)
    draft = save_review(assignment, assignment.reviewer, {criteria[0].id: 7}, "先打一项", False)
    assert not draft.submitted and draft.score_map() == {criteria[0].id: 7}
    other = next(a for a in queries.active_assignments(first) if a.reviewer_id != assignment.reviewer_id)
    with pytest.raises(VotingError, match="不是您的"):
        save_review(other, assignment.reviewer, {criteria[0].id: 7}, "", False)


def test_close_ranks_advances_and_freezes_with_a_checkable_digest(judging, open_round):
    first, staff = open_round, judging["staff"]
    score_everything(first, lambda a: 1 + a.idea_id % 10)
    close_round(first, staff, seed=42)
    db.session.commit()
    entries = queries.results(first)
    assert [e.rank for e in entries] == list(range(1, 13))
    advanced = [e for e in entries if e.advanced]
    assert len(advanced) == 6 and all(e.idea.status is IdeaStatus.shortlisted for e in advanced)
    assert all(e.idea.status is IdeaStatus.accepted for e in entries if not e.advanced)
    assert verify_digest(first.frozen_table, first.digest)
    assert not verify_digest(first.frozen_table.replace('"score":"5.00"', '"score":"6.00"', 1), first.digest)
    assert first.tie_seed == 42
    log = db.session.scalars(select(ActionLog).where(ActionLog.action == "round.close")).one()
    assert log.details["digest"] == first.digest


def test_ties_at_the_cut_line_are_shown_not_dropped(judging, open_round):
    first, staff = open_round, judging["staff"]
    score_everything(first, lambda a: 6)  # everyone equal: the cut at 6 splits a tie
    close_round(first, staff, seed=3)
    entries = queries.results(first)
    assert all(e.in_cut_tie for e in entries)
    assert sum(e.advanced for e in entries) == 6


def test_closing_is_atomic(judging, open_round, monkeypatch):
    first, staff = open_round, judging["staff"]
    score_everything(first, lambda a: 1 + a.idea_id % 10)
    calls = []

    def fail_half_way(idea, round_, final, actor):
        calls.append(idea.id)
        if len(calls) == 3:
            raise RuntimeError("磁盘已满")
        original(idea, round_, final, actor)

    original = _advance
    monkeypatch.setattr(round_services, "_advance", fail_half_way)
    with pytest.raises(RuntimeError):
        close_round(first, staff)
    db.session.rollback()
    db.session.expire_all()
    assert first.state is RoundState.open and first.digest is None
    assert all(e.rank is None and not e.advanced for e in first.entries)
    assert all(i.status is IdeaStatus.accepted for i in judging["ideas"])


def test_reopen_by_admin_reverts_advancement_and_is_logged(judging, closed_round, make):
    first, staff = closed_round, judging["staff"]
    with pytest.raises(VotingError, match="理由"):
        reopen_round(first, staff, "")
    reopen_round(first, staff, "发现一位专家的评分录入错误")
    db.session.commit()
    assert first.state is RoundState.open and first.digest is None
    assert all(i.status is IdeaStatus.accepted for i in judging["ideas"])
    entry = db.session.scalars(select(ActionLog).where(ActionLog.action == "round.reopen")).one()
    assert entry.details["reason"] == "发现一位专家的评分录入错误" and entry.details["old_digest"]
    # The proposers read the ideas' history: a neutral line there, the reason only in the log.
    reverted = [event for idea in judging["ideas"] for event in idea.events
                if "重新开放" in (event.reason or "")]
    assert reverted and all(event.reason == "初审重新开放，结果待重新计算" for event in reverted)


def test_recusal_records_the_conflict_and_reassigns(judging, open_round):
    first = open_round
    assignment = queries.active_assignments(first)[0]
    reviewer = assignment.reviewer
    added = recuse(assignment, reviewer, "提出人是我的同事")
    db.session.commit()
    assert not assignment.active and added.reviewer_id != reviewer.id
    reviewers_now = {a.reviewer_id for a in queries.active_assignments(first)
                     if a.idea_id == assignment.idea_id}
    assert len(reviewers_now) == 3 and reviewer.id not in reviewers_now
    assert db.session.scalars(select(Conflict)).one().reviewer_id == reviewer.id
    # The declared conflict holds in later assignment runs too.
    assert (reviewer.id, assignment.idea_id) in forbidden_pairs(first, [assignment.idea], [reviewer])


def test_three_rounds_end_in_finalists(judging):
    staff = judging["staff"]
    for round_ in judging["rounds"]:
        prepare_round(round_, staff)
        open_round(round_, staff)
        score_everything(round_, lambda a: 1 + (a.idea_id * 7 + a.reviewer_id) % 10)
        close_round(round_, staff, seed=round_.position)
        finalize_round(round_, staff)
        db.session.commit()
    final = judging["rounds"][-1]
    assert final.reviewers_per_idea is None
    finalists = [e for e in queries.results(final) if e.advanced]
    assert len(finalists) == 2 and all(e.idea.status is IdeaStatus.finalist for e in finalists)
    # Every reviewer without a conflict reviewed every idea of the final round.
    assert len(queries.active_assignments(final)) == 3 * 6
    # Each round's 校准分 is the published rule's estimator, and the log names it.
    for round_, name in zip(judging["rounds"], ("scale-offset", "scale-offset", "rank")):
        assert estimator_for_round(round_.reviewers_per_idea) == name
        totals = outcome_module.expert_scores(round_).totals
        expected = ESTIMATORS[name](totals)
        assert {e.idea_id: e.calibrated for e in round_.entries} == pytest.approx(expected)
        close = db.session.scalars(select(ActionLog).where(ActionLog.action == "round.close",
                                                           ActionLog.target_id == round_.id)).one()
        assert close.details["estimator"] == name


@pytest.mark.postgres_only
def test_concurrent_scoring_by_two_reviewers(app, judging, open_round):
    first = open_round
    db.session.commit()
    by_reviewer = {}
    for a in queries.active_assignments(first):
        by_reviewer.setdefault(a.reviewer_id, []).append(a.id)
    two = list(by_reviewer)[:2]
    errors = []

    def work(reviewer_id):
        try:
            with app.app_context():
                for assignment_id in by_reviewer[reviewer_id]:
                    a = db.session.get(Assignment, assignment_id)
                    save_review(a, a.reviewer, {c.id: 6 for c in a.round.criteria}, "", True)
                    db.session.commit()
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(r,)) for r in two]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    db.session.remove()
    submitted = [a for a in queries.active_assignments(first) if a.review and a.review.submitted]
    assert len(submitted) == sum(len(by_reviewer[r]) for r in two)


def test_provisional_results_flag_ideas_before_closing(judging, open_round):
    first = open_round
    assert provisional_results(first).unscored == 12
    # On the even ideas one reviewer of each panel gives 10, the others 1.
    first_reviewer = {}
    for a in queries.active_assignments(first):
        first_reviewer.setdefault(a.idea_id, a.reviewer_id)
    score_everything(first, lambda a: 6 if a.idea_id % 2
                     else (10 if first_reviewer[a.idea_id] == a.reviewer_id else 1))
    provisional = provisional_results(first)
    assert provisional.unscored == 0 and len(provisional.rows) == 12
    flagged = {row["idea_id"] for row in provisional.rows if row["flag_disagreement"]}
    assert flagged == {i.id for i in judging["ideas"] if i.id % 2 == 0}
    assert first.state is RoundState.open and all(e.rank is None for e in first.entries)


def test_provisional_results_are_recalculated_only_when_a_review_changes(judging, open_round, monkeypatch):
    first = open_round
    score_everything(first, lambda a: 1 + a.idea_id % 10)
    calculations = []
    real = outcome_module.compute_outcome
    monkeypatch.setattr(outcome_module, "compute_outcome",
                        lambda *args, **kw: calculations.append(1) or real(*args, **kw))
    before = provisional_results(first)
    again = provisional_results(first)
    assert len(calculations) == 1 and [r["rank"] for r in again.rows] == [r["rank"] for r in before.rows]
    assignment = queries.active_assignments(first)[0]
    save_review(assignment, assignment.reviewer, {c.id: 10 for c in first.criteria}, "改分", submit=True)
    db.session.commit()
    changed = provisional_results(first)
    assert len(calculations) == 2
    assert next(r for r in changed.rows if r["idea_id"] == assignment.idea_id)["raw_mean"] != next(
        r for r in before.rows if r["idea_id"] == assignment.idea_id)["raw_mean"]


def test_a_page_shows_the_earlier_ranking_while_a_thread_computes_the_new_one(
        app, client, auth, judging, open_round, monkeypatch):
    first = open_round
    score_everything(first, lambda a: 1 + a.idea_id % 10)
    before = provisional_results(first, stale_ok=True)
    monkeypatch.setitem(app.config, "PROVISIONAL_IN_BACKGROUND", True)
    assignment = queries.active_assignments(first)[0]
    save_review(assignment, assignment.reviewer, {c.id: 10 for c in first.criteria}, "改分", submit=True)
    db.session.commit()
    # The thread's calculation waits until the test has looked at the page.
    looked, real = threading.Event(), outcome_module.compute_outcome
    monkeypatch.setattr(outcome_module, "compute_outcome",
                        lambda *args, **kw: looked.wait(30) and real(*args, **kw))
    shown = provisional_results(first, stale_ok=True)
    assert outcome_module.refreshing(first)
    raw_mean = {r["idea_id"]: r["raw_mean"] for r in shown.rows}
    assert raw_mean == {r["idea_id"]: r["raw_mean"] for r in before.rows}
    auth.login(judging["staff"])
    assert "正在后台重新计算" in client.get(f"/voting/rounds/{first.id}").get_data(as_text=True)
    looked.set()
    outcome_module.wait_for_refreshes()
    assert not outcome_module.refreshing(first)
    fresh = provisional_results(first, stale_ok=True)
    assert next(r["raw_mean"] for r in fresh.rows if r["idea_id"] == assignment.idea_id) != raw_mean[
        assignment.idea_id]
    assert "正在后台重新计算" not in client.get(f"/voting/rounds/{first.id}").get_data(as_text=True)


def test_carried_over_scores_count_in_the_next_round(judging):
    first, second, staff = *judging["rounds"][:2], judging["staff"]
    second.carry_over = True
    prepare_round(first, staff)
    open_round(first, staff)
    score_everything(first, lambda a: 1 + a.idea_id % 10)
    close_round(first, staff, seed=1)
    prepare_round(second, staff)
    open_round(second, staff)
    score_everything(second, lambda a: 5)
    close_round(second, staff, seed=1)
    counts = {e.idea_id: e.review_count for e in second.entries}
    # Five reviews this round plus the three of the first round.
    assert set(counts.values()) == {8}
    # With flat scores this round, the first round's order decides among the ideas one
    # carried panel scored. (Two carried panels that share no idea are compared only
    # through this round's flat reviewers, who say the ideas are alike, so across
    # panels the scale-and-offset fit leaves them level.)
    carried = defaultdict(set)
    for review in queries.submitted_reviews(first):
        carried[review.assignment.reviewer_id].add(review.assignment.idea_id)
    calibrated = {e.idea_id: e.calibrated for e in second.entries}
    for ideas in carried.values():
        shared = sorted(ideas & set(calibrated), key=lambda i: i % 10)
        assert sorted(shared, key=calibrated.get) == shared
