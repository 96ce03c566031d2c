"""judging rounds, rubric, assignments, reviews and conflicts

Revision ID: bd1771822411
Revises: a6a74e8d9473
Create Date: 2026-11-27 18:13:04.735749

"""
from alembic import op
import sqlalchemy as sa


# Closing a judging round moves ideas to these new workflow states; the CHECK
# constraints that the status enums carry must learn them.
OLD_STATUSES = ("draft", "submitted", "accepted", "rejected", "merged")
NEW_STATUSES = OLD_STATUSES + ("shortlisted", "finalist")
STATUS_COLUMNS = (("ideas", "status"), ("idea_events", "from_status"), ("idea_events", "to_status"))


def _set_status_checks(statuses):
    for table, column in STATUS_COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")
            batch_op.create_check_constraint(
                op.f(f"ck_{table}_{column}"), f"{column} IN ({', '.join(repr(s) for s in statuses)})")


# revision identifiers, used by Alembic.
revision = 'bd1771822411'
down_revision = 'a6a74e8d9473'
branch_labels = None
depends_on = None


def upgrade():
    _set_status_checks(NEW_STATUSES)
    op.create_table('rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('state', sa.Enum('draft', 'open', 'closed', 'finalized', name='state', native_enum=False,
                               create_constraint=True, length=20), nullable=False),
    sa.Column('pool', sa.Enum('accepted', 'previous', name='pool', native_enum=False, create_constraint=True,
                              length=20), nullable=False),
    sa.Column('advance_count', sa.Integer(), nullable=False),
    sa.Column('reviewers_per_idea', sa.Integer(), nullable=True),
    sa.Column('opens_at', sa.DateTime(), nullable=True),
    sa.Column('closes_at', sa.DateTime(), nullable=True),
    sa.Column('carry_over', sa.Boolean(), nullable=False),
    sa.Column('avoid_same_region', sa.Boolean(), nullable=False),
    sa.Column('tie_seed', sa.BigInteger(), nullable=True),
    sa.Column('frozen_table', sa.Text(), nullable=True),
    sa.Column('digest', sa.String(length=64), nullable=True),
    sa.Column('agreement_alpha', sa.Float(), nullable=True),
    sa.Column('calibration_components', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('finalized_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('advance_count > 0', name=op.f('ck_rounds_advance_positive')),
    sa.CheckConstraint('reviewers_per_idea IS NULL OR reviewers_per_idea > 0',
                       name=op.f('ck_rounds_k_positive')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_rounds_campaign_id_campaigns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rounds')),
    sa.UniqueConstraint('campaign_id', 'position', name='uq_rounds_campaign_position')
    )
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rounds_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.Column('scale_min', sa.Integer(), nullable=False),
    sa.Column('scale_max', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('scale_max > scale_min', name=op.f('ck_criteria_scale_order')),
    sa.CheckConstraint('weight > 0', name=op.f('ck_criteria_weight_positive')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_criteria_round_id_rounds'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_criteria')),
    sa.UniqueConstraint('round_id', 'name', name='uq_criteria_round_name')
    )
    with op.batch_alter_table('criteria', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_criteria_round_id'), ['round_id'], unique=False)

    op.create_table('assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('manual', sa.Boolean(), nullable=False),
    sa.Column('recusal_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_assignments_idea_id_ideas')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_assignments_reviewer_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_assignments_round_id_rounds'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignments')),
    sa.UniqueConstraint('round_id', 'idea_id', 'reviewer_id', name='uq_assignments_round_idea_reviewer')
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignments_idea_id'), ['idea_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignments_reviewer_id'), ['reviewer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignments_round_id'), ['round_id'], unique=False)

    op.create_table('conflicts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_conflicts_idea_id_ideas')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_conflicts_reviewer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conflicts')),
    sa.UniqueConstraint('reviewer_id', 'idea_id', name='uq_conflicts_reviewer_idea')
    )
    with op.batch_alter_table('conflicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conflicts_idea_id'), ['idea_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_conflicts_reviewer_id'), ['reviewer_id'], unique=False)

    op.create_table('round_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('review_count', sa.Integer(), nullable=True),
    sa.Column('raw_mean', sa.Float(), nullable=True),
    sa.Column('robust_mean', sa.Float(), nullable=True),
    sa.Column('calibrated', sa.Float(), nullable=True),
    sa.Column('median', sa.Float(), nullable=True),
    sa.Column('spread', sa.Float(), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('advanced', sa.Boolean(), nullable=False),
    sa.Column('flag_disagreement', sa.Boolean(), nullable=False),
    sa.Column('flag_near_cut', sa.Boolean(), nullable=False),
    sa.Column('in_cut_tie', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_round_entries_idea_id_ideas')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_entries_round_id_rounds'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_entries')),
    sa.UniqueConstraint('round_id', 'idea_id', name='uq_round_entries_round_idea')
    )
    with op.batch_alter_table('round_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_entries_idea_id'), ['idea_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_round_entries_round_id'), ['round_id'], unique=False)

    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('submitted', sa.Boolean(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'],
                            name=op.f('fk_reviews_assignment_id_assignments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('assignment_id', name=op.f('uq_reviews_assignment_id'))
    )
    op.create_table('review_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['criterion_id'], ['criteria.id'],
                            name=op.f('fk_review_scores_criterion_id_criteria'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_scores_review_id_reviews'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_scores')),
    sa.UniqueConstraint('review_id', 'criterion_id', name='uq_review_scores_review_criterion')
    )
    with op.batch_alter_table('review_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_scores_review_id'), ['review_id'], unique=False)



def downgrade():
    op.execute("UPDATE ideas SET status = 'accepted' WHERE status IN ('shortlisted', 'finalist')")
    op.execute("DELETE FROM idea_events WHERE from_status IN ('shortlisted', 'finalist') "
               "OR to_status IN ('shortlisted', 'finalist')")
    _set_status_checks(OLD_STATUSES)
    with op.batch_alter_table('review_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_scores_review_id'))

    op.drop_table('review_scores')
    op.drop_table('reviews')
    with op.batch_alter_table('round_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_entries_round_id'))
        batch_op.drop_index(batch_op.f('ix_round_entries_idea_id'))

    op.drop_table('round_entries')
    with op.batch_alter_table('conflicts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conflicts_reviewer_id'))
        batch_op.drop_index(batch_op.f('ix_conflicts_idea_id'))

    op.drop_table('conflicts')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignments_round_id'))
        batch_op.drop_index(batch_op.f('ix_assignments_reviewer_id'))
        batch_op.drop_index(batch_op.f('ix_assignments_idea_id'))

    op.drop_table('assignments')
    with op.batch_alter_table('criteria', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_criteria_round_id'))

    op.drop_table('criteria')
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rounds_campaign_id'))

    op.drop_table('rounds')
