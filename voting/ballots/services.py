"""State changes of the public vote. Functions flush; the view commits once.

Locks: a vote takes the voter's user row (so two requests of one citizen count
their votes one after the other) and shares the round row with other voters;
closing, voiding and restoring take the round row outright, so no vote slips
in while a result is being computed."""
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.audit.services import log_action
from app.auth.models import User
from app.errors import Refused
from app.locks import lock_row
from app.extensions import db
from app.identity.queries import is_phone_verified
from app.timeutil import now
from voting.ballots import queries
from voting.ballots.fraud import network_of
from voting.ballots.models import (PublicVote, VoidedVote, VoteVoid, accepts_votes, vote_settings_editable,
                                   vote_state)
from voting.judging.models import Round, RoundState

USER_AGENT_LENGTH = 255
IP_LENGTH = 45
TIME = "%Y-%m-%d %H:%M"


class BallotError(Refused):
    """A public-vote action refused, with a message for the user."""


class SettingsError(BallotError):
    """Refused settings; ``field`` names the form field the message belongs to."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


def _lock_round(round_, read=False):
    lock_row(Round, round_.id, read)
    db.session.refresh(round_)


def _lock_voter(user):
    lock_row(User, user.id)


# --- Settings and the published blend ---------------------------------------------------

def vote_window_problem(round_, opens_at, closes_at):
    """(field, message) when the vote window does not lie inside the round's own window."""
    if round_.opens_at and opens_at < round_.opens_at:
        return "vote_opens_at", f"投票开始时间不能早于本轮评审开始时间（{round_.opens_at:{TIME}}）"
    if round_.closes_at and closes_at > round_.closes_at:
        return "vote_closes_at", f"投票截止时间不能晚于本轮评审截止时间（{round_.closes_at:{TIME}}）"
    return None


def save_settings(round_, actor, *, public_vote, vote_opens_at, vote_closes_at, votes_per_citizen,
                  expert_weight):
    """Staff settings of a round's vote; editable until the blend is published."""
    _lock_round(round_)
    if round_.blend_published_at is not None:
        raise BallotError(f"计分办法已于 {round_.blend_published_at:{TIME}} 公布，公众投票的设置不能再改")
    if not vote_settings_editable(round_):
        raise BallotError(f"“{round_.name}”当前为{round_.state.label}，不能再设置公众投票")
    if public_vote:
        for field, value, message in (("vote_opens_at", vote_opens_at, "请填写投票开始时间"),
                                      ("vote_closes_at", vote_closes_at, "请填写投票截止时间"),
                                      ("votes_per_citizen", votes_per_citizen, "请填写每人可投票数"),
                                      ("expert_weight", expert_weight, "请填写专家评分所占比例")):
            if value is None:
                raise SettingsError(message, field)
        if vote_closes_at <= vote_opens_at:
            raise SettingsError("投票截止时间必须晚于开始时间", "vote_closes_at")
        problem = vote_window_problem(round_, vote_opens_at, vote_closes_at)
        if problem:
            raise SettingsError(problem[1], problem[0])
    if expert_weight is not None and not 0 <= expert_weight <= 1:
        raise SettingsError("专家评分所占比例须在 0–100 % 之间", "expert_weight")
    if votes_per_citizen is not None and votes_per_citizen < 1:
        raise SettingsError("每人可投票数须为正整数", "votes_per_citizen")
    round_.public_vote = public_vote
    round_.vote_opens_at, round_.vote_closes_at = vote_opens_at, vote_closes_at
    round_.votes_per_citizen, round_.expert_weight = votes_per_citizen, expert_weight
    db.session.flush()
    log_action(actor, "vote.settings", round_, public_vote=public_vote,
               opens=f"{vote_opens_at:{TIME}}" if vote_opens_at else None,
               closes=f"{vote_closes_at:{TIME}}" if vote_closes_at else None,
               votes_per_citizen=votes_per_citizen, expert_weight=expert_weight)


def publish_blend(round_, actor, at=None):
    """Fix the vote's settings and blend and show them publicly; only before the
    vote opens. ``at`` (default now) lets the demo run last year's vote."""
    at = at or now()
    _lock_round(round_)
    if round_.blend_published_at is not None:
        raise BallotError(f"计分办法已于 {round_.blend_published_at:{TIME}} 公布")
    if not round_.public_vote:
        raise BallotError("本轮没有开启公众投票，请先保存投票设置")
    if not vote_settings_editable(round_):
        raise BallotError(f"“{round_.name}”当前为{round_.state.label}，不能再公布计分办法")
    if at >= round_.vote_opens_at:
        raise BallotError("计分办法必须在投票开始前公布：请先把投票开始时间改到以后")
    if not round_.entries:
        raise BallotError("本轮评审池还是空的：请先在评审页生成评审分配，投票才有可投的建议")
    round_.blend_published_at = at
    db.session.flush()
    log_action(actor, "vote.publish", round_, expert_weight=round_.expert_weight,
               votes_per_citizen=round_.votes_per_citizen, opens=f"{round_.vote_opens_at:{TIME}}",
               closes=f"{round_.vote_closes_at:{TIME}}", ideas=len(round_.entries))


