"""长辈版 (the MIIT 适老化 large-text mode): text from 18 pt up to 30 pt, touch targets
of 60 px, one column. A cookie remembers the choice without an account, and plain
links change it, so it works without JavaScript."""
from types import SimpleNamespace

from flask import current_app, request

COOKIE = "display"
# Root font sizes in px, 18 pt (24 px) to 30 pt (40 px); 1 pt = 4/3 px.
ELDER_SIZES = (24, 28, 32, 36, 40)
CHOICES = ("elder", "standard", "bigger", "smaller")
ONE_YEAR = 365 * 24 * 3600


def _step(value):
    """The 长辈版 size step (1 … 5) a cookie value names, 0 for the standard page."""
    name, _, step = (value or "").partition("-")
    if name == "elder" and step.isdigit() and 1 <= int(step) <= len(ELDER_SIZES):
        return int(step)
    return 0


def current():
    step = _step(request.cookies.get(COOKIE))
    return SimpleNamespace(elder=bool(step), step=step, steps=len(ELDER_SIZES),
                           size_pt=ELDER_SIZES[step - 1] * 3 // 4 if step else None,
                           can_grow=0 < step < len(ELDER_SIZES), can_shrink=step > 1)


def cache_key():
    """What of the display the page cache must tell apart: one rendering per size."""
    return str(_step(request.cookies.get(COOKIE)))


def remember(response, choice):
    """Sets the cookie for ``choice`` (one of CHOICES; anything else changes nothing)."""
    step = _step(request.cookies.get(COOKIE))
    steps = {"elder": step or 1, "standard": 0, "bigger": min(max(step, 1) + 1, len(ELDER_SIZES)),
             "smaller": max(step - 1, 1) if step else 0}
    if choice not in steps:
        return response
    value = f"elder-{steps[choice]}" if steps[choice] else "standard"
    response.set_cookie(COOKIE, value, max_age=ONE_YEAR, samesite="Lax", httponly=True,
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response
