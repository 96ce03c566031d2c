"""A judging round's life: its settings and rubric, then open, close, finalize and
reopen. Functions flush; the view or command commits once.

Who reviews what is ``voting.judging.panels``, the reviewers' side
``voting.judging.reviews``, the result ``voting.judging.outcome``."""
from app.audit.services import log_action
from app.extensions import db
from app.timeutil import now
from ideas import services as idea_services
from ideas.models import IdeaStatus
from voting.judging import queries
from voting.judging.guards import VotingError, lock_round, move_to, require_state
from voting.judging.models import Criterion, Round, RoundPool, RoundState
from voting.judging.estimators import estimator_for_round
from voting.judging.outcome import compute_outcome, public_part, result_rows
from voting.judging.scoring import DEFAULT_RUBRIC

DEFAULT_ROUNDS = (
    ("初审", RoundPool.accepted, 100, 3, True),
    ("复审", RoundPool.previous, 30, 5, True),
    ("终审", RoundPool.previous, 10, None, True),
)


def create_default_rounds(campaign, actor):
    if queries.rounds_of(campaign):
        raise VotingError("本次活动已经设置了评审轮次")
    rounds = []
    for position, (name, pool, advance, k, avoid_region) in enumerate(DEFAULT_ROUNDS, start=1):
        round_ = Round(campaign=campaign, position=position, name=name, pool=pool, advance_count=advance,
                       reviewers_per_idea=k, avoid_same_region=avoid_region)
        for order, (criterion, description, weight) in enumerate(DEFAULT_RUBRIC):
            round_.criteria.append(Criterion(name=criterion, description=description, weight=weight,
                                             scale_min=1, scale_max=10, position=order))
        db.session.add(round_)
        rounds.append(round_)
    db.session.flush()
    log_action(actor, "round.create_defaults", campaign, rounds=[r.name for r in rounds])
    return rounds


def update_round(round_, actor, **fields):
    require_state(round_, RoundState.draft)
    for name, value in fields.items():
        setattr(round_, name, value)
    problem = public_part().update_problem(round_)
    if problem:
        raise VotingError(problem)
    db.session.flush()
    log_action(actor, "round.update", round_, **{k: str(v) for k, v in fields.items()})


def save_criterion(round_, actor, name, description, weight, scale_min, scale_max, criterion=None):
    require_state(round_, RoundState.draft)
    if criterion is None:
        criterion = Criterion(round=round_, position=len(round_.criteria))
        db.session.add(criterion)
    criterion.name, criterion.description, criterion.weight = name, description, weight
    criterion.scale_min, criterion.scale_max = scale_min, scale_max
    db.session.flush()
    log_action(actor, "round.criterion", round_, name=name, weight=weight,
               scale=f"{scale_min}-{scale_max}")
    return criterion


def delete_criterion(criterion, actor):
    round_ = criterion.round
    require_state(round_, RoundState.draft)
    if len(round_.criteria) == 1:
        raise VotingError("评分细则至少需要一个评分项")
    round_.criteria.remove(criterion)
    db.session.flush()
    log_action(actor, "round.criterion_delete", round_, name=criterion.name)


def open_round(round_, actor):
    require_state(round_, RoundState.draft)
    if not round_.entries or not queries.active_assignments(round_):
        raise VotingError("请先生成评审分配，再开始评审")
    if not round_.criteria:
        raise VotingError("评分细则至少需要一个评分项")
    move_to(round_, RoundState.open)
    db.session.flush()
    log_action(actor, "round.open", round_)


