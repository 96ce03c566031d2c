"""idea_groups and their members; the screening-order score on idea_analyses;
the representative ideas of each cluster

Revision ID: c2d4e6f8a0b1
Revises: c7e2a9d4f1b3
Create Date: 2026-12-01 23:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c2d4e6f8a0b1'
down_revision = 'c7e2a9d4f1b3'
branch_labels = None
depends_on = None

IDEA_STATUSES = ('draft', 'submitted', 'accepted', 'rejected', 'merged', 'shortlisted', 'finalist', 'winner',
                 'withdrawn')
GROUP_STATES = ('open', 'accepted', 'rejected', 'merged', 'split')


def upgrade():
    op.create_table(
        'idea_groups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('lead_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.Enum(*GROUP_STATES, name='group_state', native_enum=False,
                                   create_constraint=True, length=20), nullable=False),
        sa.Column('credited', sa.Boolean(), nullable=False),
        sa.Column('merged_into_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'],
                                name=op.f('fk_idea_groups_campaign_id_campaigns')),
        sa.ForeignKeyConstraint(['lead_id'], ['ideas.id'], name=op.f('fk_idea_groups_lead_id_ideas')),
        sa.ForeignKeyConstraint(['merged_into_id'], ['ideas.id'],
                                name=op.f('fk_idea_groups_merged_into_id_ideas')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'],
                                name=op.f('fk_idea_groups_decided_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_groups')),
    )
    with op.batch_alter_table('idea_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_groups_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_groups_lead_id'), ['lead_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_groups_state'), ['state'], unique=False)
    op.create_table(
        'idea_group_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('idea_id', sa.Integer(), nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('previous_status', sa.Enum(*IDEA_STATUSES, name='previous_status', native_enum=False,
                                             create_constraint=True, length=20), nullable=True),
        sa.ForeignKeyConstraint(['group_id'], ['idea_groups.id'], ondelete='CASCADE',
                                name=op.f('fk_idea_group_members_group_id_idea_groups')),
        sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_group_members_idea_id_ideas')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_group_members')),
        sa.UniqueConstraint('group_id', 'idea_id', name='uq_idea_group_members_group_idea'),
    )
    with op.batch_alter_table('idea_group_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_group_members_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_group_members_idea_id'), ['idea_id'], unique=False)
    with op.batch_alter_table('idea_analyses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('worth_score', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('worth_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_idea_analyses_worth_score'), ['worth_score'], unique=False)
    with op.batch_alter_table('clusters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('representatives', sa.JSON(), nullable=False, server_default='[]'))


def downgrade():
    with op.batch_alter_table('clusters', schema=None) as batch_op:
        batch_op.drop_column('representatives')
    with op.batch_alter_table('idea_analyses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_analyses_worth_score'))
        batch_op.drop_column('worth_reason')
        batch_op.drop_column('worth_score')
    op.drop_table('idea_group_members')
    op.drop_table('idea_groups')
