from datetime import datetime

from sqlalchemy import select

from app.audit.models import ActionLog
from app.auth.models import Role
from app.auth.queries import find_by_login
from app.campaigns.models import Campaign
from app.campaigns.queries import current_campaign
from app.extensions import db


def login_admin(make, auth):
    admin = make.user(Role.admin, login="admin@example.com")
    auth.login(admin)
    return admin


def account(role, login, **extra):
    return {"role": role, "login": login, "real_name": "评审专家甲", "password": "lotus-pond-7",
            "password2": "lotus-pond-7", "region": "", "work_unit": "", **extra}


def test_admin_creates_staff_and_reviewer_accounts(client, make, auth):
    admin = login_admin(make, auth)
    assert client.post("/admin/users", data=account("staff", "staff2@example.com")).status_code == 302
    assert find_by_login("staff2@example.com").role is Role.staff
    response = client.post("/admin/users", data=account("reviewer", "r1@example.com"))
    page = response.get_data(as_text=True)
    assert "评审专家须填写所在地区" in page and "评审专家须填写工作单位" in page
    assert find_by_login("r1@example.com") is None
    client.post("/admin/users",
                data=account("reviewer", "r1@example.com", region="岳阳市", work_unit="岳阳某研究院"))
    reviewer = find_by_login("r1@example.com")
    assert (reviewer.role, reviewer.region, reviewer.work_unit) == (Role.reviewer, "岳阳市", "岳阳某研究院")
    entry = db.session.scalars(select(ActionLog).where(ActionLog.action == "user.create")).all()[-1]
    assert entry.actor_id == admin.id and entry.target_id == reviewer.id


def test_admin_cannot_create_a_citizen_or_unknown_role(client, make, auth):
    login_admin(make, auth)
    response = client.post("/admin/users", data=account("citizen", "c@example.com"))
    assert response.status_code == 200 and find_by_login("c@example.com") is None


def test_admin_disables_an_account(client, make, auth):
    login_admin(make, auth)
    user = make.user()
    client.post(f"/admin/users/{user.id}/active")
    db.session.expire_all()
    assert user.is_active is False
    client.post(f"/admin/users/{user.id}/active")
    db.session.expire_all()
    assert user.is_active is True


def test_admin_edits_the_campaign_window(client, make, auth):
    login_admin(make, auth)
    campaign = make.campaign()
    data = {"title": "献策湖南 · 金点子征集（改）", "description": "新的介绍",
            "submit_opens_at": "2024-02-05T09:00", "submit_closes_at": "2024-02-01T09:00"}
    response = client.post(f"/admin/campaigns/{campaign.id}", data=data)
    assert "截止时间必须晚于开始时间" in response.get_data(as_text=True)
    data["submit_closes_at"] = "2024-03-31T18:00"
    assert client.post(f"/admin/campaigns/{campaign.id}", data=data).status_code == 302
    db.session.expire_all()
    assert campaign.title.endswith("（改）")
    assert campaign.submit_closes_at == datetime(2024, 3, 31, 18, 0)
    assert not campaign.is_open()


def test_admin_edits_a_theme(client, make, auth):
    login_admin(make, auth)
    theme = make.campaign().themes[2]
    client.post(f"/admin/themes/{theme.id}", data={"name": "园区体制改革", "description": "说明",
                                                  "keywords": "园区，管委会, 政区分设"})
    db.session.expire_all()
    assert theme.name == "园区体制改革" and theme.keyword_list == ["园区", "管委会", "政区分设"]
    assert "园区体制改革" in client.get("/").get_data(as_text=True)


def test_admin_creates_a_campaign_and_switches_the_current_one(client, make, auth):
    login_admin(make, auth)
    old = make.campaign(year=2024)
    data = {"year": 2025, "title": "献策湖南 · 金点子征集（2025）", "description": "",
            "submit_opens_at": "2025-02-01T09:00", "submit_closes_at": "2025-03-31T18:00"}
    assert client.post("/admin/campaigns", data=data).status_code == 302
    assert "已存在" in client.post("/admin/campaigns", data=data).get_data(as_text=True)
    new = db.session.scalar(select(Campaign).where(Campaign.year == 2025))
    assert len(new.themes) == 11 and current_campaign().id == old.id
    client.post(f"/admin/campaigns/{new.id}/current")
    db.session.expire_all()
    assert current_campaign().id == new.id and not old.is_current
