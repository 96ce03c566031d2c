"""我的数据: a copy of everything about the account, as a JSON file and a page."""
import json

from app.extensions import db
from app.identity.models import SmsCode
from tests.factories import PASSWORD

SECTIONS = ("账号", "我的建议", "列为共同提出人的建议", "我的投票", "我提出的异议", "荣誉证书",
            "站内通知", "登录设备", "短信验证码发送记录", "操作日志中与我有关的记录")


def test_the_download_has_every_section_and_nobody_elses_data(app, client, auth, world, make):
    people, values = world
    citizen, other = people["citizen"], people["other_citizen"]
    make.sms_code(citizen.mobile, "login")
    auth.login(citizen, PASSWORD)
    response = client.get("/me/data.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert all(section in data for section in SECTIONS)
    assert data["账号"]["手机号"] == citizen.mobile and data["账号"]["已验证手机号"] == citizen.mobile
    ideas = {idea["编号"]: idea for idea in data["我的建议"]}
    assert any(idea["联系电话"] == "13812341234" and idea["办理记录"] for idea in ideas.values())
    certificate = data["荣誉证书"][0]
    assert certificate["证书上的姓名"] == "张三" and certificate["证书编号"] == values["serial"]
    assert data["站内通知"] and data["登录设备"] and data["操作日志中与我有关的记录"]
    sent = data["短信验证码发送记录"]
    assert sent and sent[0]["用途"] == "短信登录"
    body = response.get_data(as_text=True)
    # No code hash, and nothing of anyone else.
    for row in db.session.execute(db.select(SmsCode)).scalars():
        assert row.code_hash not in body
    assert other.mobile not in body and other.real_name not in body


def test_the_votes_and_objections_are_in_the_voters_copy(app, client, auth, world):
    people, _ = world
    auth.login(people["other_citizen"], PASSWORD)
    data = client.get("/me/data.json").get_json()
    assert data["我的投票"][0]["网络地址"] == "10.1.2.3"
    assert data["我提出的异议"][0]["理由"] == "异议理由写在这里。"


def test_a_reviewers_copy_has_their_score_sheets(app, client, auth, world):
    people, _ = world
    auth.login(people["reviewer"])
    data = client.get("/me/data.json").get_json()
    assert data["我的评审"] and data["我的评审"][0]["轮次"] == "初审" and "我声明的回避" in data


def test_the_readable_page_shows_the_same(app, client, auth, world):
    people, _ = world
    auth.login(people["citizen"], PASSWORD)
    page = client.get("/me/data").get_data(as_text=True)
    for section in SECTIONS:
        assert f"<h2>{section}" in page
    assert "13812341234" in page and "张三" in page and "/me/data.json" in page and "/me/delete" in page
    # Linked from 账号与安全.
    assert "/me/data" in client.get("/auth/sessions").get_data(as_text=True)
