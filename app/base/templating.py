"""Jinja filters and globals shared by every package's templates."""
from flask_login import current_user

from app.auth.models import mask_phone
from app import display


def display_phone(phone):
    """Full number for staff, masked (138****1234) for everyone else."""
    if current_user.is_authenticated and current_user.is_staff:
        return phone or ""
    return mask_phone(phone)


def format_datetime(value, fmt="%Y-%m-%d %H:%M"):
    return value.strftime(fmt) if value else ""


def init_app(app):
    app.jinja_env.filters["mask_phone"] = mask_phone
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.globals["display_phone"] = display_phone
    app.jinja_env.globals["display_mode"] = display.current
