import pytest

from app.auth.models import Role


@pytest.fixture
def staff(make, auth):
    """A campaign and a member of staff, signed in."""
    make.campaign()
    user = make.user(Role.staff, login="staff@example.com")
    auth.login(user)
    return user
