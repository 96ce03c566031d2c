"""Row locks that hold on both databases.

PostgreSQL locks the row itself (SELECT … FOR UPDATE / FOR SHARE). SQLite
ignores FOR UPDATE, and a read there does not even open a transaction, so
another process could change the row between our read and our write; a no-op
write instead takes SQLite's one database-wide write lock (waiting up to
busy_timeout) and holds it until the commit."""
from sqlalchemy import select, update

from app.extensions import db


def lock_row(model, row_id, read=False):
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(update(model).where(model.id == row_id).values(id=model.id)
                           .execution_options(synchronize_session=False))
    else:
        db.session.execute(select(model.id).where(model.id == row_id).with_for_update(read=read))


def lock_rows(model, row_ids):
    """``lock_row`` for many rows in one statement, in id order (no deadlock
    between two writers taking overlapping sets)."""
    ids = sorted(set(row_ids))
    if not ids:
        return
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(update(model).where(model.id.in_(ids)).values(id=model.id)
                           .execution_options(synchronize_session=False))
    else:
        db.session.execute(select(model.id).where(model.id.in_(ids)).order_by(model.id).with_for_update())
