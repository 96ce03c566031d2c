"""users: deleted accounts, last sign-in, inactivity notices, forced password change; wrong passwords
per login

Revision ID: 9c1e5a7b3d20
Revises: 8b4d0f2a3c51
Create Date: 2026-12-01 23:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9c1e5a7b3d20'
down_revision = '8b4d0f2a3c51'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_failures',
    sa.Column('login_hash', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('login_hash', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_login_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('inactivity_notice', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('inactivity_notice_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        # A deleted account keeps its row (ideas, votes and certificates point at it) without any login.
        batch_op.drop_constraint('has_login', type_='check')
        batch_op.create_check_constraint(
            'has_login', 'mobile IS NOT NULL OR email IS NOT NULL OR deleted_at IS NOT NULL')


def downgrade():
    # Deleted accounts have no login; a placeholder address that names nobody lets the old
    # constraint hold.
    op.execute("UPDATE users SET email = 'deleted-' || id || '@invalid' "
               "WHERE mobile IS NULL AND email IS NULL")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint('has_login', type_='check')
        batch_op.create_check_constraint('has_login', 'mobile IS NOT NULL OR email IS NOT NULL')
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('inactivity_notice_at')
        batch_op.drop_column('inactivity_notice')
        batch_op.drop_column('last_login_at')
        batch_op.drop_column('deleted_at')
    op.drop_table('login_failures')
