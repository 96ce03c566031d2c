"""incremental analysis: the text each idea's themes were read from, the kind of a text-mining job

Revision ID: 7e3a9c1d5b24
Revises: 5c1d9e7a2b86
Create Date: 2026-12-04 04:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7e3a9c1d5b24'
down_revision = '5c1d9e7a2b86'
branch_labels = None
depends_on = None

UNANALYSED = "analysed_hash IS NULL"


def upgrade():
    with op.batch_alter_table('idea_analyses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('analysed_hash', sa.String(length=64), nullable=True))
    # Every idea a rebuild has already given a theme was read in its present text.
    op.execute("UPDATE idea_analyses SET analysed_hash = text_hash WHERE theme_status IS NOT NULL")
    op.create_index('ix_idea_analyses_unanalysed', 'idea_analyses', ['idea_id'], unique=False,
                    postgresql_where=sa.text(UNANALYSED), sqlite_where=sa.text(UNANALYSED))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ANALYZE idea_analyses")  # every row was rewritten: the planner's figures are stale
    with op.batch_alter_table('nlp_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=10), server_default='rebuild', nullable=False))


def downgrade():
    with op.batch_alter_table('nlp_jobs', schema=None) as batch_op:
        batch_op.drop_column('kind')
    op.drop_index('ix_idea_analyses_unanalysed', table_name='idea_analyses')
    with op.batch_alter_table('idea_analyses', schema=None) as batch_op:
        batch_op.drop_column('analysed_hash')
