"""Public pages of accepted ideas (only with the author's consent, never personal data),
附议 once per verified citizen, 补充建议 with staff moderation, and the cache."""
import pytest
from sqlalchemy import func, select

from app.audit.models import ActionLog
from flask_login import login_user

from app.auth.models import Role, User
from app.extensions import db
from app.notifications.models import Notification
from ideas import public_queries, public_services
from ideas.analysis_views import _similar_item
from ideas.models import Idea, IdeaStatus
from ideas.public_models import IdeaSupport
from ideas.queries import supporters_count
from ideas.services import ScreeningError
from tests.concurrency import post_at_once


@pytest.fixture
def public(make):
    make.campaign()
    author = make.user(real_name="王秘密")
    return make.idea(author=author, status=IdeaStatus.accepted, public_consent=True, region="岳阳市",
                     contact_phone="13912345678", title="园区政区分设让管委会专心招商")


def test_the_form_asks_for_consent_and_it_is_off_by_default(client, auth, make):
    make.campaign()
    auth.login(make.user())
    page = client.get("/ideas/new").get_data(as_text=True)
    assert "采纳后可以在网站上公开这条建议" in page
    assert 'name="public_consent"' in page
    assert 'name="public_consent" type="checkbox" value="y" checked' not in page
    assert make.idea().public_consent is False


