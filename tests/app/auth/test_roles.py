"""Every staff and admin page against every role: 403 for the wrong role,
the login page for anonymous visitors, never a 200 or a 500 to outsiders."""
import pytest

from app.auth.models import Role
from ideas.models import IdeaStatus

STAFF = {Role.staff, Role.admin}
ADMIN = {Role.admin}


@pytest.fixture
def world(make):
    campaign = make.campaign()
    idea = make.idea()
    target = make.user(Role.reviewer)
    return {"campaign": campaign.id, "idea": idea.id, "theme": campaign.themes[0].id, "user": target.id}


PAGES = [
    ("GET", "/ideas/screening", STAFF),
    ("GET", "/ideas/export.csv", STAFF),
    ("GET", "/ideas/export.xlsx", STAFF),
    ("POST", "/ideas/{idea}/accept", STAFF),
    ("POST", "/ideas/{idea}/reject", STAFF),
    ("POST", "/ideas/{idea}/merge", STAFF),
    ("POST", "/ideas/screening/bulk", STAFF),
    ("GET", "/admin/", ADMIN),
    ("GET", "/admin/users", ADMIN),
    ("POST", "/admin/users", ADMIN),
    ("POST", "/admin/users/{user}/active", ADMIN),
    ("GET", "/admin/campaigns", ADMIN),
    ("POST", "/admin/campaigns", ADMIN),
    ("GET", "/admin/campaigns/{campaign}", ADMIN),
    ("POST", "/admin/campaigns/{campaign}", ADMIN),
    ("POST", "/admin/campaigns/{campaign}/current", ADMIN),
    ("GET", "/admin/themes/{theme}", ADMIN),
    ("POST", "/admin/themes/{theme}", ADMIN),
    ("GET", "/admin/log", ADMIN),
]


@pytest.mark.parametrize("method,path,allowed", PAGES, ids=[f"{m} {p}" for m, p, _ in PAGES])
@pytest.mark.parametrize("role", [None, *Role], ids=["anonymous", *(r.value for r in Role)])
def test_role_matrix(client, make, auth, world, method, path, allowed, role):
    if role is not None:
        auth.login(make.user(role))
    response = client.open(path.format(**world), method=method)
    if role is None:
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    elif role in allowed:
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 403
        assert "没有权限" in response.get_data(as_text=True)


def test_citizen_pages_refuse_other_roles(client, make, auth, world):
    for role in (Role.reviewer, Role.staff, Role.admin):
        auth.login(make.user(role))
        for path in ("/ideas/new", "/ideas/mine", f"/ideas/{world['idea']}/edit"):
            assert client.get(path).status_code == 403, (role, path)
        auth.logout()


def test_idea_page_is_for_its_author_and_staff_only(client, make, auth, world):
    author = make.user()
    idea = make.idea(author=author, status=IdeaStatus.submitted)
    expectations = [(author, 200), (make.user(), 404), (make.user(Role.reviewer), 404),
                    (make.user(Role.staff), 200), (make.user(Role.admin), 200)]
    for user, status in expectations:
        auth.login(user)
        assert client.get(f"/ideas/{idea.id}").status_code == status, user.role
        auth.logout()
    assert client.get(f"/ideas/{idea.id}").status_code == 302
