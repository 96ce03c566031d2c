"""Making, reading and hashing the codes people type."""
import hashlib
import hmac
import re
import secrets
import unicodedata

CODE_DIGITS = 6
RECOVERY_COUNT = 10
# Crockford-style alphabet: no I, L, O, U, so codes read aloud or copied by
# hand are not misread; 16 symbols of 32 is 80 random bits.
RECOVERY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECOVERY_LENGTH = 16


def new_sms_code():
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def clean_typed(value):
    """What a person typed, as plain ASCII without separators: full-width
    digits from a Chinese input method count, spaces and dashes do not."""
    value = unicodedata.normalize("NFKC", value or "")
    return re.sub(r"[\s\-]", "", value).upper()


def is_sms_code(value):
    return len(value) == CODE_DIGITS and value.isascii() and value.isdigit()


def sms_code_hash(secret_key, phone, purpose, code):
    message = f"{phone}:{purpose.value}:{code}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def new_recovery_codes(count=RECOVERY_COUNT):
    return [format_recovery(
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))) for _ in range(count)]


def format_recovery(raw):
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def recovery_hash(code, salt=None):
    """``salt$digest`` of a recovery code however it was typed (case, dashes,
    spaces): SHA-256 over a random 64-bit salt and the code, as ASVS 2.6.2 asks
    for look-up secrets under 112 bits."""
    salt = salt or secrets.token_hex(8)
    return f"{salt}${hashlib.sha256((salt + clean_typed(code)).encode()).hexdigest()}"


def recovery_matches(stored, code):
    salt, _, _ = stored.partition("$")
    return hmac.compare_digest(stored, recovery_hash(code, salt))
