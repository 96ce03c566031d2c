"""indexes for the screening queue at scale, Chinese search over the stored tokens, counts kept by a trigger

Revision ID: 5c1d9e7a2b86
Revises: c2d4e6f8a0b1
Create Date: 2026-12-01 23:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1d9e7a2b86'
down_revision = 'c2d4e6f8a0b1'
branch_labels = None
depends_on = None

# ideas.models.search_vector: the stored jieba tokens, each a lexeme as it is.
SEARCH_VECTOR = "array_to_tsvector(string_to_array(tokens, ' '))"


KEY = ['campaign_id', 'status', 'theme_id', 'region', 'day', 'answered']
# ideas.models.IdeaTally: one row per key, the sentinels standing for NULL.
TALLY_FUNCTION = """
CREATE FUNCTION idea_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE idea_tallies SET n = n - 1
        WHERE campaign_id = OLD.campaign_id AND status = OLD.status AND theme_id = coalesce(OLD.theme_id, 0)
          AND region = coalesce(OLD.region, '') AND day = coalesce(OLD.submitted_at::date, date '0001-01-01')
          AND answered = (OLD.replied_at IS NOT NULL);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO idea_tallies (campaign_id, status, theme_id, region, day, answered, n)
        VALUES (NEW.campaign_id, NEW.status, coalesce(NEW.theme_id, 0), coalesce(NEW.region, ''),
                coalesce(NEW.submitted_at::date, date '0001-01-01'), NEW.replied_at IS NOT NULL, 1)
        ON CONFLICT (campaign_id, status, theme_id, region, day, answered)
            DO UPDATE SET n = idea_tallies.n + 1;
    END IF;
    RETURN NULL;
END $$
"""


def upgrade():
    op.create_table(
        'idea_tallies',
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('theme_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('region', sa.String(length=20), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('answered', sa.Boolean(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'],
                                name=op.f('fk_idea_tallies_campaign_id_campaigns'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint(*KEY, name=op.f('pk_idea_tallies')),
    )
    # The queue reads newest first within a campaign and status, page after page
    # by (submitted_at, id); the counts per status are read from the same index.
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.create_index('ix_ideas_queue', ['campaign_id', 'status', 'submitted_at', 'id'], unique=False)
        batch_op.create_index('ix_ideas_campaign_submitted', ['campaign_id', 'submitted_at', 'id'],
                              unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        # No model declares it: SQLite has no tsvector and searches by substring.
        op.execute(f"CREATE INDEX ix_idea_analyses_search ON idea_analyses USING gin ({SEARCH_VECTOR})")
        op.execute(TALLY_FUNCTION)
        # Only changes of a key column move a count; the trigger fires once per changed row.
        op.execute("CREATE TRIGGER ideas_tally AFTER INSERT OR DELETE OR UPDATE OF campaign_id, status, "
                   "theme_id, region, submitted_at, replied_at ON ideas "
                   "FOR EACH ROW EXECUTE FUNCTION idea_tally()")
        op.execute("INSERT INTO idea_tallies (campaign_id, status, theme_id, region, day, answered, n) "
                   "SELECT campaign_id, status, coalesce(theme_id, 0), coalesce(region, ''), "
                   "coalesce(submitted_at::date, date '0001-01-01'), replied_at IS NOT NULL, count(*) "
                   "FROM ideas GROUP BY 1, 2, 3, 4, 5, 6")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER ideas_tally ON ideas")
        op.execute("DROP FUNCTION idea_tally()")
        op.execute("DROP INDEX ix_idea_analyses_search")
    op.drop_table('idea_tallies')
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_index('ix_ideas_campaign_submitted')
        batch_op.drop_index('ix_ideas_queue')
