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


def chain_start():
    """The hash the chain starts from: the last entry deleted by the latest pruning, else genesis."""
    latest = db.session.execute(select(ActionLog).where(ActionLog.action == PRUNE_ACTION)
                                .order_by(ActionLog.id.desc()).limit(1)).scalar_one_or_none()
    return GENESIS_HASH if latest is None else latest.details["last_hash"]


def first_broken_link():
    """The first entry whose stored hash does not match its content or its
    predecessor, or None when the whole chain holds. After a pruning the chain
    starts at its checkpoint: the first entry left must follow the last one pruned."""
    prev_hash = chain_start()
    for entry in db.session.execute(select(ActionLog).order_by(ActionLog.id)).scalars():
        expected = entry_hash(prev_hash, entry.created_at, entry.actor_id, entry.action,
                              entry.target_type, entry.target_id, entry.details)
        if entry.prev_hash != prev_hash or entry.hash != expected:
            return entry
        prev_hash = entry.hash
    return None
