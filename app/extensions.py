"""Extensions, created unbound and attached in ``create_app``."""
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import CheckConstraint, MetaData
from sqlalchemy.orm import DeclarativeBase

from app.nlp_ext import NlpExtension

# Named constraints: SQLite batch migrations cannot alter unnamed ones.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def checks(**rules):
    """A table's check constraints as one name → SQL table (the names feed the "ck" convention)."""
    return tuple(CheckConstraint(sql, name=name) for name, sql in rules.items())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "请先登录。"
login_manager.login_message_category = "info"
csrf = CSRFProtect()
# Storage comes from RATELIMIT_STORAGE_URI: Redis in production, so every worker counts together.
limiter = Limiter(key_func=get_remote_address)
nlp = NlpExtension()
