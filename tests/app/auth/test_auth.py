import pytest
from flask import session

from app.auth.models import Role, User
from app.auth.queries import find_by_login
from app.extensions import db


def register(client, login="13912345678", password="abc12345", password2=None, real_name=""):
    return client.post("/auth/register", data={
        "login": login, "password": password, "password2": password2 or password, "real_name": real_name})


def test_register_with_mobile_logs_in_and_hashes_the_password(client, app):
    response = register(client, "139 1234 5678", real_name="张三")
    assert response.status_code == 302
    user = find_by_login("13912345678")
    assert user is not None and user.role is Role.citizen and user.real_name == "张三"
    assert user.password_hash != "abc12345" and "abc12345" not in user.password_hash
    assert client.get("/ideas/mine").status_code == 200


def test_register_with_email(client):
    assert register(client, "Zhang.San@Example.COM").status_code == 302
    assert find_by_login("zhang.san@example.com") is not None


@pytest.mark.parametrize("login,password,password2,message", [
    ("", "abc12345", None, "请填写手机号或电子邮箱"),
    ("12345", "abc12345", None, "请输入有效的手机号码或电子邮箱"),
    ("not-an-email@", "abc12345", None, "请输入有效的手机号码或电子邮箱"),
    ("13912345678", "short1", None, "密码至少 8 位"),
    ("13912345678", "onlyletters", None, "密码须同时包含字母和数字"),
    ("13912345678", "abc12345", "abc12346", "两次输入的密码不一致"),
])
def test_register_bad_input_shows_the_message_and_keeps_the_login(client, login, password, password2, message):
    response = register(client, login, password, password2)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    if login:
        assert f'value="{login}"' in page
    assert db.session.query(User).count() == 0


def test_register_twice_with_the_same_login(client, make):
    make.user(login="13912345678")
    response = register(client, "13912345678")
    assert "该手机号或邮箱已注册" in response.get_data(as_text=True)
    assert db.session.query(User).count() == 1


def test_login_logout(client, auth, make):
    user = make.user(login="13900001111")
    response = auth.login("13900001111")
    assert response.status_code == 302
    with client:
        client.get("/")
        assert session["_user_id"] == str(user.id)
    assert auth.logout().status_code == 302
    with client:
        client.get("/")
        assert "_user_id" not in session


def test_login_wrong_password_and_unknown_account_say_the_same(client, auth, make):
    make.user(login="13900001111")
    wrong_password = auth.login("13900001111", "Wrong1234").get_data(as_text=True)
    unknown = auth.login("13900009999", "Wrong1234").get_data(as_text=True)
    assert "账号或密码错误" in wrong_password and "账号或密码错误" in unknown


def test_disabled_account_cannot_log_in(client, auth, make):
    user = make.user(login="13900001111")
    user.is_active = False
    db.session.commit()
    assert "账号或密码错误" in auth.login("13900001111").get_data(as_text=True)


def test_logout_requires_post(client, auth, make):
    make.user(login="13900001111")
    auth.login("13900001111")
    assert client.get("/auth/logout").status_code == 405


def test_login_redirects_only_to_local_pages(client, make):
    make.user(login="13900001111")
    data = {"login": "13900001111", "password": "Passw0rd!"}
    response = client.post("/auth/login?next=https://evil.example/x", data=data)
    assert response.headers["Location"] == "/"
    client.post("/auth/logout")
    response = client.post("/auth/login?next=/ideas/mine", data=data)
    assert response.headers["Location"] == "/ideas/mine"


def test_change_password(client, auth, make):
    make.user(login="13900001111")
    auth.login("13900001111")
    bad = client.post("/auth/password", data={"current_password": "nope1234", "password": "NewPass123",
                                              "password2": "NewPass123"})
    assert "当前密码不正确" in bad.get_data(as_text=True)
    ok = client.post("/auth/password", data={"current_password": "Passw0rd!", "password": "NewPass123",
                                             "password2": "NewPass123"})
    assert ok.status_code == 302
    auth.logout()
    assert auth.login("13900001111", "NewPass123").status_code == 302


def test_users_create_command(runner, app):
    result = runner.invoke(args=["users", "create", "--login", "admin@example.com", "--password", "Admin1234",
                                 "--role", "admin", "--name", "管理员"])
    assert result.exit_code == 0, result.output
    assert find_by_login("admin@example.com").role is Role.admin


def test_users_create_command_requires_reviewer_unit(runner, app):
    result = runner.invoke(args=["users", "create", "--login", "r@example.com", "--password", "Review1234",
                                 "--role", "reviewer"])
    assert result.exit_code != 0
    assert "--work-unit" in result.output
    assert find_by_login("r@example.com") is None
