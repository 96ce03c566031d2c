from sqlalchemy import select

from app.extensions import db
from voting.certificates.models import Certificate


def certificate_of(entry, user):
    return db.session.execute(
        select(Certificate).filter_by(entry_id=entry.id, user_id=user.id)).scalar_one_or_none()


def by_serial(serial):
    return db.session.execute(select(Certificate).filter_by(serial=serial.upper())).scalar_one_or_none()
