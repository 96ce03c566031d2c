"""users.consent_version, consent_at: the privacy policy agreed to at registration

Revision ID: 8b4d0f2a3c51
Revises: 7a3c9e1f2b40
Create Date: 2026-12-01 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8b4d0f2a3c51'
down_revision = '7a3c9e1f2b40'
branch_labels = None
depends_on = None


def upgrade():
    # Accounts from before the policy have none recorded (NULL), not a made-up one.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_version', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('consent_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('consent_at')
        batch_op.drop_column('consent_version')
