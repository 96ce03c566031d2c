"""answers to ideas, withdrawal, corrections, notification channels

Revision ID: a1e5c0d2f3b4
Revises: 1b2c3d4e5f60
Create Date: 2026-12-01 21:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1e5c0d2f3b4'
down_revision = '1b2c3d4e5f60'
branch_labels = None
depends_on = None

# An author may withdraw an idea before screening: the status CHECKs learn the new state.
OLD_STATUSES = ("draft", "submitted", "accepted", "rejected", "merged", "shortlisted", "finalist", "winner")
NEW_STATUSES = OLD_STATUSES + ("withdrawn",)
STATUS_COLUMNS = (("ideas", "status"), ("idea_events", "from_status"), ("idea_events", "to_status"))


def _set_status_checks(statuses):
    for table, column in STATUS_COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")
            batch_op.create_check_constraint(
                op.f(f"ck_{table}_{column}"), f"{column} IN ({', '.join(repr(s) for s in statuses)})")


def upgrade():
    _set_status_checks(NEW_STATUSES)
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reply_department', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('replied_at', sa.DateTime(), nullable=True))

    op.create_table('idea_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_corrections_idea_id_ideas'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_corrections'))
    )
    with op.batch_alter_table('idea_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_corrections_idea_id'), ['idea_id'], unique=False)

    op.create_table('notification_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('sms', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_preferences'))
    )


def downgrade():
    op.drop_table('notification_preferences')
    with op.batch_alter_table('idea_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_corrections_idea_id'))
    op.drop_table('idea_corrections')
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_column('replied_at')
        batch_op.drop_column('reply_department')
        batch_op.drop_column('reply_text')
    # No state before this revision says "taken back"; the nearest that keeps the idea
    # out of the queue is 未采纳, and the history's reason still says it was withdrawn.
    op.execute("UPDATE ideas SET status = 'rejected' WHERE status = 'withdrawn'")
    op.execute("UPDATE idea_events SET to_status = 'rejected' WHERE to_status = 'withdrawn'")
    _set_status_checks(OLD_STATUSES)