# --- Casting and withdrawing --------------------------------------------------------------

def window_message(round_, at):
    """Why the vote does not accept votes now."""
    state = vote_state(round_, at)
    if state == "upcoming":
        return f"投票尚未开始（{round_.vote_opens_at:{TIME}} 开始）"
    if state == "ended":
        return f"投票已于 {round_.vote_closes_at:{TIME}} 截止"
    return "本轮没有正在进行的公众投票"


def _open_for(round_, idea, user, at):
    _lock_voter(user)
    _lock_round(round_, read=True)
    if not accepts_votes(round_, at):
        raise BallotError(window_message(round_, at))
    if not queries.in_ballot(round_, idea):
        raise BallotError("这条建议不在本轮投票范围内")


def cast_vote(round_, idea, user, ip, user_agent, at=None):
    """One vote of a citizen for an idea; a withdrawn vote is revived."""
    at = at or now()
    # One proven phone, one voter: accounts made in bulk do not stuff the vote.
    if not is_phone_verified(user):
        raise BallotError("参加公众投票须先验证手机号")
    _open_for(round_, idea, user, at)
    vote = queries.vote_of(round_, idea, user)
    if vote is not None and vote.is_active:
        raise BallotError("您已经为这条建议投过票了")
    used = db.session.scalar(select(func.count()).select_from(PublicVote).where(
        PublicVote.round_id == round_.id, PublicVote.user_id == user.id, PublicVote.withdrawn_at.is_(None)))
    if used >= round_.votes_per_citizen:
        raise BallotError(f"每人最多投 {round_.votes_per_citizen} 票，您已投满；可以先撤回一票再投")
    seen = {"ip": (ip or "")[:IP_LENGTH], "network": network_of(ip),
            "user_agent": (user_agent or "")[:USER_AGENT_LENGTH]}
    if vote is None:
        vote = PublicVote(round_id=round_.id, idea_id=idea.id, user_id=user.id, created_at=at, **seen)
        try:
            with db.session.begin_nested():
                db.session.add(vote)
        except IntegrityError:
            # The same vote sent twice at once: the database let one through.
            raise BallotError("您已经为这条建议投过票了") from None
    else:
        vote.withdrawn_at = None
        vote.created_at = at
        for name, value in seen.items():
            setattr(vote, name, value)
    db.session.flush()
    log_action(user, "vote.cast", vote, round=round_.id, idea=idea.id)
    return vote


def withdraw_vote(round_, idea, user):
    """Withdrawing is possible while the vote is open; the row stays for the screen."""
    _open_for(round_, idea, user, now())
    vote = queries.vote_of(round_, idea, user)
    if vote is None or not vote.is_active:
        raise BallotError("您没有为这条建议投票")
    vote.withdrawn_at = now()
    db.session.flush()
    log_action(user, "vote.withdraw", vote, round=round_.id, idea=idea.id)
    return vote


# --- Voiding and restoring ---------------------------------------------------------------

VOID_KINDS = {"network": "网段", "user_agent": "浏览器标识", "new_accounts": "新账号只投一条建议",
              "registration_burst": "集中注册的账号", "quick_votes": "注册后随即投票",
              "rapid_run": "短时间内连续投票", "ids": "指定的投票"}


def _require_not_closed(round_, message):
    _lock_round(round_)
    if round_.state not in (RoundState.draft, RoundState.open):
        raise BallotError(message)


def void_votes(round_, actor, kind, value, reason):
    """Set aside the round's active, not yet voided votes a selection names
    (see ``queries.votes_for_selection``), with a reason."""
    if not reason:
        raise BallotError("请填写作废理由")
    if kind not in VOID_KINDS:
        raise BallotError("未知的选择方式")
    _require_not_closed(round_, "本轮已截止，投票不能再作废")
    votes = queries.votes_for_selection(round_, kind, value)
    if not votes:
        raise BallotError("没有符合条件、尚未作废的有效投票")
    if kind == "ids":
        shown = "、".join(str(vote.id) for vote in votes)
    elif kind in ("new_accounts", "quick_votes"):
        shown = f"“{votes[0].idea.title}”"
    else:
        shown = value
    void = VoteVoid(round_id=round_.id, reason=reason, selection=f"{VOID_KINDS[kind]}：{shown}"[:500],
                    created_by_id=actor.id, created_at=now())
    db.session.add(void)
    db.session.flush()
    db.session.add_all(VoidedVote(void_id=void.id, vote_id=vote.id) for vote in votes)
    db.session.flush()
    log_action(actor, "vote.void", void, round=round_.id, selection=void.selection, reason=reason,
               votes=[vote.id for vote in votes])
    return void


def restore_void(void, actor, reason):
    """Count a voided set again; the void stays on record with both reasons."""
    if not reason:
        raise BallotError("请填写恢复理由")
    _require_not_closed(void.round, "本轮已截止，作废的投票不能再恢复")
    if not void.is_active:
        raise BallotError("这批投票已经恢复过了")
    void.restored_by_id, void.restored_at, void.restore_reason = actor.id, now(), reason
    db.session.flush()
    log_action(actor, "vote.restore", void, round=void.round_id, reason=reason)
