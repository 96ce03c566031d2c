"""State changes of ideas. Functions flush; the view or command commits once."""
import hashlib

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.exc import IntegrityError

from app.audit.services import log_action
from app.errors import Refused
from app.campaigns.models import Campaign
from app.campaigns.queries import theme_by_code
from app.extensions import db, nlp
from app.locks import lock_rows
from app.notifications.services import notify
from app.states import move
from app.timeutil import now
from ideas.models import CoProposer, Idea, IdeaAnalysis, IdeaEvent, IdeaStatus
from ideas.queries import idea_by_code, idea_by_token


# Ideas the text mining covers: drafts are private, merged ones live on in their kept idea.
ANALYSED = (IdeaStatus.submitted, IdeaStatus.accepted, IdeaStatus.rejected, IdeaStatus.shortlisted,
            IdeaStatus.finalist)


class ScreeningError(Refused):
    """A screening action refused, with a message for the user."""


class SubmissionClosed(ScreeningError):
    pass


class TokenMismatch(Exception):
    """The form's token belongs to someone else's idea."""


def tracking_code(year, seq):
    return f"XC-{year}-{seq:06d}"


def save_idea(author, campaign, token, fields, theme_code, submit):
    """Create or update the idea behind this form token; submit it if asked.

    Returns ``(idea, created_now)``. Sending the same form twice (a double
    click, a browser resend) finds the idea the first send made: one idea,
    never two, and a submitted idea is never changed again through the form.
    """
    idea = idea_by_token(token)
    if idea is not None and idea.author_id != author.id:
        raise TokenMismatch()
    if idea is not None and idea.status is not IdeaStatus.draft:
        return idea, False
    if submit and not campaign.is_open():
        raise SubmissionClosed(_closed_message(campaign))
    theme = theme_by_code(campaign, theme_code) if theme_code else None
    if idea is None:
        # Inserted with its theme: a new idea's fields are then set once, by the INSERT.
        idea = _insert_draft(author, campaign, token, {**fields, "theme": theme})
        if idea.author_id != author.id:
            raise TokenMismatch()
        if idea.status is not IdeaStatus.draft:
            return idea, False
    for name, value in fields.items():
        setattr(idea, name, value)
    idea.theme = theme
    db.session.flush()
    if submit:
        _submit(idea, author)
    else:
        log_action(author, "idea.draft", idea)
    return idea, True


def _insert_draft(author, campaign, token, fields):
    idea = Idea(campaign=campaign, author=author, submission_token=token,
                status=IdeaStatus.draft, **fields)
    try:
        with db.session.begin_nested():
            db.session.add(idea)
    except IntegrityError:
        # A concurrent send of the same form won the insert; use its idea.
        return idea_by_token(token)
    return idea


def _closed_message(campaign):
    state = campaign.window_state()
    opens = campaign.submit_opens_at.strftime("%Y年%m月%d日 %H:%M")
    closes = campaign.submit_closes_at.strftime("%Y年%m月%d日 %H:%M")
    if state == "not_started":
        return f"征集尚未开始（{opens} 开始），现在可以先保存草稿。"
    return f"征集已于 {closes} 截止，不再接收新的建议。"


def _next_seq(campaign):
    # One atomic statement: concurrent submissions never share a number.
    return db.session.execute(
        update(Campaign).where(Campaign.id == campaign.id)
        .values(idea_seq=Campaign.idea_seq + 1).returning(Campaign.idea_seq)
    ).scalar_one()


def _submit(idea, actor):
    # Segmented before the number is taken: the campaign row stays locked from there to the
    # commit, and every other submission waits for it.
    analyse_idea(idea)
    seq = _next_seq(idea.campaign)
    idea.seq = seq
    idea.tracking_code = tracking_code(idea.campaign.year, seq)
    idea.submitted_at = now()
    transition(idea, IdeaStatus.submitted, actor, "")
    log_action(actor, "idea.submit", idea, code=idea.tracking_code)


# What the author hears when staff or a round move the idea. Their own moves
# (submit, withdraw) need no message; a winner gets the announcement's own.
_TOLD = {IdeaStatus.accepted, IdeaStatus.rejected, IdeaStatus.merged, IdeaStatus.shortlisted,
         IdeaStatus.finalist}


def transition(idea, to_status, actor, reason, subject=None):
    """Move an idea along the workflow, recording who, when and why, and tell its author
    (``subject`` when the bare new status would mislead, as for a move back)."""
    previous = idea.status
    move(idea, to_status, attribute="status", error=ScreeningError,
         message=f"{idea.tracking_code or '草稿'} 当前状态为“{previous.label}”，不能改为“{to_status.label}”")
    # Added beside the idea rather than appended to idea.events: no load of the whole history.
    db.session.add(IdeaEvent(idea=idea, actor=actor, from_status=previous, to_status=to_status,
                             reason=reason, created_at=now()))
    db.session.flush()
    if to_status in _TOLD:
        tell_author(idea, subject or f"您的建议 {idea.tracking_code} {to_status.label}",
                    f"您提出的建议《{idea.title}》状态由“{previous.label}”变为“{to_status.label}”。"
                    + (f"\n说明：{reason}" if reason else ""))


def tell_author(idea, subject, body):
    """A 站内通知 to the idea's author, linked to the idea (the e-mail copy
    follows the author's choice of channels). Any stage that decides about an idea
    without moving it, such as a round that does not advance it, calls this."""
    return notify(idea.author, subject, body, link=f"/ideas/{idea.id}")


