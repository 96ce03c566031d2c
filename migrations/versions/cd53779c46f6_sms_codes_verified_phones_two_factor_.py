"""sms codes, verified phones, two-factor secrets and recovery codes

Revision ID: cd53779c46f6
Revises: f5a6b7c8d9e0
Create Date: 2026-12-01 20:25:14.790850

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cd53779c46f6'
down_revision = 'f5a6b7c8d9e0'
branch_labels = None
depends_on = None


# Only new tables: the users table is left as it is; each row here belongs to
# one account and goes with it (ON DELETE CASCADE).
def upgrade():
    op.create_table('sms_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=11), nullable=False),
    sa.Column('purpose', sa.Enum('register', 'reset', 'login', 'unlock', 'verify', name='purpose',
                                 native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('state', sa.Enum('live', 'used', 'spent', 'replaced', name='state', native_enum=False,
                               create_constraint=True, length=16), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=45), nullable=False),
    sa.Column('device', sa.String(length=32), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('expires_at > sent_at', name=op.f('ck_sms_codes_expires_after_sent')),
    sa.CheckConstraint('tries >= 0', name=op.f('ck_sms_codes_tries_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_codes'))
    )
    with op.batch_alter_table('sms_codes', schema=None) as batch_op:
        batch_op.create_index('ix_sms_codes_address_sent', ['address', 'sent_at'], unique=False)
        batch_op.create_index('ix_sms_codes_device_sent', ['device', 'sent_at'], unique=False)
        # At most one live code per phone and purpose (a partial unique index on both databases).
        batch_op.create_index('ix_sms_codes_one_live', ['phone', 'purpose'], unique=True,
                              sqlite_where=sa.text("state = 'live'"),
                              postgresql_where=sa.text("state = 'live'"))
        batch_op.create_index('ix_sms_codes_phone_sent', ['phone', 'sent_at'], unique=False)

    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=96), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes'))
    )
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_codes_user_id'), ['user_id'], unique=False)

    op.create_table('two_factor_secrets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('last_step', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_two_factor_secrets_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_two_factor_secrets')),
    sa.UniqueConstraint('user_id', name=op.f('uq_two_factor_secrets_user_id'))
    )
    op.create_table('verified_phones',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=11), nullable=False),
    sa.Column('verified_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_verified_phones_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_verified_phones')),
    sa.UniqueConstraint('phone', name=op.f('uq_verified_phones_phone'))
    )


def downgrade():
    op.drop_table('verified_phones')
    op.drop_table('two_factor_secrets')
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_codes_user_id'))

    op.drop_table('recovery_codes')
    with op.batch_alter_table('sms_codes', schema=None) as batch_op:
        batch_op.drop_index('ix_sms_codes_phone_sent')
        batch_op.drop_index('ix_sms_codes_one_live', sqlite_where=sa.text("state = 'live'"),
                            postgresql_where=sa.text("state = 'live'"))
        batch_op.drop_index('ix_sms_codes_device_sent')
        batch_op.drop_index('ix_sms_codes_address_sent')

    op.drop_table('sms_codes')
