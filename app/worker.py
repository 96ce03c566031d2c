"""The one place besides the factory that builds an app: for RQ jobs, which
start in a worker process with no app, and for CLI runs that need a database
of their own. Domain code names a job by its dotted path and never imports
the factory, so no domain module closes an import cycle through ``app``."""
import importlib
import tempfile
from contextlib import contextmanager
from pathlib import Path

from flask_migrate import upgrade

from app import create_app
from app.extensions import db


def run_job(target, *args):
    """What `rq worker` runs: ``target`` ("module:function") called inside an
    app built from the worker's environment (the web servers' DATABASE_URL and REDIS_URL)."""
    module, name = target.split(":")
    with create_app().app_context():
        getattr(importlib.import_module(module), name)(*args)


@contextmanager
def scratch_app(**config):
    """An app on a throw-away, migrated SQLite database, inside its app context."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'scratch.sqlite'}"
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, **config})
        with app.app_context():
            upgrade()
            yield app
            db.engine.dispose()
