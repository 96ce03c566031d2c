"""incremental analysis: the text each idea's themes were read from, the kind of a text-mining job;
counts of analyses kept by triggers

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
OFF_TOPIC = "theme_status = 'off_topic'"


KEY = ['campaign_id', 'status', 'confirmed', 'theme_status', 'gate_kind', 'bucket']
# ideas.models.AnalysisTally: one row per key, "" and -1 standing for NULL. An analysis
# counts under its idea's campaign, status and confirmation, so both tables move it.
TALLY_FUNCTIONS = ["""
CREATE FUNCTION confidence_bucket(confidence double precision) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
    -- 1e-9: a confidence of exactly 0.35 is 34.99999… hundredths in binary.
    SELECT CASE WHEN confidence IS NULL THEN -1
                ELSE least(100, greatest(0, floor(confidence * 100 + 1e-9)))::integer END
$$
""", """
CREATE FUNCTION analysis_tally_add(a idea_analyses, i ideas, delta integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO analysis_tallies (campaign_id, status, confirmed, theme_status, gate_kind, bucket, n,
                                  confidence_sum)
    VALUES (i.campaign_id, i.status, i.theme_confirmed_by_id IS NOT NULL, coalesce(a.theme_status, ''),
            coalesce(a.gate_kind, ''), confidence_bucket(a.confidence), delta,
            delta * coalesce(a.confidence, 0))
    ON CONFLICT (campaign_id, status, confirmed, theme_status, gate_kind, bucket)
        DO UPDATE SET n = analysis_tallies.n + EXCLUDED.n,
                      confidence_sum = analysis_tallies.confidence_sum + EXCLUDED.confidence_sum;
END $$
""", """
CREATE FUNCTION analysis_tally() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    i ideas;
BEGIN
    -- An analysis deleted with its idea finds no idea: the idea's own trigger counted it out.
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT * INTO i FROM ideas WHERE id = OLD.idea_id;
        IF FOUND THEN PERFORM analysis_tally_add(OLD, i, -1); END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        SELECT * INTO i FROM ideas WHERE id = NEW.idea_id;
        IF FOUND THEN PERFORM analysis_tally_add(NEW, i, 1); END IF;
    END IF;
    RETURN NULL;
END $$
""", """
CREATE FUNCTION analysis_tally_of_idea() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    a idea_analyses;
BEGIN
    SELECT * INTO a FROM idea_analyses WHERE idea_id = OLD.id;
    IF FOUND THEN
        PERFORM analysis_tally_add(a, OLD, -1);
        IF TG_OP = 'UPDATE' THEN PERFORM analysis_tally_add(a, NEW, 1); END IF;
    END IF;
    RETURN OLD;
END $$
""",
    "CREATE TRIGGER idea_analyses_tally AFTER INSERT OR DELETE "
    "OR UPDATE OF theme_status, gate_kind, confidence ON idea_analyses "
    "FOR EACH ROW EXECUTE FUNCTION analysis_tally()",
    "CREATE TRIGGER ideas_analysis_tally AFTER UPDATE OF campaign_id, status, theme_confirmed_by_id ON ideas "
    "FOR EACH ROW WHEN (OLD.campaign_id IS DISTINCT FROM NEW.campaign_id "
    "OR OLD.status IS DISTINCT FROM NEW.status "
    "OR (OLD.theme_confirmed_by_id IS NULL) <> (NEW.theme_confirmed_by_id IS NULL)) "
    "EXECUTE FUNCTION analysis_tally_of_idea()",
    # Before: once the idea is gone, the cascade's delete of its analysis could not find it.
    "CREATE TRIGGER ideas_analysis_tally_delete BEFORE DELETE ON ideas "
    "FOR EACH ROW EXECUTE FUNCTION analysis_tally_of_idea()",
]
BACKFILL = """
INSERT INTO analysis_tallies (campaign_id, status, confirmed, theme_status, gate_kind, bucket, n,
                              confidence_sum)
SELECT i.campaign_id, i.status, i.theme_confirmed_by_id IS NOT NULL, coalesce(a.theme_status, ''),
       coalesce(a.gate_kind, ''), confidence_bucket(a.confidence), count(*), coalesce(sum(a.confidence), 0)
FROM idea_analyses a JOIN ideas i ON i.id = a.idea_id GROUP BY 1, 2, 3, 4, 5, 6
"""


def upgrade():
    with op.batch_alter_table('idea_analyses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('analysed_hash', sa.String(length=64), nullable=True))
    # Every idea a rebuild has already given a theme was read in its present text.
    op.execute("UPDATE idea_analyses SET analysed_hash = text_hash WHERE theme_status IS NOT NULL")
    op.create_index('ix_idea_analyses_unanalysed', 'idea_analyses', ['idea_id'], unique=False,
                    postgresql_where=sa.text(UNANALYSED), sqlite_where=sa.text(UNANALYSED))
    op.create_table(
        'analysis_tallies',
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('confirmed', sa.Boolean(), nullable=False),
        sa.Column('theme_status', sa.String(length=12), nullable=False),
        sa.Column('gate_kind', sa.String(length=20), nullable=False),
        sa.Column('bucket', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.Column('confidence_sum', sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'],
                                name=op.f('fk_analysis_tallies_campaign_id_campaigns'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint(*KEY, name=op.f('pk_analysis_tallies')),
    )
    with op.batch_alter_table('idea_analyses', schema=None) as batch_op:
        batch_op.create_index('ix_idea_analyses_off_topic', ['on_topic_probability', 'idea_id'], unique=False,
                              postgresql_where=sa.text(OFF_TOPIC), sqlite_where=sa.text(OFF_TOPIC))
    if op.get_bind().dialect.name == 'postgresql':
        # The 待筛选 queue's order (ideas.queries.NO_WORTH), walked a page at a time.
        op.execute("CREATE INDEX ix_idea_analyses_worth_order ON idea_analyses "
                   "((coalesce(worth_score, -1e9)) DESC)")
        op.execute("ANALYZE idea_analyses")  # every row was rewritten: the planner's figures are stale
        for statement in TALLY_FUNCTIONS:
            op.execute(statement)
        op.execute(BACKFILL)
        # Every counted change writes a new version of a few hot rows: vacuum them
        # after a thousand dead ones, not after a fifth of the table as by default.
        for table in ('idea_tallies', 'analysis_tallies'):
            op.execute(f"ALTER TABLE {table} SET (autovacuum_vacuum_scale_factor = 0, "
                       "autovacuum_vacuum_threshold = 1000, autovacuum_analyze_scale_factor = 0.05)")
    with op.batch_alter_table('nlp_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=10), server_default='rebuild', nullable=False))


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER TABLE idea_tallies RESET (autovacuum_vacuum_scale_factor, "
                   "autovacuum_vacuum_threshold, autovacuum_analyze_scale_factor)")
        op.execute("DROP INDEX ix_idea_analyses_worth_order")
        op.execute("DROP TRIGGER ideas_analysis_tally_delete ON ideas")
        op.execute("DROP TRIGGER ideas_analysis_tally ON ideas")
        op.execute("DROP TRIGGER idea_analyses_tally ON idea_analyses")
        for function in ("analysis_tally_of_idea()", "analysis_tally()",
                         "analysis_tally_add(idea_analyses, ideas, integer)",
                         "confidence_bucket(double precision)"):
            op.execute(f"DROP FUNCTION {function}")
    op.drop_table('analysis_tallies')
    op.drop_index('ix_idea_analyses_off_topic', table_name='idea_analyses')
    with op.batch_alter_table('nlp_jobs', schema=None) as batch_op:
        batch_op.drop_column('kind')
    op.drop_index('ix_idea_analyses_unanalysed', table_name='idea_analyses')
    with op.batch_alter_table('idea_analyses', schema=None) as batch_op:
        batch_op.drop_column('analysed_hash')
