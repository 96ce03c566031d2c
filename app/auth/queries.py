from sqlalchemy import or_, select

from app.auth.models import User
from app.extensions import db


def find_by_login(value):
    return db.session.execute(
        select(User).where(or_(User.mobile == value, User.email == value))
    ).scalar_one_or_none()


def list_users(role=None, page=1, per_page=50):
    stmt = select(User).order_by(User.id.desc())
    if role:
        stmt = stmt.where(User.role == role)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)
