"""Writing the hash-chained action log."""
import hashlib
import json
from datetime import timedelta

from sqlalchemy import delete, event, select, text
from sqlalchemy.orm import Session

from app.audit.models import ActionLog
from app.extensions import db
from app.timeutil import now

GENESIS_HASH = "0" * 64


def entry_hash(prev_hash, created_at, actor_id, action, target_type, target_id, details):
    payload = json.dumps(
        [prev_hash, created_at.isoformat(sep=" "), actor_id, action, target_type, target_id, details],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _lock_chain():
    # Two concurrent writers must not both chain onto the same last row.
    # SQLite serialises writers already; PostgreSQL needs an explicit lock,
    # held until the request's single commit.
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(727001)"))


# The hash of the entry this transaction appended last. Once a transaction has
# appended, no other writer can (the chain lock, or SQLite's one writer) until
# it ends, so the next entry chains onto it without reading the log again: a
# decision about thousands of ideas appends thousands of entries.
_CHAIN_END = "audit_chain_end"


@event.listens_for(Session, "after_transaction_end")
def _forget_chain_end(session, transaction):
    # Any end, a savepoint's included: what it appended may be gone, or another writer may follow.
    session.info.pop(_CHAIN_END, None)


def log_action(actor, action, target=None, **details):
    """Append one entry. ``target`` is any model with an ``id``."""
    last = db.session.info.get(_CHAIN_END)
    if last is None:
        _lock_chain()
        last = db.session.execute(
            select(ActionLog.hash).order_by(ActionLog.id.desc()).limit(1)
        ).scalar_one_or_none() or GENESIS_HASH
    return _append(last, actor, action, target, details)


def _append(prev_hash, actor, action, target, details):
    entry = ActionLog(
        created_at=now(),
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=type(target).__name__ if target is not None else None,
        target_id=target.id if target is not None else None,
        details=details,
        prev_hash=prev_hash,
    )
    entry.hash = entry_hash(prev_hash, entry.created_at, entry.actor_id, action,
                            entry.target_type, entry.target_id, details)
    db.session.add(entry)
    db.session.flush()
    db.session.info[_CHAIN_END] = entry.hash
    return entry


# The entry a pruning leaves behind: where the verifier starts (app.audit.queries.chain_start).
PRUNE_ACTION = "audit.prune"


class RetentionTooShort(ValueError):
    pass


def prune_log(days, floor_days, at):
    """Delete the entries older than ``days`` (never fewer than ``floor_days``:
    the law keeps logs six months). The chain stays verifiable: a new entry,
    itself chained, records the last deleted entry's id and hash, and the
    verifier starts from it. Returns that entry, or None when nothing was old enough."""
    if days < floor_days:
        raise RetentionTooShort(f"操作日志至少保存 {floor_days} 天，不能清理 {days} 天以内的记录")
    _lock_chain()
    last = db.session.execute(select(ActionLog).where(ActionLog.created_at < at - timedelta(days=days))
                              .order_by(ActionLog.id.desc()).limit(1)).scalar_one_or_none()
    if last is None:
        return None
    through, last_hash = last.id, last.hash
    newest = db.session.execute(select(ActionLog.hash).order_by(ActionLog.id.desc()).limit(1)).scalar_one()
    count = db.session.execute(delete(ActionLog).where(ActionLog.id <= through)).rowcount
    db.session.flush()
    # Chained onto the newest entry as ever, even when the pruning left none.
    return _append(newest, None, "audit.prune", None,
                   {"through_id": through, "last_hash": last_hash, "count": count, "kept_days": days})
