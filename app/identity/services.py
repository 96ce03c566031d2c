"""Identity changes: SMS codes, reset and sign-in by code, verified phones,
two-factor enrolment. Functions flush; the caller commits.

A refused code check still counts the try, so callers commit after a
``CodeRefused`` too (every function here raises before it writes anything
else, so committing after any ``Refused`` is safe)."""
import hmac
import math
import zlib
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from limits import parse as parse_limit
from sqlalchemy import delete, text, update

from app.audit.services import log_action
from app.auth.models import Role, mask_phone
from app.auth.queries import find_by_login
from app.auth.services import register_citizen, set_password
from app.errors import Refused
from app.extensions import db
from app.identity import codes, queries, totp
from app.identity.models import CodePurpose, CodeState, RecoveryCode, SmsCode, TwoFactor, VerifiedPhone
from app.identity.sms import SmsDeliveryError
from app.locks import lock_row
from app.timeutil import now as clock
from app.validators import MainlandMobile, normalize_mobile

TWO_FACTOR_ROLES = (Role.reviewer, Role.staff, Role.admin)


class CodeRefused(Refused):
    """The code typed was not accepted; the message belongs at the code field."""

    field = "code"


class SendRefused(Refused):
    def __init__(self, message, retry_after=None):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class SentCode:
    phone: str
    minutes: int
    retry_after: int
    # Set by the console provider only: what the 开发模式 banner shows.
    shown_code: str | None

    @property
    def message(self):
        # The same words whether or not the number has an account.
        return f"验证码已发送至 {mask_phone(self.phone)}，{self.minutes} 分钟内有效。"


def _phone(value):
    phone = normalize_mobile(value)
    if phone is None:
        raise Refused(MainlandMobile.message)
    return phone


def _purpose(value):
    try:
        return value if isinstance(value, CodePurpose) else CodePurpose(value)
    except ValueError:
        raise Refused("无效的验证码用途") from None


def _wait_text(seconds):
    return f"{seconds} 秒" if seconds < 60 else f"{math.ceil(seconds / 60)} 分钟"


