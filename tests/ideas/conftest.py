import pytest

from app.auth.models import Role


@pytest.fixture
def staff(make, auth):
    """A signed-in member of staff, in a current campaign."""
    make.campaign()
    user = make.user(Role.staff, login="staff@example.com", real_name="李干事")
    auth.login(user)
    return user
