"""the RQ job behind a text-mining rebuild

Revision ID: f5a6b7c8d9e0
Revises: e4f1a2b3c5d7
Create Date: 2026-12-01 21:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = 'f5a6b7c8d9e0'
down_revision = 'e4f1a2b3c5d7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('nlp_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('queue_id', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('nlp_jobs', schema=None) as batch_op:
        batch_op.drop_column('queue_id')
