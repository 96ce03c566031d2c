"""The rule most staff pages share, checked the same way everywhere."""
from app.auth.models import Role


def assert_staff_only(client, auth, make, *urls):
    """Visitors are sent to sign in; citizens and reviewers get 403; staff and admins get the page."""
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], url
    for role, expected in ((Role.citizen, 403), (Role.reviewer, 403), (Role.staff, 200), (Role.admin, 200)):
        auth.login(make.user(role))
        for url in urls:
            assert client.get(url).status_code == expected, (role, url)
        auth.logout()
