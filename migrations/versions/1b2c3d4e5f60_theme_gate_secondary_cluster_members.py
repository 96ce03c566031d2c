"""the theme gate, secondary themes and cluster members

Revision ID: 1b2c3d4e5f60
Revises: 0c7361474e2b
Create Date: 2026-12-01 22:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = '1b2c3d4e5f60'
down_revision = '0c7361474e2b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('idea_analyses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('theme_status', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('secondary_theme_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('secondary_confidence', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('on_topic_probability', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('gate_kind', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('gate_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('gate_reply', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('gate_overruled_by_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_idea_analyses_theme_status'), ['theme_status'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_idea_analyses_secondary_theme_id_themes'), 'themes',
                                    ['secondary_theme_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_idea_analyses_gate_overruled_by_id_users'), 'users',
                                    ['gate_overruled_by_id'], ['id'])
        batch_op.create_check_constraint(batch_op.f('ck_idea_analyses_theme_status'),
                                         "theme_status IN ('assigned', 'needs_review', 'off_topic')")
    # Ideas analysed before the gate existed: a theme meant assigned, none meant review.
    op.execute("UPDATE idea_analyses SET theme_status = CASE WHEN suggested_theme_id IS NULL "
               "THEN 'needs_review' ELSE 'assigned' END WHERE confidence IS NOT NULL")
    with op.batch_alter_table('clusters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('members', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('change', sa.String(length=10), nullable=False, server_default='new'))
        batch_op.add_column(sa.Column('sources', sa.JSON(), nullable=False, server_default='[]'))


def downgrade():
    with op.batch_alter_table('clusters', schema=None) as batch_op:
        batch_op.drop_column('sources')
        batch_op.drop_column('change')
        batch_op.drop_column('members')
    with op.batch_alter_table('idea_analyses', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_idea_analyses_theme_status'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_idea_analyses_gate_overruled_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_idea_analyses_secondary_theme_id_themes'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_idea_analyses_theme_status'))
        batch_op.drop_column('gate_overruled_by_id')
        batch_op.drop_column('gate_reply')
        batch_op.drop_column('gate_reason')
        batch_op.drop_column('gate_kind')
        batch_op.drop_column('on_topic_probability')
        batch_op.drop_column('secondary_confidence')
        batch_op.drop_column('secondary_theme_id')
        batch_op.drop_column('theme_status')
