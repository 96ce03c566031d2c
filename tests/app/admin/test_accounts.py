"""The admin's account tools: edit, reset a password two ways, disable; each
in the hash-chained log, by name and without the secrets."""
import logging
import re

from sqlalchemy import select

from app.audit.models import ActionLog
from app.audit.queries import first_broken_link
from app.auth.models import Role
from app.extensions import db
from app.identity import sms
from tests.factories import PASSWORD


def last_action():
    return db.session.execute(select(ActionLog).order_by(ActionLog.id.desc()).limit(1)).scalar_one()


def as_admin(client, auth, make):
    admin = make.user(Role.admin, login="admin@example.com")
    auth.login(admin)
    return admin


def test_the_admin_edits_name_role_region_and_unit(client, auth, make):
    as_admin(client, auth, make)
    user = make.user(Role.staff, login="13911112222")
    assert "13911112222" in client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    refused = client.post(f"/admin/users/{user.id}", data={"real_name": "王五", "role": "reviewer",
                                                           "region": "", "work_unit": ""})
    assert "评审专家须填写所在地区和工作单位" in refused.get_data(as_text=True)
    done = client.post(f"/admin/users/{user.id}", data={"real_name": "王五", "role": "reviewer",
                                                        "region": "长沙市", "work_unit": "湖南大学"})
    assert done.status_code == 302
    db.session.refresh(user)
    assert ((user.real_name, user.role, user.region, user.work_unit)
            == ("王五", Role.reviewer, "长沙市", "湖南大学"))
    logged = last_action()
    assert logged.action == "user.update" and logged.label == "修改账号资料"
    assert set(logged.details["fields"]) == {"real_name", "role", "region", "work_unit"}
    assert "王五" not in str(logged.details)


def test_an_admin_keeps_their_own_role(client, auth, make):
    admin = as_admin(client, auth, make)
    page = client.post(f"/admin/users/{admin.id}", data={"real_name": "", "role": "staff", "region": "",
                                                         "work_unit": ""}).get_data(as_text=True)
    assert "不能修改自己的角色" in page
    db.session.refresh(admin)
    assert admin.role is Role.admin


def test_a_temporary_password_is_shown_once_and_ends_the_sessions(app_with, client, auth, make):
    as_admin(client, auth, make)
    user = make.user(login="13911113333")
    elsewhere = app_with().test_client()
    elsewhere.post("/auth/login", data={"login": "13911113333", "password": PASSWORD})
    response = client.post(f"/admin/users/{user.id}/password", data={"method": "temporary"})
    assert response.headers["Cache-Control"] == "no-store"
    password = re.search(r'<code class="temporary-password">([^<]+)</code>',
                         response.get_data(as_text=True)).group(1)
    assert elsewhere.get("/ideas/mine").status_code == 302
    assert elsewhere.post("/auth/login",
                          data={"login": "13911113333", "password": password}).status_code == 302
    logged = last_action()
    assert logged.action == "user.password_temporary" and password not in str(logged.details)
    assert first_broken_link() is None


def test_an_sms_reset_leaves_the_password_to_its_owner(client, auth, make, caplog):
    caplog.set_level(logging.WARNING, logger=sms.__name__)
    as_admin(client, auth, make)
    user = make.user(login="13911114444")
    answer = client.post(f"/admin/users/{user.id}/password", data={"method": "sms"}, follow_redirects=True)
    assert "重置密码的验证码已发到 139****4444" in answer.get_data(as_text=True)
    assert last_action().action == "user.password_reset_sent"
    code = next(r.args[2] for r in caplog.records if r.name == sms.__name__ and r.args[0] == "13911114444")
    owner = client.application.test_client()
    assert owner.post("/identity/reset", data={"phone": "13911114444", "code": code,
                                               "password": "xiang-spring-rain",
                                               "password2": "xiang-spring-rain"}).status_code == 302
    email = make.user(Role.staff, login="staff@example.com")
    refused = client.post(f"/admin/users/{email.id}/password", data={"method": "sms"}, follow_redirects=True)
    assert "该账号没有手机号" in refused.get_data(as_text=True)
    assert "请选择重置方式" in client.post(f"/admin/users/{email.id}/password", follow_redirects=True
                                       ).get_data(as_text=True)


def test_the_log_page_names_the_new_actions(client, auth, make):
    as_admin(client, auth, make)
    user = make.user(login="13911115555")
    client.post(f"/admin/users/{user.id}/password", data={"method": "temporary"})
    client.post(f"/admin/users/{user.id}/active")
    page = client.get("/admin/log").get_data(as_text=True)
    assert "管理员设置临时密码" in page and "停用账号" in page
