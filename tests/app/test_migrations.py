"""The schema comes from the migrations; the models must say the same thing."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db
from app.models import include_object


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                                "include_object": include_object})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_cli_upgrade_on_a_fresh_sqlite_database(tmp_path, monkeypatch):
    from flask_migrate import upgrade

    from app import create_app

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.sqlite'}"})
    with app.app_context():
        upgrade()
        tables = set(db.inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert {"users", "campaigns", "themes", "ideas", "idea_events", "co_proposers", "action_logs"} <= tables
