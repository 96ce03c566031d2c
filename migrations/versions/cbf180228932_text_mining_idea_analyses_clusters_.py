"""text mining: idea analyses, clusters, rebuild jobs, confirmed themes

Revision ID: cbf180228932
Revises: bd1771822411
Create Date: 2026-11-27 18:51:43.178236

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cbf180228932'
down_revision = 'bd1771822411'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cluster_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('strategy', sa.String(length=20), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'],
                            name=op.f('fk_cluster_runs_campaign_id_campaigns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cluster_runs'))
    )
    with op.batch_alter_table('cluster_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cluster_runs_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('nlp_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'],
                            name=op.f('fk_nlp_jobs_campaign_id_campaigns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nlp_jobs'))
    )
    with op.batch_alter_table('nlp_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nlp_jobs_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('clusters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('scope_theme_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('terms', sa.Text(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('nearest_theme_id', sa.Integer(), nullable=True),
    sa.Column('theme_score', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['nearest_theme_id'], ['themes.id'],
                            name=op.f('fk_clusters_nearest_theme_id_themes')),
    sa.ForeignKeyConstraint(['run_id'], ['cluster_runs.id'], name=op.f('fk_clusters_run_id_cluster_runs'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['scope_theme_id'], ['themes.id'],
                            name=op.f('fk_clusters_scope_theme_id_themes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clusters'))
    )
    with op.batch_alter_table('clusters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clusters_run_id'), ['run_id'], unique=False)

    op.create_table('idea_analyses',
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('text_hash', sa.String(length=64), nullable=False),
    sa.Column('tokens', sa.Text(), nullable=False),
    sa.Column('suggested_theme_id', sa.Integer(), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.Column('keywords', sa.Text(), nullable=False),
    sa.Column('cluster_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cluster_id'], ['clusters.id'],
                            name=op.f('fk_idea_analyses_cluster_id_clusters'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_analyses_idea_id_ideas'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['suggested_theme_id'], ['themes.id'],
                            name=op.f('fk_idea_analyses_suggested_theme_id_themes')),
    sa.PrimaryKeyConstraint('idea_id', name=op.f('pk_idea_analyses'))
    )
    with op.batch_alter_table('idea_analyses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_analyses_cluster_id'), ['cluster_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_analyses_suggested_theme_id'), ['suggested_theme_id'],
                              unique=False)

    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('theme_confirmed_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_ideas_theme_confirmed_by_id_users'), 'users',
                                    ['theme_confirmed_by_id'], ['id'])



def downgrade():
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_ideas_theme_confirmed_by_id_users'), type_='foreignkey')
        batch_op.drop_column('theme_confirmed_by_id')

    with op.batch_alter_table('idea_analyses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_analyses_suggested_theme_id'))
        batch_op.drop_index(batch_op.f('ix_idea_analyses_cluster_id'))

    op.drop_table('idea_analyses')
    with op.batch_alter_table('clusters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clusters_run_id'))

    op.drop_table('clusters')
    with op.batch_alter_table('nlp_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nlp_jobs_campaign_id'))

    op.drop_table('nlp_jobs')
    with op.batch_alter_table('cluster_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cluster_runs_campaign_id'))

    op.drop_table('cluster_runs')
