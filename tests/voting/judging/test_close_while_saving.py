"""Closing a round while a reviewer's save is in flight: the close waits for
the save and freezes it, on SQLite (several gunicorn processes on one file) as
on PostgreSQL."""
import threading

from app.auth.models import User
from app.extensions import db
from voting.judging import queries
from voting.judging.panels import prepare_round
from voting.judging.reviews import save_review
from voting.judging.rounds import close_round, open_round
from voting.judging.models import Round


def test_close_waits_for_a_save_in_flight_and_freezes_it(app, judging):
    first, staff = judging["rounds"][0], judging["staff"]
    prepare_round(first, staff)
    open_round(first, staff)
    *others, last = queries.active_assignments(first)
    for assignment in others:
        save_review(assignment, assignment.reviewer, {c.id: 6 for c in first.criteria}, "",
                             submit=True)
    db.session.commit()
    # Saved but not yet committed: this request still holds the lock.
    save_review(last, last.reviewer, {c.id: 9 for c in first.criteria}, "", submit=True)
    closed = {}

    def close():
        with app.app_context():
            round_ = db.session.get(Round, first.id)
            try:
                close_round(round_, db.session.get(User, staff.id), seed=1)
                db.session.commit()
                closed["table"] = round_.frozen_table
            except Exception as exc:  # surfaced by the assertion below
                closed["error"] = exc

    thread = threading.Thread(target=close)
    thread.start()
    thread.join(1)
    assert thread.is_alive(), "closing must wait for the save in flight"
    db.session.commit()
    thread.join(30)
    assert "error" not in closed
    assert f'"idea":"{last.idea_id}","reviewer":"{last.reviewer_id}","score":"9.00"' in closed["table"]
