"""Reads for the identity pages and checks. Nothing here writes."""
from sqlalchemy import func, select

from app.extensions import db
from app.identity.models import RecoveryCode, SmsCode, TwoFactor, VerifiedPhone


def two_factor(user):
    return db.session.execute(select(TwoFactor).where(TwoFactor.user_id == user.id)).scalar_one_or_none()


def recovery_codes_left(user):
    return db.session.execute(
        select(func.count()).select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).scalar_one()


def unused_recovery_codes(user):
    return db.session.execute(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).scalars().all()


def verified_phone(user):
    """The phone this account proved with an SMS code, or None."""
    record = db.session.get(VerifiedPhone, user.id)
    return record.phone if record is not None else None


def is_phone_verified(user):
    return verified_phone(user) is not None


def phone_holder(phone):
    """The id of the account that verified this phone, or None."""
    return db.session.execute(
        select(VerifiedPhone.user_id).where(VerifiedPhone.phone == phone)).scalar_one_or_none()


def latest_code(phone, purpose):
    """The newest code for this phone and purpose; any older one is replaced."""
    return db.session.execute(
        select(SmsCode).where(SmsCode.phone == phone, SmsCode.purpose == purpose)
        .order_by(SmsCode.id.desc()).limit(1)
    ).scalar_one_or_none()


def last_send_at(phone):
    return db.session.execute(select(func.max(SmsCode.sent_at)).where(SmsCode.phone == phone)).scalar_one()


def sends_since(column, value, since):
    """How many codes went out for this phone, address or device since ``since``, and the oldest of them."""
    return db.session.execute(
        select(func.count(), func.min(SmsCode.sent_at)).where(column == value, SmsCode.sent_at > since)
    ).one()


def recent_codes(phone, limit=10):
    """The last codes sent to a phone, for the admin's account page (never the codes themselves)."""
    return db.session.execute(
        select(SmsCode).where(SmsCode.phone == phone).order_by(SmsCode.id.desc()).limit(limit)
    ).scalars().all()