def close_round(round_, actor, seed=None):
    """One transaction: scores freeze, ranks are stored, the top N advance and
    the digest of the frozen table is recorded. Any failure leaves it all undone."""
    lock_round(round_)
    require_state(round_, RoundState.open)
    problem = public_part().close_problem(round_)
    if problem:
        raise VotingError(problem)
    outcome, totals, calibrated, keys = compute_outcome(round_, seed)
    final = queries.is_final_round(round_)
    for row in result_rows(round_, outcome, totals, calibrated, keys):
        entry = row.pop("entry")
        row.pop("idea")
        for name, value in row.items():
            setattr(entry, name, value)
        if entry.advanced:
            _advance(entry.idea, round_, final, actor)
        else:
            _tell_not_advanced(entry, round_, final)
    round_.tie_seed = outcome.ranking.seed
    round_.frozen_table = outcome.table.text
    round_.digest = outcome.table.digest
    round_.agreement_alpha = outcome.alpha
    round_.calibration_components = outcome.components
    round_.closed_at = now()
    move_to(round_, RoundState.closed)
    db.session.flush()
    public = {"public_votes": sum(p.votes for p in outcome.blend.values())} if outcome.blend else {}
    log_action(actor, "round.close", round_, digest=round_.digest, seed=round_.tie_seed,
               estimator=estimator_for_round(round_.reviewers_per_idea),
               advanced=sorted(outcome.ranking.advancing), **public)
    return outcome


def _advance(idea, round_, final, actor):
    target = IdeaStatus.finalist if final else IdeaStatus.shortlisted
    reason = f"{round_.name}排名第 {next(e.rank for e in round_.entries if e.idea_id == idea.id)} 位，晋级"
    if idea.status is target:
        idea_services.add_note(idea, actor, reason)
    else:
        idea_services.transition(idea, target, actor, reason)


def _tell_not_advanced(entry, round_, final):
    # The idea does not move (its status says where it last got to), so only its author hears.
    out = "未入选前十" if final else "未进入下一轮"
    idea_services.tell_author(
        entry.idea, f"您的建议 {entry.idea.tracking_code} {round_.name}{out}",
        f"您提出的建议《{entry.idea.title}》在{round_.name}中排名第 {entry.rank} 位，"
        f"本轮晋级 {round_.advance_count} 条，{out}。感谢您的参与。")


def finalize_round(round_, actor):
    lock_round(round_)
    require_state(round_, RoundState.closed)
    move_to(round_, RoundState.finalized)
    round_.finalized_at = now()
    db.session.flush()
    log_action(actor, "round.finalize", round_, digest=round_.digest)


def reopen_round(round_, actor, reason):
    """An admin's explicit, logged reopen of a closed round: results are cleared
    and the ideas it advanced go back to where they were."""
    if not reason:
        raise VotingError("重新开放须说明理由")
    lock_round(round_)
    require_state(round_, RoundState.closed)
    later = [r for r in queries.rounds_of(round_.campaign) if r.position > round_.position
             and r.state is not RoundState.draft]
    if later:
        raise VotingError("后续轮次已经开始，不能重新开放本轮")
    final = queries.is_final_round(round_)
    previous_status = IdeaStatus.shortlisted if round_.position > 1 else IdeaStatus.accepted
    for entry in round_.entries:
        if entry.advanced:
            target = previous_status if final or round_.position == 1 else None
            if target is not None and entry.idea.status is not target:
                # The proposer reads the idea's history: a neutral line; the reason is for
                # staff and goes to the action log below.
                idea_services.transition(entry.idea, target, actor, f"{round_.name}重新开放，结果待重新计算")
        for field in ("review_count", "raw_mean", "robust_mean", "median", "calibrated", "spread", "rank",
                      "expert_part", "public_votes", "public_part", "blended"):
            setattr(entry, field, None)
        entry.advanced = entry.flag_disagreement = entry.flag_near_cut = entry.in_cut_tie = False
    old_digest = round_.digest
    round_.frozen_table = round_.digest = round_.tie_seed = round_.agreement_alpha = None
    round_.closed_at = None
    move_to(round_, RoundState.open)
    db.session.flush()
    log_action(actor, "round.reopen", round_, reason=reason, old_digest=old_digest)
