"""Fixtures in the flaskr style: ``app``, ``client``, ``runner``, ``auth``.

The schema comes from the migrations (``flask db upgrade``), once per run;
every test then starts from empty tables. The database is SQLite by default
and PostgreSQL when ``TEST_DATABASE_URL`` names one: then an unreachable
server fails the run instead of skipping it.

``make test`` runs the suite in parallel processes (pytest-xdist): each has its
own database, instance folder and Redis database, so no test sees another's data."""
import atexit
import os
import shutil
import signal
import tempfile

import flask_migrate
import pytest
from hypothesis import settings as hypothesis_settings
from redis import Redis
from redis.exceptions import ConnectionError as RedisDown
from sqlalchemy import create_engine, make_url, text

# "gw0", "gw1"… in a parallel run, "main" in a plain one.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
# Fitted indexes, keys and caches go to a folder of this process's own (set
# before the app is imported), never to the checkout's instance folder.
os.environ["INSTANCE_PATH"] = tempfile.mkdtemp(prefix=f"xiance-test-{WORKER}-")
atexit.register(shutil.rmtree, os.environ["INSTANCE_PATH"], True)

from app import create_app  # noqa: E402
from app.extensions import db, limiter  # noqa: E402
from tests.factories import Factories  # noqa: E402

pytest_plugins = ["tests.notice_fixtures"]

# On CI every property test runs the same examples each time (derandomize), so a
# red run can be replayed and a green one is not luck; locally the search varies.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("dev", print_blob=True)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")


@pytest.fixture(autouse=True)
def _no_leaked_signal_handlers():
    """A test that installs SIGINT/SIGTERM handlers (an RQ worker does) must put
    them back, or a later Ctrl-C or SIGTERM to the run is swallowed."""
    signals = (signal.SIGINT, signal.SIGTERM)
    before = [signal.getsignal(sig) for sig in signals]
    yield
    assert [signal.getsignal(sig) for sig in signals] == before, "测试改动了信号处理函数而没有恢复"


def pytest_collection_modifyitems(config, items):
    # Races between writers only exist on PostgreSQL (SQLite serialises them):
    # those tests run in the PostgreSQL pass and are left out of the SQLite one.
    # Tests that never open the database (nlp, pure rules) say nothing new on a
    # second database, nor do the browser tests, which check what the pages and
    # their scripts do: they run in the SQLite pass only.
    def skipped(item):
        if is_postgres():
            return "_app" not in item.fixturenames or "browser" in item.fixturenames
        return "postgres_only" in item.keywords

    selected = [item for item in items if not skipped(item)]
    deselected = [item for item in items if skipped(item)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def _test_database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
        return url if WORKER == "main" else _worker_database(url)
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")


def _worker_database(url):
    """``TEST_DATABASE_URL`` with this worker's name appended (``test_gw0``), made if missing."""
    base = make_url(url)
    own = base.set(database=f"{base.database}_{WORKER}")
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                       {"name": own.database})
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    except Exception as exc:
        pytest.fail(f"测试数据库不可用：{url}（{exc}）", pytrace=False)
    finally:
        engine.dispose()
    return own.render_as_string(hide_password=False)


def _drop_everything():
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("DROP SCHEMA public CASCADE"))
        db.session.execute(text("CREATE SCHEMA public"))
        db.session.commit()
    else:
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()


@pytest.fixture(scope="session")
def _app(tmp_path_factory):
    url = _test_database_url(tmp_path_factory)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        try:
            db.session.execute(text("SELECT 1"))
        except Exception as exc:
            pytest.fail(f"测试数据库不可用：{url}（{exc}）", pytrace=False)
        _drop_everything()
        flask_migrate.upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app_with(_app, app):
    """Builds a second app on the test database with some settings changed
    (``app_with(WTF_CSRF_ENABLED=True)``, rate limits on, a proxy in front); each one's
    pool is closed afterwards, or its open PostgreSQL connections would warn in some
    later test. Its requests each get an app context of their own, as in a real
    server: Flask-Login's cached user never passes between clients."""
    built = []

    def build(**config):
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": _app.config["SQLALCHEMY_DATABASE_URI"],
                                     **config})
        built.append(app)
        return app

    yield build
    for app in built:
        with app.app_context():
            db.engine.dispose()


def _empty_tables():
    tables = [t.name for t in db.metadata.sorted_tables]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        for name in reversed(tables):
            db.session.execute(text(f"DELETE FROM {name}"))
    db.session.commit()


def _forget_fitted_models(app):
    """Indexes and models a test's rebuild published: the next test's campaign has
    the same id, and would otherwise start from them."""
    nlp = app.extensions["nlp"]
    directory = nlp.artifacts.directory
    for name in os.listdir(directory) if os.path.isdir(directory) else ():
        if name.endswith(".joblib"):
            os.remove(os.path.join(directory, name))
    nlp._indexes.clear()


@pytest.fixture
def app(_app):
    with _app.app_context():
        yield _app
        db.session.remove()
        _empty_tables()
        db.session.remove()
        _forget_fitted_models(_app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(autouse=True)
def _rate_limits_off_again():
    """The limiter is one object for every app, and the app made last decides
    whether it counts: an app made with limits on must not leave them on."""
    yield
    limiter.enabled = False


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def redis_url():
    """A Redis database for tests (db 15 of the local server, 14 for worker gw1…).
    Skipped when no Redis runs here; when CI=true a missing Redis fails the run instead."""
    number = int(WORKER[2:]) if WORKER.startswith("gw") else 0
    url = f"redis://127.0.0.1:6379/{15 - number}"
    with Redis.from_url(url) as redis:
        try:
            redis.ping()
        except RedisDown:
            if os.environ.get("CI") == "true":
                pytest.fail("Redis 未在 127.0.0.1:6379 运行", pytrace=False)
            pytest.skip("本机没有 Redis")
    return url


@pytest.fixture
def make(app):
    return Factories()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, user_or_login, password="isle-lantern"):
        login = getattr(user_or_login, "login_name", user_or_login)
        return self._client.post("/auth/login", data={"login": login, "password": password})

    def logout(self):
        return self._client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


def is_postgres():
    return (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql")
