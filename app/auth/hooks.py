"""What the auth pages need from app.identity (SMS codes, the second factor).
app.identity imports app.auth, so the auth views reach it through the app
instead: the identity blueprint registers these when it is set up."""
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

KEY = "auth_identity_hooks"


@dataclass(frozen=True)
class IdentityHooks:
    # (phone, code, password, real_name, consent_version) -> the new user; raises Refused
    # (app.identity.services.CodeRefused, whose field is "code", for a wrong code).
    register_by_code: Callable
    # (user, remember, next_url) -> the response that ends a sign-in.
    complete_login: Callable


def identity():
    return current_app.extensions[KEY]
