"""public vote, announcement with objections, notifications

Revision ID: d8b58e49a33d
Revises: cbf180228932
Create Date: 2026-11-27 20:49:32.249696

"""
from alembic import op
import sqlalchemy as sa


# Finalizing an announcement makes its ideas winners: the CHECK constraints
# the status enums carry must learn the new state.
OLD_STATUSES = ("draft", "submitted", "accepted", "rejected", "merged", "shortlisted", "finalist")
NEW_STATUSES = OLD_STATUSES + ("winner",)
STATUS_COLUMNS = (("ideas", "status"), ("idea_events", "from_status"), ("idea_events", "to_status"))
ROUND_CHECKS = {
    "votes_positive": "votes_per_citizen IS NULL OR votes_per_citizen > 0",
    "expert_weight_range": "expert_weight IS NULL OR (expert_weight >= 0 AND expert_weight <= 1)",
    "public_vote_complete": "NOT public_vote OR (vote_opens_at IS NOT NULL AND vote_closes_at IS NOT NULL"
                            " AND vote_opens_at < vote_closes_at AND votes_per_citizen IS NOT NULL"
                            " AND expert_weight IS NOT NULL)",
}


def _set_status_checks(statuses):
    for table, column in STATUS_COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")
            batch_op.create_check_constraint(
                op.f(f"ck_{table}_{column}"), f"{column} IN ({', '.join(repr(s) for s in statuses)})")


# revision identifiers, used by Alembic.
revision = 'd8b58e49a33d'
down_revision = 'cbf180228932'
branch_labels = None
depends_on = None


