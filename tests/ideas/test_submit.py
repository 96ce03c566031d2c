import re
import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.auth.models import Role
from app.extensions import db
from app.timeutil import now
from ideas.models import Idea, IdeaStatus
from tests.factories import IDEA_FIELDS
from tests.statements import counted


def form_data(token=None, **overrides):
    data = {**IDEA_FIELDS, "theme": "parks", "submission_token": token or uuid.uuid4().hex,
            "submit": "提交建议"}
    data["show_name"] = "y"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def citizen(make, auth):
    make.campaign()
    user = make.user(login="13911112222")
    auth.login(user)
    return user


def idea_count():
    return db.session.scalar(select(func.count()).select_from(Idea))


def test_submit_gives_a_tracking_code_and_a_history(client, citizen):
    response = client.post("/ideas/new", data=form_data())
    assert response.status_code == 302
    idea = db.session.execute(select(Idea)).scalar_one()
    assert idea.status is IdeaStatus.submitted
    assert re.fullmatch(rf"XC-{now().year}-000001", idea.tracking_code)
    assert idea.author_id == citizen.id and idea.theme.code == "parks" and idea.show_name
    [event] = idea.events
    assert ((event.from_status, event.to_status, event.actor_id)
            == (IdeaStatus.draft, IdeaStatus.submitted, citizen.id))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert idea.tracking_code in page and "提交成功" in page
    mine = client.get("/ideas/mine").get_data(as_text=True)
    assert idea.title in mine and "待筛选" in mine


# The session, the campaign and its themes, the token look-up, the insert, the analysis,
# the number, the history, the log. One more would mean a query per field somewhere.
SUBMISSION_STATEMENT_BOUND = 18


def test_a_submission_costs_few_statements_and_locks_the_campaign_late(app, client, citizen):
    client.post("/ideas/new", data=form_data())
    with counted(app) as statements:
        assert client.post("/ideas/new", data=form_data()).status_code == 302
    assert len(statements) <= SUBMISSION_STATEMENT_BOUND, statements
    # The campaign row is locked from its number to the commit: the text is segmented before.
    numbered = next(n for n, s in enumerate(statements) if s.startswith("UPDATE campaigns"))
    analysed = next(n for n, s in enumerate(statements) if s.startswith("INSERT INTO idea_analyses"))
    assert analysed < numbered


def test_tracking_codes_count_up_per_campaign(client, citizen):
    for _ in range(3):
        client.post("/ideas/new", data=form_data())
    codes = db.session.scalars(select(Idea.tracking_code).order_by(Idea.id)).all()
    assert [c[-6:] for c in codes] == ["000001", "000002", "000003"]


BAD_INPUT = [
    ("title", "太短", "至少需要 5 个字"),
    ("title", "长" * 41, "不能超过 40 个字"),
    ("title", "", "请填写标题"),
    ("theme", "", "请选择建议针对的瓶颈"),
    ("theme", "no-such-theme", "不是有效的选择"),
    ("problem", "问题" * 5, "至少需要 30 个字"),
    ("problem", "问" * 2001, "不能超过 2000 个字"),
    ("problem", "   ", "请填写问题描述"),
    ("suggestion", "建议" * 5, "至少需要 30 个字"),
    ("suggestion", "议" * 3001, "不能超过 3000 个字"),
    ("benefit", "有效果", "至少需要 10 个字"),
    ("benefit", "效" * 1001, "不能超过 1000 个字"),
    ("region", "", "请选择所在地区"),
    ("region", "火星", "不是有效的选择"),
    ("contact_phone", "", "请填写联系电话"),
    ("contact_phone", "1234567", "请输入有效的11位中国大陆手机号码"),
    ("contact_phone", "12812341234", "请输入有效的11位中国大陆手机号码"),
]


@pytest.mark.parametrize("field,value,message", BAD_INPUT)
def test_bad_input_is_refused_at_the_field_and_keeps_what_was_typed(client, citizen, field, value, message):
    data = form_data(**{field: value})
    response = client.post("/ideas/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert idea_count() == 0
    assert message in page
    # Everything else the citizen typed is still in the form.
    for other in ("title", "problem", "suggestion", "benefit"):
        if other != field:
            assert data[other] in page
    assert data["submission_token"] in page


def test_phone_number_written_with_prefix_and_spaces_is_accepted(client, citizen):
    client.post("/ideas/new", data=form_data(contact_phone="+86 138-1234-5678"))
    assert db.session.execute(select(Idea.contact_phone)).scalar_one() == "13812345678"


def test_double_submit_creates_one_idea(client, citizen):
    data = form_data()
    first = client.post("/ideas/new", data=data)
    second = client.post("/ideas/new", data=data)
    assert idea_count() == 1
    assert first.headers["Location"] == second.headers["Location"]
    assert "已经提交过了" in client.get(second.headers["Location"]).get_data(as_text=True)


@pytest.mark.postgres_only
def test_concurrent_double_submit_creates_one_idea(app, citizen):
    data = form_data()
    statuses = []

    def send():
        with app.test_client() as other:
            other.post("/auth/login", data={"login": citizen.login_name, "password": "isle-lantern"})
            statuses.append(other.post("/ideas/new", data=data).status_code)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302] * 4
    db.session.remove()
    assert idea_count() == 1


