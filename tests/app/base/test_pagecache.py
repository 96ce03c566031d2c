"""Public pages from the cache: ETag and 304, a fresh page as soon as a change is
committed, and the number of queries a page costs."""
import pytest

from app.auth.models import Role, User
from app.campaigns.models import Campaign
from app.campaigns.services import update_campaign
from app.extensions import db
from app.pagecache import SHAREABLE
from ideas.models import Idea
from ideas.services import accept_idea
from tests.factories import PASSWORD
from tests.statements import counted

# A signed-in page: the user, the campaign and its themes, the unread count, the
# vote state of the navigation. One more would mean a query per item somewhere.
SIGNED_IN_QUERY_BOUND = 5


@pytest.fixture
def cached(app_with):
    return app_with(CACHE_TYPE="SimpleCache")


def test_an_anonymous_page_carries_an_etag_and_answers_304(cached, make):
    make.campaign()
    client = cached.test_client()
    first = client.get("/")
    assert first.status_code == 200 and first.headers["ETag"]
    assert "public" in first.headers["Cache-Control"] and "must-revalidate" in first.headers["Cache-Control"]
    again = client.get("/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert client.get("/api/v1/stats").headers["ETag"]


def test_a_cached_page_costs_no_query(cached, make):
    make.campaign()
    client = cached.test_client()
    for path in ("/", "/winners", "/gongshi", "/api/v1/stats"):
        assert client.get(path).status_code == 200
    with counted(cached) as statements:
        for path in ("/", "/winners", "/gongshi", "/api/v1/stats"):
            assert client.get(path).status_code == 200
    assert statements == []


def test_a_committed_change_is_shown_at_once(cached, make):
    campaign = make.campaign()
    staff = make.user(Role.staff)
    client = cached.test_client()
    before = client.get("/")
    assert "征集（测试）" in before.get_data(as_text=True)
    campaign_id, staff_id = campaign.id, staff.id
    # The change is made the way the site makes it: through its own session.
    with cached.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        update_campaign(db.session.get(User, staff_id), campaign, "新的活动标题", "",
                        campaign.submit_opens_at, campaign.submit_closes_at)
        db.session.commit()
    after = client.get("/", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and "新的活动标题" in after.get_data(as_text=True)
    assert after.headers["ETag"] != before.headers["ETag"]


def test_a_rolled_back_change_keeps_the_cached_page(cached, make):
    campaign = make.campaign()
    client = cached.test_client()
    etag, campaign_id = client.get("/").headers["ETag"], campaign.id
    with cached.app_context():
        db.session.get(Campaign, campaign_id).title = "未提交的标题"
        db.session.flush()
        db.session.rollback()
    assert client.get("/", headers={"If-None-Match": etag}).status_code == 304


def test_signed_in_visitors_get_their_own_page_in_few_queries(cached, make):
    make.campaign()
    user = make.user(real_name="张三丰")
    client = cached.test_client()
    client.get("/")
    client.post("/auth/login", data={"login": user.login_name, "password": PASSWORD})
    client.get("/")
    with counted(cached) as statements:
        page = client.get("/")
    assert page.status_code == 200 and "ETag" not in page.headers
    assert user.display_name in page.get_data(as_text=True)
    assert len(statements) <= SIGNED_IN_QUERY_BOUND, statements
    # The navigation's vote state came from the short-lived cache, not a query.
    assert not any("rounds" in s for s in statements), statements


def test_a_flashed_message_is_not_served_to_the_next_visitor(cached, make):
    make.campaign()
    client = cached.test_client()
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "只给这位访客的提示")]
    assert "只给这位访客的提示" in client.get("/").get_data(as_text=True)
    assert "只给这位访客的提示" not in cached.test_client().get("/").get_data(as_text=True)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def front(app_with):
    """The site with the worker's front cache on, its clock and a count of what reaches the app."""
    site = app_with(CACHE_TYPE="SimpleCache", FRONT_CACHE_SECONDS=1)
    front_cache = site.extensions["front_cache"]
    front_cache.clock = clock = Clock()
    inner, reached = front_cache.wsgi_app, []

    def counting(environ, start_response):
        reached.append(environ["PATH_INFO"])
        return inner(environ, start_response)
    front_cache.wsgi_app = counting
    return site, clock, reached


def test_a_cookieless_visit_is_answered_before_the_app(front, make):
    site, clock, reached = front
    make.campaign()
    client = site.test_client()
    first = client.get("/")
    again = client.get("/")
    assert reached == ["/"]
    assert again.status_code == 200 and again.data == first.data
    # The whole answer is kept, with what the app adds after the view (security headers).
    assert dict(again.headers) == dict(first.headers)
    assert "Content-Security-Policy" in again.headers and SHAREABLE not in again.headers
    assert client.get("/", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert reached == ["/"]
    clock.now += 1.5
    client.get("/")
    assert reached == ["/", "/"]


def test_the_front_copy_is_dropped_when_a_change_is_committed(front, make):
    site, clock, reached = front
    campaign = make.campaign()
    staff = make.user(Role.staff)
    client = site.test_client()
    client.get("/")
    # Read before the site's context: inside it, this session would borrow the site's connection.
    campaign_id, staff_id = campaign.id, staff.id
    with site.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        update_campaign(db.session.get(User, staff_id), campaign, "新的活动标题", "",
                        campaign.submit_opens_at, campaign.submit_closes_at)
        db.session.commit()
    assert "新的活动标题" in client.get("/").get_data(as_text=True)
    assert len(reached) == 2


def test_visitors_with_cookies_and_other_pages_reach_the_app(front, make):
    site, clock, reached = front
    make.campaign()
    site.test_client().get("/")
    elder = site.test_client()
    elder.set_cookie("display", "elder-2")
    assert "字号 21 磅" in elder.get("/").get_data(as_text=True)
    assert "字号 21 磅" in elder.get("/").get_data(as_text=True)
    anonymous = site.test_client()
    anonymous.get("/auth/login")
    anonymous.get("/auth/login")
    anonymous.get("/?from=link")
    anonymous.get("/?from=link")
    assert reached == ["/", "/", "/", "/auth/login", "/auth/login", "/"]


def test_the_front_cache_keeps_a_bounded_number_of_pages(front, make):
    site, clock, reached = front
    make.campaign()
    site.extensions["front_cache"].MAX_PAGES = 3
    client = site.test_client()
    for n in range(5):
        client.get(f"/?n={n}")
    assert len(site.extensions["front_cache"]._pages) <= 3


def test_a_tracking_page_is_cached_until_its_idea_changes(cached, make):
    idea = make.idea()
    staff = make.user(Role.staff)
    db.session.commit()
    path, idea_id, staff_id = f"/ideas/track/{idea.tracking_code}", idea.id, staff.id
    client = cached.test_client()
    assert "已采纳，进入评选" not in client.get(path).get_data(as_text=True)
    with counted(cached) as statements:
        assert client.get(path).status_code == 200
    assert statements == []
    with cached.app_context():
        accept_idea(db.session.get(Idea, idea_id), db.session.get(User, staff_id))
        db.session.commit()
    assert "已采纳，进入评选" in client.get(path).get_data(as_text=True)