def test_anyone_reads_a_public_idea_without_personal_data(client, public):
    page = client.get(f"/ideas/{public.tracking_code}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and public.title in body and public.suggestion in body
    for secret in ("王秘密", "13912345678", "1391234", "岳阳市"):
        assert secret not in body
    assert client.get(f"/ideas/{public.tracking_code.lower()}").status_code == 200


@pytest.mark.parametrize("case", ["no_consent", "submitted", "rejected", "withdrawn_consent_draft"])
def test_no_public_page_without_consent_or_before_acceptance(client, make, case):
    make.campaign()
    idea = {"no_consent": lambda: make.idea(status=IdeaStatus.accepted),
            "submitted": lambda: make.idea(public_consent=True),
            "rejected": lambda: make.idea(status=IdeaStatus.rejected, public_consent=True),
            "withdrawn_consent_draft": lambda: make.idea(status=IdeaStatus.draft,
                                                         public_consent=True)}[case]()
    code = idea.tracking_code or "XC-2024-999999"
    assert client.get(f"/ideas/{code}").status_code == 404
    assert idea.title not in client.get("/ideas/public").get_data(as_text=True)


def test_the_list_filters_by_theme_and_pages(client, make, public):
    other = make.idea(status=IdeaStatus.accepted, public_consent=True, theme="talent",
                      title="人才引进要留得住")
    listing = client.get("/ideas/public").get_data(as_text=True)
    assert public.title in listing and other.title in listing
    parks = client.get("/ideas/public?theme=parks").get_data(as_text=True)
    assert public.title in parks and other.title not in parks
    # An unknown theme shows them all; a page past the end is a 404 with a message, never a 500.
    assert other.title in client.get("/ideas/public?theme=nonsense").get_data(as_text=True)
    assert client.get("/ideas/public?page=99").status_code == 404


def test_the_tracking_page_and_the_similar_hint_lead_to_the_public_page(client, auth, make, public):
    assert f"/ideas/{public.tracking_code}" in client.get(f"/ideas/track/{public.tracking_code}").get_data(
        as_text=True)
    hidden = make.idea(title="别人的待筛选建议标题")
    writer = make.user()
    auth.login(writer)
    with client.application.test_request_context():
        login_user(writer)
        assert _similar_item(public, 0.5)["url"] == f"/ideas/{public.tracking_code}"
        unscreened = _similar_item(hidden, 0.9)
        assert "别人的待筛选建议标题" not in str(unscreened) and "url" not in unscreened


def test_a_verified_citizen_supports_once_and_may_withdraw(client, auth, make, public):
    citizen = make.user()
    auth.login(citizen)
    url = f"/ideas/{public.tracking_code}"
    assert client.post(f"{url}/support").status_code == 302
    client.post(f"{url}/support")  # a second tap changes nothing
    assert supporters_count([public.id]) == {public.id: 1}
    page = client.get(url).get_data(as_text=True)
    assert "撤回附议" in page and '<strong id="supporters">1</strong>' in page
    client.post(f"{url}/support/withdraw")
    assert supporters_count([public.id, 12345]) == {public.id: 0, 12345: 0}
    assert [a.action for a in db.session.scalars(select(ActionLog).where(
        ActionLog.action.like("idea.support%")))] == ["idea.support", "idea.support_withdraw"]


def test_support_needs_a_verified_phone_and_a_citizen(client, auth, make, public):
    unverified = make.user(verified=False)
    with pytest.raises(ScreeningError, match="验证手机号"):
        public_services.support(public, unverified)
    auth.login(unverified)
    assert "验证手机号" in client.get(f"/ideas/{public.tracking_code}").get_data(as_text=True)
    auth.logout()
    auth.login(make.user(Role.staff))
    assert client.post(f"/ideas/{public.tracking_code}/support").status_code == 403
    assert supporters_count([public.id])[public.id] == 0


@pytest.mark.postgres_only
def test_two_supports_at_once_count_once(app, make, public):
    citizen = make.user()
    path = f"/ideas/{public.tracking_code}/support"
    assert post_at_once(app, [(citizen.login_name, path, {})] * 2) == [302, 302]
    assert db.session.scalar(select(func.count()).select_from(IdeaSupport)) == 1


def test_a_supplement_reaches_the_author_and_staff_can_hide_it(client, auth, make, public):
    citizen = make.user()
    auth.login(citizen)
    url = f"/ideas/{public.tracking_code}"
    # Too short: the page again with the text kept and the message at the field.
    short = client.post(f"{url}/supplements", data={"text": "太短"})
    assert short.status_code == 200 and "太短" in short.get_data(as_text=True) and "至少" in short.get_data(
        as_text=True)
    client.post(f"{url}/supplements", data={"text": "建议同步推行园区统计独立核算。"})
    assert "建议同步推行园区统计独立核算。" in client.get(url).get_data(as_text=True)
    told = db.session.scalars(select(Notification).where(Notification.user_id == public.author_id)).all()
    assert told[-1].subject == f"您的建议 {public.tracking_code} 收到补充建议"

    auth.logout()
    staff = make.user(Role.staff)
    auth.login(staff)
    detail = client.get(f"/ideas/{public.id}").get_data(as_text=True)
    assert "建议同步推行园区统计独立核算。" in detail and "隐藏这条补充建议" in detail
    assert "附议 0 · 补充建议 1" in client.get("/ideas/screening?status=accepted").get_data(as_text=True)
    supplement = public_queries.supplements(public)[0]
    assert client.post(f"/ideas/supplements/{supplement.id}/hide").status_code == 302  # no reason: refused
    assert not supplement.is_hidden
    client.post(f"/ideas/supplements/{supplement.id}/hide", data={f"hide{supplement.id}-reason": "含广告"})
    db.session.refresh(supplement)
    assert supplement.is_hidden and supplement.hidden_reason == "含广告"
    assert "含广告" in client.get(f"/ideas/{public.id}").get_data(as_text=True)
    auth.logout()
    assert "建议同步推行园区统计独立核算。" not in client.get(url).get_data(as_text=True)
    log = db.session.scalars(select(ActionLog).where(ActionLog.action == "idea.supplement_hide")).one()
    assert log.details["reason"] == "含广告"


def test_a_citizen_adds_at_most_three_supplements(make, public):
    citizen = make.user()
    for n in range(3):
        public_services.add_supplement(public, citizen, f"第{n}条补充建议的内容")
    with pytest.raises(ScreeningError, match="最多补充 3 条"):
        public_services.add_supplement(public, citizen, "第四条补充建议的内容")


@pytest.fixture
def cached(app_with):
    # With CSRF on, as in production: a form token on the page would set a cookie and defeat the cache.
    return app_with(CACHE_TYPE="SimpleCache", WTF_CSRF_ENABLED=True)


def test_public_pages_are_cached_and_change_when_the_idea_does(cached, make, public):
    client = cached.test_client()
    url = f"/ideas/{public.tracking_code}"
    first = client.get(url)
    listing = client.get("/ideas/public")
    assert first.headers["ETag"] and listing.headers["ETag"] and "Set-Cookie" not in first.headers
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    # A draft saved (as autosave does every few seconds) keeps the cached pages.
    draft_id = make.idea(status=IdeaStatus.draft).id
    with cached.app_context():
        db.session.get(Idea, draft_id).title = "草稿的新标题"
        db.session.commit()
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    # A supporter counts at once.
    supporter_id, public_id = make.user().id, public.id
    with cached.app_context():
        public_services.support(db.session.get(Idea, public_id), db.session.get(User, supporter_id))
        db.session.commit()
    after = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200 and '<strong id="supporters">1</strong>' in after.get_data(as_text=True)


def test_the_author_takes_consent_back_and_the_page_is_gone(client, auth, make, public):
    url = f"/ideas/{public.tracking_code}"
    auth.login(public.author)
    assert "不再公开" in client.get(f"/ideas/{public.id}").get_data(as_text=True)
    client.post(f"/ideas/{public.id}/public-consent", data={"consent": "no"})
    assert client.get(url).status_code == 404
    client.post(f"/ideas/{public.id}/public-consent", data={"consent": "yes"})
    assert client.get(url).status_code == 200
    auth.logout()
    auth.login(make.user())
    assert client.post(f"/ideas/{public.id}/public-consent", data={"consent": "no"}).status_code == 404
    assert [a.details["consent"] for a in db.session.scalars(select(ActionLog).where(
        ActionLog.action == "idea.public_consent").order_by(ActionLog.id))] == [False, True]


def test_a_consent_change_without_a_choice_changes_nothing(client, auth, public):
    auth.login(public.author)
    assert client.post(f"/ideas/{public.id}/public-consent", data={}).status_code == 302
    assert client.get(f"/ideas/{public.tracking_code}").status_code == 200
