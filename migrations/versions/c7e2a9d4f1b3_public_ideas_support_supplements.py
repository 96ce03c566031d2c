"""ideas.public_consent; idea_supports (附议) and idea_supplements (补充建议)

Revision ID: c7e2a9d4f1b3
Revises: 9c1e5a7b3d20
Create Date: 2026-12-01 23:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7e2a9d4f1b3'
down_revision = "9c1e5a7b3d20"
branch_labels = None
depends_on = None


def upgrade():
    # Ideas from before the question was asked have no consent: they stay private.
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_consent', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))

    op.create_table('idea_supports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_supports_idea_id_ideas'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_idea_supports_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_supports')),
    sa.UniqueConstraint('idea_id', 'user_id', name='uq_idea_supports_idea_user')
    )
    with op.batch_alter_table('idea_supports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_supports_idea_id'), ['idea_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_supports_user_id'), ['user_id'], unique=False)

    op.create_table('idea_supplements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('hidden_at', sa.DateTime(), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.Column('hidden_reason', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_supplements_idea_id_ideas'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_idea_supplements_user_id_users')),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['users.id'],
                            name=op.f('fk_idea_supplements_hidden_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_supplements'))
    )
    with op.batch_alter_table('idea_supplements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_supplements_idea_id'), ['idea_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_supplements_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('idea_supplements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_supplements_user_id'))
        batch_op.drop_index(batch_op.f('ix_idea_supplements_idea_id'))
    op.drop_table('idea_supplements')
    with op.batch_alter_table('idea_supports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_supports_user_id'))
        batch_op.drop_index(batch_op.f('ix_idea_supports_idea_id'))
    op.drop_table('idea_supports')
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_column('public_consent')
