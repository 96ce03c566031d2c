import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import checks, db
from app.timeutil import now


class CodePurpose(enum.Enum):
    register = "register"
    reset = "reset"
    login = "login"
    unlock = "unlock"
    verify = "verify"

    @property
    def label(self):
        return PURPOSE_LABELS[self]


PURPOSE_LABELS = {
    CodePurpose.register: "注册账号",
    CodePurpose.reset: "重置密码",
    CodePurpose.login: "短信登录",
    CodePurpose.unlock: "解除登录限制",
    CodePurpose.verify: "验证手机号",
}


class CodeState(enum.Enum):
    live = "live"
    used = "used"
    # Too many wrong tries; a new code must be asked for.
    spent = "spent"
    # A newer code for the same phone and purpose was sent.
    replaced = "replaced"

    @property
    def label(self):
        return STATE_LABELS[self]


STATE_LABELS = {
    CodeState.live: "未使用",
    CodeState.used: "已使用",
    CodeState.spent: "错误次数用尽",
    CodeState.replaced: "已被新验证码取代",
}


LIVE = "state = 'live'"


class SmsCode(db.Model):
    """One code sent by SMS. The rows are also the send records the limits
    count, so they hold across processes and restarts."""

    __tablename__ = "sms_codes"
    __table_args__ = (
        # One live code per phone and purpose: the database refuses a second.
        Index("ix_sms_codes_one_live", "phone", "purpose", unique=True,
              sqlite_where=text(LIVE), postgresql_where=text(LIVE)),
        Index("ix_sms_codes_phone_sent", "phone", "sent_at"),
        Index("ix_sms_codes_address_sent", "address", "sent_at"),
        Index("ix_sms_codes_device_sent", "device", "sent_at"),
        *checks(tries_not_negative="tries >= 0", expires_after_sent="expires_at > sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(11))
    purpose: Mapped[CodePurpose] = mapped_column(
        Enum(CodePurpose, native_enum=False, length=16, create_constraint=True, name="purpose"))
    # HMAC of phone, purpose and code under the site's secret key: a copy of
    # the table alone does not give the codes away.
    code_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[CodeState] = mapped_column(
        Enum(CodeState, native_enum=False, length=16, create_constraint=True, name="state"),
        default=CodeState.live)
    tries: Mapped[int] = mapped_column(default=0)
    address: Mapped[str] = mapped_column(String(45))
    # A digest of the device cookie (or of the user agent without one).
    device: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[datetime] = mapped_column(default=now)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class VerifiedPhone(db.Model):
    """A phone number its account proved to hold with an SMS code. One
    account per number: what the public vote counts on."""

    __tablename__ = "verified_phones"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    phone: Mapped[str] = mapped_column(String(11), unique=True)
    verified_at: Mapped[datetime] = mapped_column(default=now)

    user = relationship("User")


class TwoFactor(db.Model):
    """A TOTP secret for one account; enrolment is finished once confirmed."""

    __tablename__ = "two_factor_secrets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    secret: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=now)
    confirmed_at: Mapped[datetime | None]
    # The last 30-second step accepted: a code seen once is refused after.
    last_step: Mapped[int | None]

    user = relationship("User")

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None


class RecoveryCode(db.Model):
    """One-time codes for a lost authenticator: 80 random bits each, stored
    as a salted SHA-256 digest (codes.recovery_hash)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(96))
    created_at: Mapped[datetime] = mapped_column(default=now)
    used_at: Mapped[datetime | None]

