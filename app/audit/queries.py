"""Reading and verifying the action log."""
from sqlalchemy import select

from app.audit.models import ActionLog
from app.audit.services import GENESIS_HASH, PRUNE_ACTION, entry_hash
from app.extensions import db


def recent_actions(action=None, page=1, per_page=50):
    stmt = select(ActionLog).order_by(ActionLog.id.desc())
    if action:
        stmt = stmt.where(ActionLog.action == action)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def checkpoint():
    """(id, hash) of the last entry deleted by the latest pruning, or (0, genesis)."""
    latest = db.session.execute(select(ActionLog).where(ActionLog.action == PRUNE_ACTION)
                                .order_by(ActionLog.id.desc()).limit(1)).scalar_one_or_none()
    if latest is None:
        return 0, GENESIS_HASH
    return latest.details["through_id"], latest.details["last_hash"]


def first_broken_link():
    """The first entry whose stored hash does not match its content or its
    predecessor, or None when the whole chain holds. After a pruning the chain
    starts at its checkpoint; an entry older than the checkpoint is out of place."""
    through, prev_hash = checkpoint()
    for entry in db.session.execute(select(ActionLog).order_by(ActionLog.id)).scalars():
        if entry.id <= through:
            return entry
        expected = entry_hash(prev_hash, entry.created_at, entry.actor_id, entry.action,
                              entry.target_type, entry.target_id, entry.details)
        if entry.prev_hash != prev_hash or entry.hash != expected:
            return entry
        prev_hash = entry.hash
    return None
