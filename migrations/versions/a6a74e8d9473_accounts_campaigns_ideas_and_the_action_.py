"""accounts, campaigns, ideas and the action log

Revision ID: a6a74e8d9473
Revises:
Create Date: 2026-11-27 17:55:25.490828

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a6a74e8d9473'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('submit_opens_at', sa.DateTime(), nullable=False),
    sa.Column('submit_closes_at', sa.DateTime(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('idea_seq', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('submit_closes_at > submit_opens_at', name=op.f('ck_campaigns_window_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns')),
    sa.UniqueConstraint('year', name=op.f('uq_campaigns_year'))
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index('uq_campaigns_one_current', ['is_current'], unique=True,
                              sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mobile', sa.String(length=11), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('real_name', sa.String(length=40), nullable=True),
    sa.Column('role', sa.Enum('citizen', 'reviewer', 'staff', 'admin', name='role', native_enum=False,
                              create_constraint=True, length=16), nullable=False),
    sa.Column('region', sa.String(length=20), nullable=True),
    sa.Column('work_unit', sa.String(length=100), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('mobile IS NOT NULL OR email IS NOT NULL', name=op.f('ck_users_has_login')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email')),
    sa.UniqueConstraint('mobile', name=op.f('uq_users_mobile'))
    )
    op.create_table('action_logs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target_type', sa.String(length=40), nullable=True),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_action_logs_actor_id_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_logs')),
    sa.UniqueConstraint('hash', name=op.f('uq_action_logs_hash'))
    )
    with op.batch_alter_table('action_logs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_logs_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_logs_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_logs_created_at'), ['created_at'], unique=False)

    op.create_table('themes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('keywords', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_other', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_themes_campaign_id_campaigns'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_themes')),
    sa.UniqueConstraint('campaign_id', 'code', name='uq_themes_campaign_code')
    )
    with op.batch_alter_table('themes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_themes_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('ideas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('submission_token', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=True),
    sa.Column('tracking_code', sa.String(length=20), nullable=True),
    sa.Column('status', sa.Enum('draft', 'submitted', 'accepted', 'rejected', 'merged', name='status',
                                native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=40), nullable=False),
    sa.Column('problem', sa.Text(), nullable=False),
    sa.Column('suggestion', sa.Text(), nullable=False),
    sa.Column('benefit', sa.Text(), nullable=False),
    sa.Column('region', sa.String(length=20), nullable=True),
    sa.Column('contact_phone', sa.String(length=11), nullable=True),
    sa.Column('show_name', sa.Boolean(), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("(status = 'merged') = (merged_into_id IS NOT NULL)",
                       name=op.f('ck_ideas_merged_has_target')),
    sa.CheckConstraint("status = 'draft' OR seq IS NOT NULL", name=op.f('ck_ideas_submitted_has_seq')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_ideas_author_id_users')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_ideas_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['merged_into_id'], ['ideas.id'], name=op.f('fk_ideas_merged_into_id_ideas')),
    sa.ForeignKeyConstraint(['theme_id'], ['themes.id'], name=op.f('fk_ideas_theme_id_themes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ideas')),
    sa.UniqueConstraint('campaign_id', 'seq', name='uq_ideas_campaign_seq'),
    sa.UniqueConstraint('submission_token', name=op.f('uq_ideas_submission_token')),
    sa.UniqueConstraint('tracking_code', name=op.f('uq_ideas_tracking_code'))
    )
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ideas_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ideas_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ideas_region'), ['region'], unique=False)
        batch_op.create_index(batch_op.f('ix_ideas_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_ideas_submitted_at'), ['submitted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ideas_theme_id'), ['theme_id'], unique=False)

    op.create_table('co_proposers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('source_idea_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_co_proposers_idea_id_ideas'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_idea_id'], ['ideas.id'],
                            name=op.f('fk_co_proposers_source_idea_id_ideas')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_co_proposers_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_co_proposers')),
    sa.UniqueConstraint('idea_id', 'user_id', name='uq_co_proposers_idea_user')
    )
    with op.batch_alter_table('co_proposers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_co_proposers_idea_id'), ['idea_id'], unique=False)

    op.create_table('idea_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('from_status', sa.Enum('draft', 'submitted', 'accepted', 'rejected', 'merged',
                                     name='from_status', native_enum=False, create_constraint=True,
                                     length=20), nullable=True),
    sa.Column('to_status', sa.Enum('draft', 'submitted', 'accepted', 'rejected', 'merged', name='to_status',
                                   native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_idea_events_actor_id_users')),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_events_idea_id_ideas'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_events'))
    )
    with op.batch_alter_table('idea_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_events_idea_id'), ['idea_id'], unique=False)



def downgrade():
    with op.batch_alter_table('idea_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_events_idea_id'))

    op.drop_table('idea_events')
    with op.batch_alter_table('co_proposers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_co_proposers_idea_id'))

    op.drop_table('co_proposers')
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ideas_theme_id'))
        batch_op.drop_index(batch_op.f('ix_ideas_submitted_at'))
        batch_op.drop_index(batch_op.f('ix_ideas_status'))
        batch_op.drop_index(batch_op.f('ix_ideas_region'))
        batch_op.drop_index(batch_op.f('ix_ideas_campaign_id'))
        batch_op.drop_index(batch_op.f('ix_ideas_author_id'))

    op.drop_table('ideas')
    with op.batch_alter_table('themes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_themes_campaign_id'))

    op.drop_table('themes')
    with op.batch_alter_table('action_logs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_logs_created_at'))
        batch_op.drop_index(batch_op.f('ix_action_logs_actor_id'))
        batch_op.drop_index(batch_op.f('ix_action_logs_action'))

    op.drop_table('action_logs')
    op.drop_table('users')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_index('uq_campaigns_one_current', sqlite_where=sa.text('is_current'),
                            postgresql_where=sa.text('is_current'))

    op.drop_table('campaigns')
