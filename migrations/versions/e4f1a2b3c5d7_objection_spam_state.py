"""objections can be set aside as spam

Revision ID: e4f1a2b3c5d7
Revises: e3f1c2a4b5d6
Create Date: 2026-12-01 20:35:00

"""
from alembic import op


revision = 'e4f1a2b3c5d7'
down_revision = 'e3f1c2a4b5d6'
branch_labels = None
depends_on = None

OLD_STATES = ("pending", "upheld", "dismissed")
NEW_STATES = OLD_STATES + ("spam",)


def _set_state_check(states):
    with op.batch_alter_table("objections", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_objections_state"), type_="check")
        batch_op.create_check_constraint(op.f("ck_objections_state"),
                                         f"state IN ({', '.join(repr(s) for s in states)})")


def upgrade():
    _set_state_check(NEW_STATES)


def downgrade():
    # Spam was ruled on with a reason: without its own state it is a dismissed objection.
    op.execute("UPDATE objections SET state = 'dismissed' WHERE state = 'spam'")
    _set_state_check(OLD_STATES)
