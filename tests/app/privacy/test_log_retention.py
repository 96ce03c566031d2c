"""The action log is kept at least 180 days; pruning older entries leaves a
checkpoint the verifier starts from, so the chain still verifies."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import ActionLog
from app.audit.queries import first_broken_link
from app.audit.services import GENESIS_HASH, RetentionTooShort, entry_hash, log_action, prune_log
from app.extensions import db
from app.timeutil import now


def _aged_log(old, young):
    """``old`` entries written 200 days ago, then ``young`` ones today: the chain
    is hashed again with those times, as if written then."""
    for n in range(old + young):
        log_action(None, "campaign.update", None, n=n)
    db.session.flush()
    prev = GENESIS_HASH
    for n, entry in enumerate(db.session.execute(select(ActionLog).order_by(ActionLog.id)).scalars()):
        if n < old:
            entry.created_at = now() - timedelta(days=200)
        entry.prev_hash = prev
        entry.hash = prev = entry_hash(prev, entry.created_at, entry.actor_id, entry.action,
                                       entry.target_type, entry.target_id, entry.details)
    db.session.commit()


def test_pruning_keeps_the_chain_verifiable(app):
    _aged_log(old=3, young=2)
    assert first_broken_link() is None
    checkpoint = prune_log(180, 180, now())
    db.session.commit()
    kept = db.session.execute(select(ActionLog).order_by(ActionLog.id)).scalars().all()
    assert [e.details.get("n") for e in kept] == [3, 4, None] and kept[-1] is checkpoint
    assert checkpoint.action == "audit.prune" and checkpoint.details["count"] == 3
    assert first_broken_link() is None
    # A second pruning, later, prunes the first checkpoint too and still verifies.
    log_action(None, "campaign.update", None, n=5)
    prune_log(180, 180, now() + timedelta(days=400))
    db.session.commit()
    assert first_broken_link() is None
    assert db.session.execute(select(ActionLog.action)).scalars().all() == ["audit.prune"]


def test_tampering_after_a_pruning_is_still_found(app):
    _aged_log(old=3, young=2)
    prune_log(180, 180, now())
    db.session.commit()
    first = db.session.execute(select(ActionLog).order_by(ActionLog.id)).scalars().first()
    first.details = {"n": 99}
    db.session.commit()
    assert first_broken_link().id == first.id


def test_deleting_the_checkpoint_is_found(app):
    _aged_log(old=3, young=2)
    checkpoint = prune_log(180, 180, now())
    db.session.commit()
    db.session.delete(checkpoint)
    db.session.commit()
    assert first_broken_link() is not None


def test_younger_than_the_floor_is_refused(app, runner):
    _aged_log(old=0, young=2)
    with pytest.raises(RetentionTooShort):
        prune_log(90, 180, now())
    result = runner.invoke(args=["voting", "audit", "prune", "--days", "90"])
    assert result.exit_code == 2 and "至少保存 180 天" in result.output
    result = runner.invoke(args=["voting", "audit", "prune"])
    assert result.exit_code == 0 and "没有超过保存期" in result.output
    assert len(db.session.execute(select(ActionLog)).scalars().all()) == 2
