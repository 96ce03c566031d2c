"""TOTP (RFC 6238) with pyotp, and the enrolment QR code as inline SVG.

Time is Unix seconds throughout: pyotp's datetime arguments go through
``time.mktime`` and so through the server's own time zone."""
import hmac
import time

import pyotp
import segno
from markupsafe import Markup

STEP_SECONDS = 30
# One step either side: a phone clock 30 s off, or a code typed as it turns.
WINDOW = 1


def new_secret():
    return pyotp.random_base32()


def provisioning_uri(secret, account, issuer):
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_svg(uri):
    # Attributes only (no style attribute), so the site's CSP lets it through.
    return Markup(segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff",
                                                        title="两步验证二维码"))


def grouped(secret):
    """The secret in groups of four, for typing it in by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def current_step(at=None):
    return int((time.time() if at is None else at) // STEP_SECONDS)


def code_at(secret, step):
    return pyotp.TOTP(secret).generate_otp(step)


def matching_step(secret, code, at=None):
    """The time step whose code this is (within the window), or None."""
    now_step = current_step(at)
    for step in range(now_step - WINDOW, now_step + WINDOW + 1):
        if hmac.compare_digest(code_at(secret, step), code):
            return step
    return None
