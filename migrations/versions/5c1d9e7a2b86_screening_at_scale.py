"""indexes for the screening queue at scale, and Chinese search over the stored tokens

Revision ID: 5c1d9e7a2b86
Revises: 8b4d0f2a3c51
Create Date: 2026-12-01 23:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5c1d9e7a2b86'
down_revision = '8b4d0f2a3c51'
branch_labels = None
depends_on = None

# ideas.models.search_vector: the stored jieba tokens, each a lexeme as it is.
SEARCH_VECTOR = "array_to_tsvector(string_to_array(tokens, ' '))"


def upgrade():
    # The queue reads newest first within a campaign and status, page after page
    # by (submitted_at, id); the counts per status are read from the same index.
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.create_index('ix_ideas_queue', ['campaign_id', 'status', 'submitted_at', 'id'], unique=False)
        batch_op.create_index('ix_ideas_campaign_submitted', ['campaign_id', 'submitted_at', 'id'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        # No model declares it: SQLite has no tsvector and searches by substring.
        op.execute(f"CREATE INDEX ix_idea_analyses_search ON idea_analyses USING gin ({SEARCH_VECTOR})")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP INDEX ix_idea_analyses_search")
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_index('ix_ideas_campaign_submitted')
        batch_op.drop_index('ix_ideas_queue')
