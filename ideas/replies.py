"""The answer (答复) to an idea and the clock it runs against: staff answer a
suggestion within five working days of its submission (ideas.workdays).
``reply_to_idea`` writes (it flushes; the view commits); the rest only reads."""
from datetime import datetime, time

from sqlalchemy import func, select

from app.audit.services import log_action
from app.extensions import db
from app.timeutil import now
from ideas.models import Idea, IdeaStatus, IdeaTally
from ideas.services import ScreeningError, add_note, tell_author
from ideas.workdays import due_date, overdue_before

# Merged ideas are answered through the idea they were merged into.
ANSWERABLE = (IdeaStatus.submitted, IdeaStatus.accepted, IdeaStatus.rejected, IdeaStatus.shortlisted,
              IdeaStatus.finalist, IdeaStatus.winner)


def reply_to_idea(idea, actor, department, text):
    """Record (or correct) the answer and tell the author; the history keeps every version."""
    if idea.status not in ANSWERABLE:
        raise ScreeningError(f"“{idea.status.label}”的建议不再单独答复")
    idea.reply_department, idea.reply_text, idea.replied_at = department, text, now()
    add_note(idea, actor, f"{department}答复：{text}")
    tell_author(idea, f"您的建议 {idea.tracking_code} 收到答复", f"{department}答复：{text}")
    log_action(actor, "idea.reply", idea, code=idea.tracking_code, department=department)


def answer_due(idea):
    """The last working day for the answer, or None before submission."""
    return due_date(idea.submitted_at.date()) if idea.submitted_at else None


def _overdue(campaign, today):
    # Still waiting for both a screening decision and an answer, past the fifth working day.
    cutoff = datetime.combine(overdue_before(today), time.min)
    return (Idea.campaign_id == campaign.id, Idea.status == IdeaStatus.submitted,
            Idea.replied_at.is_(None), Idea.submitted_at < cutoff)


def overdue_count(campaign, today=None):
    """On PostgreSQL from the kept tallies (a day's ideas are all past the cutoff or none are)."""
    today = today or now().date()
    if db.session.get_bind().dialect.name == "postgresql":
        return db.session.scalar(select(func.coalesce(func.sum(IdeaTally.n), 0)).where(
            IdeaTally.campaign_id == campaign.id, IdeaTally.status == IdeaStatus.submitted.value,
            IdeaTally.answered.is_(False), IdeaTally.day != IdeaTally.NO_DAY,
            IdeaTally.day < overdue_before(today)))
    return db.session.scalar(select(func.count()).select_from(Idea).where(*_overdue(campaign, today)))


def overdue_ids(campaign, ids, today=None):
    """Which of these ideas are overdue."""
    if not ids:
        return set()
    return set(db.session.scalars(select(Idea.id).where(Idea.id.in_(ids),
                                                        *_overdue(campaign, today or now().date()))))
