import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.states import enum_column
from app.timeutil import now


class Role(enum.Enum):
    citizen = "citizen"
    reviewer = "reviewer"
    staff = "staff"
    admin = "admin"

    @property
    def label(self):
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.citizen: "群众",
    Role.reviewer: "评审专家",
    Role.staff: "工作人员",
    Role.admin: "管理员",
}


# What a deleted account's ideas and objections show where a name would be.
DELETED_NAME = "已注销用户"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        # A deleted account (app.privacy) keeps its row, for the ideas and votes pointing at it,
        # without a login.
        CheckConstraint("mobile IS NOT NULL OR email IS NOT NULL OR deleted_at IS NOT NULL",
                        name="has_login"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mobile: Mapped[str | None] = mapped_column(String(11), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    real_name: Mapped[str | None] = mapped_column(String(40))
    # Indexed: a round page looks for its few reviewers among a province of citizens.
    role: Mapped[Role] = mapped_column(
        enum_column(Role, "role", length=16),
        default=Role.citizen, index=True,
    )
    # Reviewers only: used to keep them away from ideas of their own region/unit.
    region: Mapped[str | None] = mapped_column(String(20))
    work_unit: Mapped[str | None] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(default=True)
    # Part of every session and remember cookie (see get_id): raising it on
    # logout, password change or disabling ends all of them at once.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(default=now)
    # The privacy policy (app/auth/privacy.py) the citizen agreed to at registration, and when.
    consent_version: Mapped[str | None] = mapped_column(String(20))
    consent_at: Mapped[datetime | None]
    # Set when the account is deleted: its personal fields are erased, the row stays.
    deleted_at: Mapped[datetime | None]
    # The last sign-in, by any method: what ``flask users purge-inactive`` counts from.
    last_login_at: Mapped[datetime | None]
    # Days before deletion of the last inactivity notice sent (30, then 7); cleared at sign-in.
    inactivity_notice: Mapped[int | None]
    inactivity_notice_at: Mapped[datetime | None]
    # An admin set a temporary password: the next sign-in must choose a new one first.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    # A fresh random value per login, so no two remember cookies are alike.
    login_nonce = ""

    def get_id(self):
        return f"{self.id}.{self.session_version}.{self.login_nonce}"

    @property
    def login_name(self):
        if self.deleted_at is not None:
            return f"{DELETED_NAME}（编号 {self.id}）"
        return self.mobile or self.email

    @property
    def display_name(self):
        if self.deleted_at is not None:
            return DELETED_NAME
        return self.real_name or mask_login(self.login_name)

    @property
    def is_staff(self):
        return self.role in (Role.staff, Role.admin)

    def has_role(self, *roles):
        return self.role in roles

    def can_submit_ideas(self):
        return self.role is Role.citizen

    def __repr__(self):
        return f"<User {self.id} {self.role.value}>"


class UserSession(db.Model):
    """One signed-in browser, for the idle time-out, the absolute lifetime and
    the account's list of its sessions. Only a digest of the session's random
    nonce is kept: the table cannot be turned back into cookies."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    nonce_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    last_seen_at: Mapped[datetime] = mapped_column(default=now)
    # Enough to tell one's own devices apart ("Android · 微信"), no more.
    device: Mapped[str] = mapped_column(String(40))
    address: Mapped[str] = mapped_column(String(45))
    ended_at: Mapped[datetime | None]


class LoginFailure(db.Model):
    """Wrong passwords in a row for one login name, known account or not (so
    the wait it causes tells nobody whether the account exists). Keyed by a
    digest of the login, not the login itself."""

    __tablename__ = "login_failures"

    login_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int]
    last_failed_at: Mapped[datetime]


def mask_login(login):
    """138****1234 for a mobile, z***@example.com for an e-mail."""
    if not login:
        return ""
    if "@" in login:
        local, _, domain = login.partition("@")
        return f"{local[:1]}***@{domain}"
    return mask_phone(login)


def mask_phone(phone):
    if not phone or len(phone) < 7:
        return phone or ""
    return f"{phone[:3]}****{phone[-4:]}"
