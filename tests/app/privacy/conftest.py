"""Row-by-row checks that an account left nothing personal behind."""
import json
import re

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.identity.models import VerifiedPhone
from tests.app.identity.conftest import outbox  # noqa: F401  (fixture)

# Only these places may still hold a deleted winner's name: what was published with consent.
PUBLISHED = {("notice_entries", "proposer"), ("certificates", "name"), ("certificates", "content")}
# Records that exist only for the account: none may be left.
ONLY_ABOUT_THE_ACCOUNT = {"user_sessions", "verified_phones", "two_factor_secrets", "recovery_codes",
                          "notification_preferences", "notifications"}
# What a deleted account's row keeps: no column here holds personal data.
KEPT_ON_THE_ROW = {"id", "role", "is_active", "session_version", "created_at", "deleted_at", "password_hash",
                   "must_change_password"}


def personal_values(user, *extra):
    """The distinctive personal values of ``user``, read before the deletion."""
    phone = db.session.get(VerifiedPhone, user.id)
    values = {user.mobile, user.email, user.real_name, user.work_unit, phone.phone if phone else None, *extra}
    return {value for value in values if value}


def assert_nothing_personal_left(user_id, values):
    """Every row of every table (from db.metadata): none holds one of ``values``
    outside the published results, none of the account-only tables has a row for
    the account, and the account's own row is empty but for its bookkeeping."""
    found = []
    for table in db.metadata.sorted_tables:
        user_columns = [c for c in table.columns
                        if any(fk.column.table.name == "users" for fk in c.foreign_keys)]
        for row in db.session.execute(select(table)).mappings():
            for column, value in row.items():
                text = json.dumps(value, ensure_ascii=False, default=str) if value is not None else ""
                # Whole values only: 测试用户1 is not in 测试用户18.
                hits = [v for v in values
                        if re.search(rf"(?<![0-9A-Za-z]){re.escape(v)}(?![0-9A-Za-z])", text)]
                if hits and (table.name, column) not in PUBLISHED:
                    found.append(f"{table.name}.{column} = {text[:60]}")
            if table.name in ONLY_ABOUT_THE_ACCOUNT and any(row[c.name] == user_id for c in user_columns):
                found.append(f"{table.name}: 仍有该账号的记录")
    assert not found, "\n".join(found)
    user = db.session.get(User, user_id)
    leftover = {c.name: getattr(user, c.name) for c in User.__table__.columns
                if c.name not in KEPT_ON_THE_ROW and getattr(user, c.name) is not None}
    assert not leftover and user.deleted_at is not None and not user.is_active
