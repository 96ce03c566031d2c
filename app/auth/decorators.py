"""Role checks for views: anonymous users go to the login page, signed-in
users without the role get 403."""
from functools import wraps

from flask import abort
from flask_login import current_user

from app.auth.models import Role
from app.extensions import login_manager


def roles_required(*roles):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


citizen_required = roles_required(Role.citizen)
staff_required = roles_required(Role.staff, Role.admin)
admin_required = roles_required(Role.admin)
