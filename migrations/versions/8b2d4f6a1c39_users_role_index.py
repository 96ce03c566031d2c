"""an index on users.role: the few reviewers and staff found without reading every citizen

Revision ID: 8b2d4f6a1c39
Revises: 7e3a9c1d5b24
Create Date: 2026-12-04 21:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '8b2d4f6a1c39'
down_revision = '7e3a9c1d5b24'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_role'), ['role'], unique=False)


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_role'))