def _lock_phone(phone):
    """Serialise sends to one phone, so the cooldown and the one-live-code
    rule hold under concurrent requests."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(727002, :key)"),
                           {"key": zlib.crc32(phone.encode()) - 2 ** 31})
    else:
        # A write, even of nothing, takes SQLite's database-wide write lock until the commit.
        db.session.execute(text("UPDATE sms_codes SET tries = tries WHERE phone = :phone AND state = 'live'"),
                           {"phone": phone})


def _check_send_limits(phone, address, device, now):
    config = current_app.config
    last = queries.last_send_at(phone)
    cooldown = config["SMS_COOLDOWN_SECONDS"]
    if last is not None and (now - last).total_seconds() < cooldown:
        wait = math.ceil(cooldown - (now - last).total_seconds())
        raise SendRefused(f"验证码已发送，请 {wait} 秒后再重新获取", wait)
    for column, value, key, who in ((SmsCode.phone, phone, "SMS_LIMIT_PER_PHONE", "该手机号"),
                                    (SmsCode.address, address, "SMS_LIMIT_PER_ADDRESS", "当前网络"),
                                    (SmsCode.device, device, "SMS_LIMIT_PER_DEVICE", "这台设备")):
        limit = parse_limit(config[key])
        window = timedelta(seconds=limit.get_expiry())
        count, oldest = queries.sends_since(column, value, now - window)
        if count >= limit.amount:
            wait = max(1, math.ceil((oldest + window - now).total_seconds()))
            raise SendRefused(f"{who}获取验证码次数过多，请 {_wait_text(wait)}后再试", wait)


def send_code(phone, purpose, address, device, now=None):
    """Send a new code for ``purpose`` to ``phone``; any older live code for the
    same purpose stops working. Whether the number has an account is never
    looked at: the answer and the work are the same either way, and only the
    holder of the phone learns more (from the code itself)."""
    phone, purpose, now = _phone(phone), _purpose(purpose), now or clock()
    address, device = (address or "")[:45], (device or "")[:32]
    _lock_phone(phone)
    _check_send_limits(phone, address, device, now)
    db.session.execute(update(SmsCode).where(SmsCode.phone == phone, SmsCode.purpose == purpose,
                                             SmsCode.state == CodeState.live)
                       .values(state=CodeState.replaced).execution_options(synchronize_session=False))
    code = codes.new_sms_code()
    minutes = current_app.config["SMS_CODE_MINUTES"]
    db.session.add(SmsCode(phone=phone, purpose=purpose, address=address, device=device, sent_at=now,
                           expires_at=now + timedelta(minutes=minutes),
                           code_hash=codes.sms_code_hash(current_app.config["SECRET_KEY"], phone,
                                                         purpose, code)))
    db.session.flush()
    try:
        shown = current_app.extensions["identity_sms"].send(phone, code, purpose, minutes)
    except SmsDeliveryError:
        raise Refused("短信发送失败，请稍后再试") from None
    return SentCode(phone, minutes, current_app.config["SMS_COOLDOWN_SECONDS"], shown)


def check_code(phone, purpose, code, now=None):
    """Accept the live code for this phone and purpose once; return its row.
    A wrong code uses up one of the tries (commit after ``CodeRefused``)."""
    phone, purpose, now = _phone(phone), _purpose(purpose), now or clock()
    typed = codes.clean_typed(code)
    if not codes.is_sms_code(typed):
        raise CodeRefused("请输入 6 位数字验证码")
    row = queries.latest_code(phone, purpose)
    if row is None:
        raise CodeRefused("请先获取验证码")
    # Two guesses at once must not both see the same number of tries left.
    lock_row(SmsCode, row.id)
    db.session.refresh(row)
    if row.state is CodeState.used:
        raise CodeRefused("该验证码已使用，请重新获取")
    if row.state is CodeState.spent:
        raise CodeRefused("验证码错误次数已用尽，请重新获取")
    if now >= row.expires_at:
        raise CodeRefused("验证码已过期，请重新获取")
    expected = codes.sms_code_hash(current_app.config["SECRET_KEY"], phone, purpose, typed)
    if not hmac.compare_digest(row.code_hash, expected):
        row.tries += 1
        left = current_app.config["SMS_CODE_TRIES"] - row.tries
        if left <= 0:
            row.state = CodeState.spent
        db.session.flush()
        raise CodeRefused(f"验证码错误，还可再试 {left} 次" if left > 0
                          else "验证码错误次数已用尽，请重新获取")
    row.state, row.used_at = CodeState.used, now
    db.session.flush()
    return row


def _account_for(phone):
    user = find_by_login(phone)
    if user is None:
        # Only the holder of the phone, who just typed its code, reads this.
        raise Refused("该手机号尚未注册账号")
    if not user.is_active:
        raise Refused("该账号已停用，请联系工作人员")
    return user


def mark_phone_verified(user, phone, now=None):
    """Record that ``user`` proved ``phone`` with a code (checked by the caller)."""
    phone = _phone(phone)
    if user.mobile and user.mobile != phone:
        raise Refused("请验证注册时使用的手机号")
    holder = find_by_login(phone)
    if (holder is not None and holder.id != user.id) or queries.phone_holder(phone) not in (None, user.id):
        raise Refused("该手机号已被其他账号使用")
    record = db.session.get(VerifiedPhone, user.id)
    if record is None:
        record = VerifiedPhone(user_id=user.id)
        db.session.add(record)
    record.phone, record.verified_at = phone, now or clock()
    db.session.flush()
    log_action(user, "user.phone_verified", user)
    return record


def verify_phone(user, phone, code, now=None):
    row = check_code(phone, CodePurpose.verify, code, now)
    return mark_phone_verified(user, row.phone, now)


def _note_verified(user, phone, now):
    # A reset or sign-in by code proves the login number too.
    if queries.verified_phone(user) != phone and queries.phone_holder(phone) is None:
        mark_phone_verified(user, phone, now)


def register_by_code(phone, code, password, real_name=None, consent_version=None, now=None):
    """A citizen account for a phone whose register code was typed, its number
    verified. Only the holder of the phone, who has the code, learns that the
    number already has an account."""
    row = check_code(phone, CodePurpose.register, code, now)
    user = (register_citizen(row.phone, password, real_name=real_name, consent_version=consent_version)
            if queries.phone_holder(row.phone) is None else None)
    if user is None:
        raise Refused("该手机号已注册，请直接登录或找回密码")
    mark_phone_verified(user, row.phone, now)
    return user


def reset_password(phone, code, new_password, now=None):
    row = check_code(phone, CodePurpose.reset, code, now)
    user = _account_for(row.phone)
    # Whoever knew the old password is signed out too.
    set_password(user, new_password)
    db.session.flush()
    log_action(user, "user.password_reset", user, method="sms")
    _note_verified(user, row.phone, now)
    return user


def sign_in_with_code(phone, code, purpose=CodePurpose.login, now=None):
    """The account behind a phone whose code was typed: SMS sign-in, and the
    unlock code that lets a throttled account in without its password."""
    row = check_code(phone, purpose, code, now)
    user = _account_for(row.phone)
    log_action(user, "user.login", user, method="sms" if purpose is CodePurpose.login else purpose.value)
    _note_verified(user, row.phone, now)
    return user


# --- two-factor sign-in -------------------------------------------------------

def needs_second_factor(user):
    """True when this account must give a TOTP or recovery code after its password."""
    record = queries.two_factor(user)
    return record is not None and record.is_confirmed


def must_enrol(user):
    """True when the site requires two-factor for this role and the account has none yet."""
    config = current_app.config
    return (config["TWO_FACTOR_REQUIRED"] and user.role.value in config["TWO_FACTOR_REQUIRED_ROLES"]
            and not needs_second_factor(user))


def may_enrol(user):
    return user.role in TWO_FACTOR_ROLES


def start_enrolment(user):
    """A new, unconfirmed secret for ``user`` (replacing an unconfirmed one)."""
    if not may_enrol(user):
        raise Refused("只有工作人员、评审专家和管理员可以设置两步验证")
    record = queries.two_factor(user)
    if record is not None and record.is_confirmed:
        raise Refused("两步验证已启用")
    if record is None:
        record = TwoFactor(user_id=user.id)
        db.session.add(record)
    record.secret, record.created_at = totp.new_secret(), clock()
    db.session.flush()
    return record


def _accept_totp(record, code, at):
    """Take a TOTP code once: a code already used (or an older one) is refused."""
    lock_row(TwoFactor, record.id)
    db.session.refresh(record)
    typed = codes.clean_typed(code)
    step = totp.matching_step(record.secret, typed, at) if codes.is_sms_code(typed) else None
    if step is None:
        raise CodeRefused("验证码不正确，请核对手机时间后输入验证器上当前显示的 6 位数字")
    if record.last_step is not None and step <= record.last_step:
        # ASVS 2.8.5: a reused code is refused and logged (it may have been seen over a shoulder).
        current_app.logger.warning("两步验证码重复使用，已拒绝：账号 %s", record.user_id)
        raise CodeRefused("该验证码已用过，请等验证器显示下一个验证码")
    record.last_step = step
    db.session.flush()


def _new_recovery_codes(user):
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    plain = codes.new_recovery_codes()
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=codes.recovery_hash(code)) for code in plain)
    db.session.flush()
    return plain


def confirm_enrolment(user, code, at=None):
    """Finish enrolment with a first code from the authenticator; return the
    ten recovery codes, shown once and never stored in the clear."""
    record = queries.two_factor(user)
    if record is None or record.is_confirmed:
        raise Refused("请先开始设置两步验证")
    _accept_totp(record, code, at)
    record.confirmed_at = clock()
    plain = _new_recovery_codes(user)
    log_action(user, "user.2fa_enable", user)
    return plain


def regenerate_recovery_codes(user, code, at=None):
    """New recovery codes (the old ones stop working), against a current TOTP code."""
    record = queries.two_factor(user)
    if record is None or not record.is_confirmed:
        raise Refused("尚未启用两步验证")
    _accept_totp(record, code, at)
    plain = _new_recovery_codes(user)
    log_action(user, "user.2fa_recovery_codes", user)
    return plain


def verify_second_factor(user, code, at=None):
    """Check the second step of a sign-in: a TOTP code, or one recovery code
    (used up). Returns "totp" or "recovery"."""
    record = queries.two_factor(user)
    if record is None or not record.is_confirmed:
        raise Refused("该账号未启用两步验证")
    if codes.is_sms_code(codes.clean_typed(code)):
        _accept_totp(record, code, at)
        return "totp"
    spare = next((row for row in queries.unused_recovery_codes(user)
                  if codes.recovery_matches(row.code_hash, code)), None)
    if spare is None:
        raise CodeRefused("验证码或恢复码不正确")
    lock_row(RecoveryCode, spare.id)
    db.session.refresh(spare)
    if spare.used_at is not None:
        raise CodeRefused("该恢复码已使用")
    spare.used_at = clock()
    db.session.flush()
    log_action(user, "user.2fa_recovery_used", user, left=queries.recovery_codes_left(user))
    return "recovery"


def reset_two_factor(actor, user, reason):
    """An admin removes an account's two-factor (lost phone); the reason goes
    into the hash-chained log. ``actor`` None: the ``flask identity`` command."""
    reason = (reason or "").strip()
    if not reason:
        raise Refused("请填写重置原因")
    if actor is not None and actor.id == user.id:
        raise Refused("不能重置自己的两步验证，请由另一位管理员操作")
    record = queries.two_factor(user)
    if record is None:
        raise Refused("该账号未设置两步验证")
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.delete(record)
    db.session.flush()
    log_action(actor, "user.2fa_reset", user, reason=reason)