def test_submission_outside_the_window_is_refused(client, make, auth):
    make.campaign(opens=now() + timedelta(days=2), closes=now() + timedelta(days=30))
    auth.login(make.user())
    data = form_data()
    response = client.post("/ideas/new", data=data)
    page = response.get_data(as_text=True)
    assert "征集尚未开始" in page
    assert data["problem"] in page
    assert idea_count() == 0


def test_submission_after_the_window_is_refused(client, make, auth):
    make.campaign(opens=now() - timedelta(days=30), closes=now() - timedelta(minutes=1))
    auth.login(make.user())
    response = client.post("/ideas/new", data=form_data())
    assert "征集已于" in response.get_data(as_text=True) and "截止" in response.get_data(as_text=True)
    assert idea_count() == 0


def test_draft_keeps_partial_work_and_is_submitted_later(client, citizen):
    token = uuid.uuid4().hex
    response = client.post("/ideas/new", data={"title": "先存个草稿", "submission_token": token,
                                               "problem": "还没写完", "save_draft": "保存草稿"})
    assert response.status_code == 302
    idea = db.session.execute(select(Idea)).scalar_one()
    assert idea.status is IdeaStatus.draft and idea.tracking_code is None and idea.problem == "还没写完"
    edit_page = client.get(f"/ideas/{idea.id}/edit").get_data(as_text=True)
    assert "还没写完" in edit_page
    # Saving the draft again updates it rather than making a second one.
    client.post(f"/ideas/{idea.id}/edit", data={"title": "先存个草稿二稿", "save_draft": "保存草稿"})
    assert idea_count() == 1
    response = client.post(f"/ideas/{idea.id}/edit", data=form_data(token="ignored"))
    assert response.status_code == 302
    db.session.expire_all()
    assert idea.status is IdeaStatus.submitted and idea.tracking_code
    assert [e.to_status for e in idea.events] == [IdeaStatus.submitted]
    # A submitted idea can no longer be edited.
    assert client.get(f"/ideas/{idea.id}/edit").status_code == 302
    client.post(f"/ideas/{idea.id}/edit", data=form_data(title="偷偷改掉的标题"))
    db.session.expire_all()
    assert idea.title == IDEA_FIELDS["title"]


def test_draft_needs_a_title_but_nothing_else(client, citizen):
    response = client.post("/ideas/new", data={"submission_token": uuid.uuid4().hex, "save_draft": "保存草稿",
                                               "contact_phone": "123"})
    page = response.get_data(as_text=True)
    assert "请填写标题" in page and "请输入有效的11位中国大陆手机号码" in page
    assert idea_count() == 0


def test_drafts_can_be_saved_before_the_window_opens(client, make, auth):
    make.campaign(opens=now() + timedelta(days=2), closes=now() + timedelta(days=30))
    auth.login(make.user())
    client.post("/ideas/new", data={"title": "提前准备的建议", "submission_token": uuid.uuid4().hex,
                                    "save_draft": "保存草稿"})
    assert db.session.execute(select(Idea.status)).scalar_one() is IdeaStatus.draft


def test_someone_elses_draft_is_not_found(client, make, auth):
    make.campaign()
    owner = make.user()
    draft = make.idea(author=owner, status=IdeaStatus.draft)
    auth.login(make.user())
    assert client.get(f"/ideas/{draft.id}/edit").status_code == 404
    assert client.get(f"/ideas/{draft.id}").status_code == 404
    assert client.post(f"/ideas/{draft.id}/edit", data=form_data()).status_code == 404


def test_reusing_someone_elses_form_token_is_refused(client, make, auth):
    make.campaign()
    draft = make.idea(status=IdeaStatus.draft)
    auth.login(make.user())
    response = client.post("/ideas/new", data=form_data(token=draft.submission_token))
    assert response.status_code == 400
    db.session.expire_all()
    assert draft.status is IdeaStatus.draft


@pytest.mark.parametrize("role", [Role.reviewer, Role.staff, Role.admin])
def test_only_citizens_submit(client, make, auth, role):
    make.campaign()
    auth.login(make.user(role))
    assert client.get("/ideas/new").status_code == 403
    assert client.post("/ideas/new", data=form_data()).status_code == 403


def test_anonymous_is_sent_to_login(client, make):
    make.campaign()
    response = client.get("/ideas/new")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_tracking_page_shows_status_only(client, make):
    make.campaign()
    author = make.user(real_name="王建国", login="13866668888")
    idea = make.idea(author=author, contact_phone="13877779999", status=IdeaStatus.rejected)
    response = client.get(f"/ideas/track/{idea.tracking_code.lower()}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert idea.tracking_code in page and "未采纳" in page
    for private in ("王建国", "13866668888", "13877779999", "3866", "7779", "测试理由",
                    idea.problem, idea.suggestion, idea.region):
        assert private not in page


def test_tracking_lookup_form_and_unknown_code(client, make):
    make.campaign()
    idea = make.idea()
    response = client.get(f"/ideas/track?code={idea.tracking_code}")
    assert response.status_code == 302 and response.headers["Location"].endswith(idea.tracking_code)
    missing = client.get("/ideas/track/XC-2000-999999")
    assert missing.status_code == 404 and "没有找到" in missing.get_data(as_text=True)