def upgrade():
    _set_status_checks(NEW_STATUSES)
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.Column('emailed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_user_id'), ['user_id'], unique=False)

    op.create_table('announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'published', 'finalized', name='state', native_enum=False,
                               create_constraint=True, length=20), nullable=False),
    sa.Column('winner_count', sa.Integer(), nullable=False),
    sa.Column('intro', sa.Text(), nullable=False),
    sa.Column('notice_ends_at', sa.DateTime(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('finalized_at', sa.DateTime(), nullable=True),
    sa.Column('digest', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'],
                            name=op.f('fk_announcements_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_announcements_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements')),
    sa.UniqueConstraint('campaign_id', name=op.f('uq_announcements_campaign_id'))
    )
    op.create_table('vote_voids',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('selection', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('restored_by_id', sa.Integer(), nullable=True),
    sa.Column('restored_at', sa.DateTime(), nullable=True),
    sa.Column('restore_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_vote_voids_created_by_id_users')),
    sa.ForeignKeyConstraint(['restored_by_id'], ['users.id'],
                            name=op.f('fk_vote_voids_restored_by_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_vote_voids_round_id_rounds'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_voids'))
    )
    with op.batch_alter_table('vote_voids', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vote_voids_round_id'), ['round_id'], unique=False)

    op.create_table('notice_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('listed', 'alternate', 'removed', name='status', native_enum=False,
                                create_constraint=True, length=20), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=40), nullable=False),
    sa.Column('theme_name', sa.String(length=40), nullable=False),
    sa.Column('region', sa.String(length=20), nullable=False),
    sa.Column('proposer', sa.String(length=200), nullable=False),
    sa.Column('citation', sa.Text(), nullable=False),
    sa.Column('expert_score', sa.Float(), nullable=True),
    sa.Column('expert_part', sa.Float(), nullable=True),
    sa.Column('public_votes', sa.Integer(), nullable=True),
    sa.Column('public_part', sa.Float(), nullable=True),
    sa.Column('blended', sa.Float(), nullable=True),
    sa.Column('promoted_at', sa.DateTime(), nullable=True),
    sa.Column('removed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("(status = 'listed') = (rank IS NOT NULL)",
                       name=op.f('ck_notice_entries_listed_has_rank')),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcements.id'],
                            name=op.f('fk_notice_entries_announcement_id_announcements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_notice_entries_idea_id_ideas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_entries')),
    sa.UniqueConstraint('announcement_id', 'idea_id', name='uq_notice_entries_announcement_idea'),
    sa.UniqueConstraint('announcement_id', 'position', name='uq_notice_entries_announcement_position')
    )
    with op.batch_alter_table('notice_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_entries_announcement_id'), ['announcement_id'],
                              unique=False)

    op.create_table('public_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.Column('ip', sa.String(length=45), nullable=False),
    sa.Column('network', sa.String(length=50), nullable=False),
    sa.Column('user_agent', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_public_votes_idea_id_ideas')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_public_votes_round_id_rounds'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_public_votes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_votes')),
    sa.UniqueConstraint('round_id', 'idea_id', 'user_id', name='uq_public_votes_round_idea_user')
    )
    with op.batch_alter_table('public_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_votes_network'), ['network'], unique=False)
        batch_op.create_index('ix_public_votes_round_idea', ['round_id', 'idea_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_public_votes_user_id'), ['user_id'], unique=False)

    op.create_table('objections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'upheld', 'dismissed', name='state', native_enum=False,
                               create_constraint=True, length=20), nullable=False),
    sa.Column('ruling', sa.Text(), nullable=True),
    sa.Column('ruled_by_id', sa.Integer(), nullable=True),
    sa.Column('ruled_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(state = 'pending') = (ruled_at IS NULL)",
                       name=op.f('ck_objections_ruling_complete')),
    sa.ForeignKeyConstraint(['entry_id'], ['notice_entries.id'],
                            name=op.f('fk_objections_entry_id_notice_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ruled_by_id'], ['users.id'], name=op.f('fk_objections_ruled_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_objections_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objections'))
    )
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_objections_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_objections_user_id'), ['user_id'], unique=False)

    op.create_table('voided_votes',
    sa.Column('void_id', sa.Integer(), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['void_id'], ['vote_voids.id'], name=op.f('fk_voided_votes_void_id_vote_voids'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['vote_id'], ['public_votes.id'],
                            name=op.f('fk_voided_votes_vote_id_public_votes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('void_id', 'vote_id', name=op.f('pk_voided_votes'))
    )
    with op.batch_alter_table('voided_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voided_votes_vote_id'), ['vote_id'], unique=False)

    with op.batch_alter_table('round_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expert_part', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('public_votes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('public_part', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('blended', sa.Float(), nullable=True))

    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_vote', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('vote_opens_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('vote_closes_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('votes_per_citizen', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('expert_weight', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('blend_published_at', sa.DateTime(), nullable=True))
        for name, condition in ROUND_CHECKS.items():
            batch_op.create_check_constraint(op.f(f"ck_rounds_{name}"), condition)


def downgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        for name in ROUND_CHECKS:
            batch_op.drop_constraint(op.f(f"ck_rounds_{name}"), type_="check")
        batch_op.drop_column('blend_published_at')
        batch_op.drop_column('expert_weight')
        batch_op.drop_column('votes_per_citizen')
        batch_op.drop_column('vote_closes_at')
        batch_op.drop_column('vote_opens_at')
        batch_op.drop_column('public_vote')

    with op.batch_alter_table('round_entries', schema=None) as batch_op:
        batch_op.drop_column('blended')
        batch_op.drop_column('public_part')
        batch_op.drop_column('public_votes')
        batch_op.drop_column('expert_part')

    with op.batch_alter_table('voided_votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voided_votes_vote_id'))

    op.drop_table('voided_votes')
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_objections_user_id'))
        batch_op.drop_index(batch_op.f('ix_objections_entry_id'))

    op.drop_table('objections')
    with op.batch_alter_table('public_votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_votes_user_id'))
        batch_op.drop_index('ix_public_votes_round_idea')
        batch_op.drop_index(batch_op.f('ix_public_votes_network'))

    op.drop_table('public_votes')
    with op.batch_alter_table('notice_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_entries_announcement_id'))

    op.drop_table('notice_entries')
    with op.batch_alter_table('vote_voids', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vote_voids_round_id'))

    op.drop_table('vote_voids')
    op.drop_table('announcements')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_user_id'))

    op.drop_table('notifications')
    _set_status_checks(OLD_STATUSES)