def add_note(idea, actor, reason):
    """A line in the idea's history without a status change."""
    idea.events.append(IdeaEvent(actor=actor, reason=reason, created_at=now()))
    db.session.flush()


def lock_ideas(*ideas):
    """Take the ideas' rows, in id order so two staff merging one pair opposite
    ways cannot deadlock, and reload them: the checks that follow see what
    another member of staff committed meanwhile, not what this request read."""
    if not ideas:
        return
    lock_rows(Idea, [idea.id for idea in ideas])
    if len(ideas) == 1:
        db.session.refresh(ideas[0])
    else:  # one read for the lot, with what a decision about each reads next
        db.session.scalars(select(Idea).where(Idea.id.in_([idea.id for idea in ideas]))
                           .options(selectinload(Idea.author), selectinload(Idea.analysis))
                           .execution_options(populate_existing=True)).all()


def accept_idea(idea, actor, reason=""):
    lock_ideas(idea)
    accept_locked(idea, actor, reason)


def reject_idea(idea, actor, reason):
    lock_ideas(idea)
    reject_locked(idea, actor, reason)


# For decisions about many ideas that took all their rows in one lock_ideas first
# (a second lock and read per idea made a bulk decision of thousands time out).
def accept_locked(idea, actor, reason=""):
    transition(idea, IdeaStatus.accepted, actor, reason)
    log_action(actor, "idea.accept", idea, code=idea.tracking_code)


def reject_locked(idea, actor, reason):
    if not reason:
        raise ScreeningError("不予采纳须说明理由，提出人会看到")
    transition(idea, IdeaStatus.rejected, actor, reason)
    log_action(actor, "idea.reject", idea, code=idea.tracking_code, reason=reason)


def merge_duplicate(duplicate, kept_code, actor, reason, credit=False):
    """Fold ``duplicate`` into the idea with ``kept_code``, which must have been
    submitted first: the earliest submitter keeps the credit. The later author
    becomes a co-proposer only when staff say so (``credit``): a copy of a
    published idea must not earn a share of its honour. Both histories say why."""
    kept = idea_by_code(kept_code.upper())
    if kept is None or kept.campaign_id != duplicate.campaign_id:
        raise ScreeningError(f"本次活动中没有编号为 {kept_code} 的建议")
    if kept.id == duplicate.id:
        raise ScreeningError("不能把建议合并到它自己")
    lock_ideas(duplicate, kept)
    if kept.status not in (IdeaStatus.submitted, IdeaStatus.accepted):
        raise ScreeningError(f"{kept.tracking_code} 当前状态为“{kept.status.label}”，不能作为保留的建议")
    # The tracking number is drawn at submission, one at a time: it orders submissions even where times tie.
    if duplicate.seq < kept.seq:
        raise ScreeningError(f"{duplicate.tracking_code} 比 {kept.tracking_code} 先提交："
                             "应把后提交的建议合并到先提交的建议，由最早的提交者保留署名")
    # Status and target change together: the database checks they agree.
    with db.session.no_autoflush:
        duplicate.merged_into = kept
        transition(duplicate, IdeaStatus.merged, actor, f"与 {kept.tracking_code} 重复，已合并。{reason}")
    already = {c.user_id for c in kept.co_proposers} | {kept.author_id}
    credited = credit and duplicate.author_id not in already
    if credited:
        kept.co_proposers.append(CoProposer(user_id=duplicate.author_id, source_idea=duplicate))
    add_note(kept, actor, f"合并了重复建议 {duplicate.tracking_code}"
                          f"{'，其提出人列为共同提出人' if credited else ''}。{reason}")
    db.session.flush()
    log_action(actor, "idea.merge", duplicate, into=kept.tracking_code, reason=reason, credited=credited)
    return kept


def bulk_screen(ideas, action, actor, reason=""):
    """Accept or reject many ideas; returns (done, refused) with the refusals' messages."""
    done, refused = [], []
    for idea in ideas:
        try:
            with db.session.begin_nested():
                if action == "accept":
                    accept_idea(idea, actor, reason)
                else:
                    reject_idea(idea, actor, reason)
        except ScreeningError as exc:
            refused.append(exc.message)
        else:
            done.append(idea)
    return done, refused


def text_of(idea):
    return "\n".join((idea.title, idea.problem, idea.suggestion, idea.benefit))


def text_hash(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def analyse_idea(idea):
    """Segment a submitted idea once; the similar-ideas index takes it in at its
    next catch-up (analysis_services.catch_up_index), and a rebuild will not
    segment it again unless it changes."""
    digest = text_hash(text_of(idea))
    if idea.analysis is None or idea.analysis.text_hash != digest:
        store_tokens(idea, nlp.segmenter.segment(text_of(idea)), digest)
    return idea.analysis


def store_worth(idea):
    """The screening order's score and reason (nlp.worth): cheap, at submission."""
    from nlp.worth import worth

    found = worth(text_of(idea))
    idea.analysis.worth_score, idea.analysis.worth_reason = found.score, found.reason


def store_tokens(idea, tokens, digest):
    if idea.analysis is None:
        db.session.add(IdeaAnalysis(idea=idea, text_hash=digest, tokens=tokens))
    else:
        # A changed text is read again by the next update (analysis_services.update).
        idea.analysis.text_hash, idea.analysis.tokens, idea.analysis.analysed_hash = digest, tokens, None
    store_worth(idea)
    db.session.flush()
