"""The SQL statements a block of code sends, to bound what a page or a write costs."""
from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db


@contextmanager
def counted(app):
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)
