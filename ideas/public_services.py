"""What citizens add to a public idea, and staff's moderation of it. Functions
flush; the view commits once."""
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from app.audit.services import log_action
from app.auth.models import User
from app.extensions import db
from app.identity.queries import is_phone_verified
from app.locks import lock_row
from app.timeutil import now
from ideas.public_models import IdeaSupplement, IdeaSupport
from ideas.services import ScreeningError, tell_author

SUPPLEMENTS_PER_CITIZEN = 3


def _require_public(idea):
    if not idea.is_public:
        raise ScreeningError("这条建议没有公开，不能附议或补充")


def support(idea, user):
    """附议 once. Two sends at once (a double tap) meet the unique constraint: the
    second finds the first's row and changes nothing."""
    _require_public(idea)
    # One proven phone, one supporter, as in the public vote.
    if not is_phone_verified(user):
        raise ScreeningError("附议须先验证手机号")
    try:
        with db.session.begin_nested():
            db.session.add(IdeaSupport(idea_id=idea.id, user_id=user.id, created_at=now()))
    except IntegrityError:
        return False
    log_action(user, "idea.support", idea, code=idea.tracking_code)
    return True


def withdraw_support(idea, user):
    removed = db.session.execute(delete(IdeaSupport).where(
        IdeaSupport.idea_id == idea.id, IdeaSupport.user_id == user.id)).rowcount
    db.session.flush()
    if not removed:
        raise ScreeningError("您还没有附议这条建议")
    log_action(user, "idea.support_withdraw", idea, code=idea.tracking_code)


def add_supplement(idea, user, text):
    """A short 补充建议 beside a public idea; its author hears of it."""
    _require_public(idea)
    # The account's row: two sends at once are counted one after the other.
    lock_row(User, user.id)
    written = db.session.scalar(select(func.count()).select_from(IdeaSupplement).where(
        IdeaSupplement.idea_id == idea.id, IdeaSupplement.user_id == user.id))
    if written >= SUPPLEMENTS_PER_CITIZEN:
        raise ScreeningError(f"每人对一条建议最多补充 {SUPPLEMENTS_PER_CITIZEN} 条")
    supplement = IdeaSupplement(idea=idea, user_id=user.id, text=text, created_at=now())
    db.session.add(supplement)
    db.session.flush()
    if user.id != idea.author_id:
        tell_author(idea, f"您的建议 {idea.tracking_code} 收到补充建议",
                    f"有群众对您的建议《{idea.title}》提出了补充建议：{text}")
    log_action(user, "idea.supplement", idea, code=idea.tracking_code, supplement=supplement.id)
    return supplement


def hide_supplement(supplement, actor, reason):
    """Staff take a supplement off the public page; it stays, marked, for staff."""
    lock_row(IdeaSupplement, supplement.id)
    db.session.refresh(supplement)
    if supplement.is_hidden:
        raise ScreeningError("这条补充建议已经隐藏了")
    supplement.hidden_at, supplement.hidden_by_id, supplement.hidden_reason = now(), actor.id, reason
    db.session.flush()
    log_action(actor, "idea.supplement_hide", supplement.idea, supplement=supplement.id, reason=reason)
