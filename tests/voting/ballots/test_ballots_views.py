"""The public vote's pages: the ballot, settings, the fraud screen, the rate limit."""
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.auth.models import Role
from app.extensions import db
from app.timeutil import now
from tests.voting.ballots.ballot_helpers import end_vote, open_vote, set_up_vote, vote
from tests.voting.conftest import score_everything
from voting.judging.panels import prepare_round
from voting.ballots import queries
from voting.ballots.models import PublicVote, VoteVoid

FORMULA = "计分办法：专家评分 70 % + 公众投票 30 %，公众部分按入围建议中的百分位计算"


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_the_ballot_shows_ideas_and_the_formula_but_no_proposer(client, auth, vote_round, judging, make):
    idea = judging["ideas"][0]
    idea.author.real_name = "提出人甲"
    idea.contact_phone = "13899990000"
    db.session.commit()
    citizen = make.user()
    for visitor in (None, citizen):
        if visitor:
            auth.login(visitor)
        listing = page(client, f"/vote/{vote_round.id}")
        detail = page(client, f"/vote/{vote_round.id}/ideas/{idea.id}")
        assert FORMULA in listing and "综合分 = 0.7 × 专家部分 + 0.3 × 公众部分" in listing
        assert "相同时依次比较校准分、中位数、针对性、满分项个数，最后以记录的种子抽签。" in listing
        assert idea.title in listing and idea.theme.name in listing
        for shown in (idea.problem, idea.suggestion, idea.benefit):
            assert shown in detail
        # Reviewers judge blind and these pages are public: not even the region.
        for secret in ("提出人甲", idea.author.login_name, "13899990000", "9990000", idea.tracking_code,
                       "岳阳市"):
            assert secret not in listing and secret not in detail, secret
    assert "已投 <strong>0 / 3</strong>" in listing and "投一票" in listing
    assert "投票进行中" in page(client, "/vote/")


def test_a_citizen_votes_and_withdraws_through_the_pages(client, auth, vote_round, judging, make):
    idea = judging["ideas"][2]
    auth.login(make.user())
    response = client.post(f"/vote/{vote_round.id}/ideas/{idea.id}/vote",
                           headers={"Referer": f"http://localhost/vote/{vote_round.id}/ideas/{idea.id}",
                                    "User-Agent": "TestPhone/1.0"},
                           environ_base={"REMOTE_ADDR": "192.168.7.9"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/ideas/{idea.id}")
    cast = db.session.scalar(select(PublicVote))
    assert (cast.ip, cast.network, cast.user_agent) == ("192.168.7.9", "192.168.7.0/24", "TestPhone/1.0")
    listing = page(client, f"/vote/{vote_round.id}")
    assert "已为" in listing and "已投 <strong>1 / 3</strong>" in listing and "撤回" in listing
    again = client.post(f"/vote/{vote_round.id}/ideas/{idea.id}/vote", follow_redirects=True)
    assert "您已经为这条建议投过票了" in again.get_data(as_text=True)
    client.post(f"/vote/{vote_round.id}/ideas/{idea.id}/withdraw")
    assert "已投 <strong>0 / 3</strong>" in page(client, f"/vote/{vote_round.id}")
    end_vote(vote_round)
    late = client.post(f"/vote/{vote_round.id}/ideas/{idea.id}/vote", follow_redirects=True)
    assert "投票已于" in late.get_data(as_text=True)
    assert queries.vote_totals(vote_round) == {}


def test_who_may_vote(client, auth, vote_round, judging, make):
    path = f"/vote/{vote_round.id}/ideas/{judging['ideas'][0].id}/vote"
    assert "/auth/login" in client.post(path).headers["Location"]
    for role in (Role.reviewer, Role.staff, Role.admin):
        auth.login(make.user(role))
        assert client.post(path).status_code == 403
        assert "只有群众账号可以投票" in page(client, f"/vote/{vote_round.id}")
        auth.logout()
    assert db.session.scalar(select(func.count()).select_from(PublicVote)) == 0


def test_an_unverified_citizen_is_sent_to_verify_the_phone_first(client, auth, vote_round, judging, make):
    citizen = make.user(login="13911112222", verified=False)
    auth.login(citizen)
    listing = page(client, f"/vote/{vote_round.id}")
    assert "参加公众投票须先验证手机号" in listing and "/identity/phone?next=" in listing
    path = f"/vote/{vote_round.id}/ideas/{judging['ideas'][0].id}/vote"
    assert "参加公众投票须先验证手机号" in client.post(path, follow_redirects=True).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PublicVote)) == 0
    code = make.sms_code("13911112222", "verify")
    assert client.post("/identity/phone", data={"phone": "13911112222", "code": code}).status_code == 302
    assert "参加公众投票须先验证手机号" not in page(client, f"/vote/{vote_round.id}")
    client.post(path)
    assert db.session.scalar(select(func.count()).select_from(PublicVote)) == 1


def test_unpublished_votes_and_foreign_ideas_are_not_found(client, auth, judging, make):
    first = judging["rounds"][0]
    assert client.get(f"/vote/{first.id}").status_code == 404
    set_up_vote(first, judging["staff"])
    assert "尚未开始" in page(client, f"/vote/{first.id}")
    outsider = make.idea(title="不在本轮的建议")
    assert client.get(f"/vote/{first.id}/ideas/{outsider.id}").status_code == 404
    auth.login(make.user())
    assert client.post(f"/vote/{first.id}/ideas/{outsider.id}/vote").status_code == 404


def test_the_vote_index_between_campaigns_says_there_is_no_vote(client):
    assert "目前没有公众投票" in page(client, "/vote/")


def test_navigation_links_to_an_open_vote(client, judging):
    round_ = set_up_vote(judging["rounds"][0], judging["staff"])
    assert ">公众投票<" not in page(client, "/")
    open_vote(round_)
    assert ">公众投票<" in page(client, "/")
    end_vote(round_)
    assert ">公众投票<" not in page(client, "/")


# --- Staff pages ---------------------------------------------------------------------------

def test_settings_page_keeps_typed_values_and_shows_errors_at_the_field(client, auth, judging):
    final = judging["rounds"][2]
    final.opens_at, final.closes_at = now(), now() + timedelta(days=3)
    db.session.commit()
    auth.login(judging["staff"])
    # Turning the vote on without choosing a round lands on the final round.
    assert client.get("/vote/rounds").headers["Location"].endswith(f"/vote/rounds/{final.id}")
    late = (now() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    data = {"public_vote": "y", "vote_opens_at": (now() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "vote_closes_at": late, "votes_per_citizen": "3", "expert_weight": "70"}
    body = client.post(f"/vote/rounds/{final.id}", data=data).get_data(as_text=True)
    assert "投票截止时间不能晚于本轮评审截止时间" in body and late in body
    body = client.post(f"/vote/rounds/{final.id}",
                       data={**data, "expert_weight": "170"}).get_data(as_text=True)
    assert "比例须为 0–100 之间的整数" in body
    closes = (now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(f"/vote/rounds/{final.id}", data={**data, "vote_closes_at": closes}).status_code == 302
    db.session.expire_all()
    assert final.public_vote and final.expert_weight == 0.7 and final.votes_per_citizen == 3
    form = page(client, f"/vote/rounds/{final.id}")
    assert 'value="70"' in form and "公布计分办法" in form
    # The final round has no pool yet: publishing is refused with the reason.
    refused = client.post(f"/vote/rounds/{final.id}/publish", follow_redirects=True).get_data(as_text=True)
    assert "评审池还是空的" in refused
    assert "公众投票：已开启，计分办法尚未公布" in page(client, f"/voting/rounds/{final.id}")


def test_publishing_through_the_page_fixes_the_settings(client, auth, judging):
    first, staff = judging["rounds"][0], judging["staff"]
    prepare_round(first, staff)
    db.session.commit()
    auth.login(staff)
    data = {"public_vote": "y", "vote_opens_at": (now() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "vote_closes_at": (now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "votes_per_citizen": "5",
            "expert_weight": "60"}
    client.post(f"/vote/rounds/{first.id}", data=data)
    client.post(f"/vote/rounds/{first.id}/publish")
    shown = page(client, f"/vote/rounds/{first.id}")
    assert "专家评分 60 % + 公众投票 40 %" in shown and "保存设置" not in shown
    refused = client.post(f"/vote/rounds/{first.id}", data={**data, "expert_weight": "90"},
                          follow_redirects=True)
    assert "不能再改" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert first.expert_weight == 0.6 and first.blend_published_at is not None


def test_the_fraud_screen_flags_and_voids(client, auth, vote_round, judging, make):
    staff, ideas = judging["staff"], judging["ideas"]
    burst_hour = now().replace(minute=0, second=0) - timedelta(hours=1)
    for n in range(12):
        cast = vote(vote_round, ideas[0], make.user(), ip=f"10.5.5.{n + 1}", user_agent="Bot/2.0")
        cast.created_at = burst_hour + timedelta(minutes=n)
    vote(vote_round, ideas[1], make.user(), ip="172.16.0.1")
    db.session.commit()
    auth.login(staff)
    screen = page(client, f"/vote/rounds/{vote_round.id}/screen")
    assert "10.5.5.0/24" in screen and "Bot/2.0" in screen and "12 票" in screen
    assert "专家评分尚未收齐" in screen
    assert "作废这批" in screen and "只投了一条建议的新账号" in screen
    listed = page(client, f"/vote/rounds/{vote_round.id}/screen?network=10.5.5.0/24")
    assert "投票明细" in listed and listed.count("Bot/2.0") >= 12
    prefilled = page(client, f"/vote/rounds/{vote_round.id}/screen?kind=network&value=10.5.5.0/24")
    assert "10.5.5.0/24</textarea>" in prefilled
    form = {"kind": "network", "value": "10.5.5.0/24"}
    no_reason = client.post(f"/vote/rounds/{vote_round.id}/voids", data=form).get_data(as_text=True)
    # Shown again at the field, with the choice and the value kept.
    assert "请填写理由" in no_reason and "10.5.5.0/24</textarea>" in no_reason
    client.post(f"/vote/rounds/{vote_round.id}/voids", data={**form, "reason": "一小时内同网段集中投票"})
    void = db.session.scalar(select(VoteVoid))
    assert void is not None and queries.vote_totals(vote_round) == {ideas[1].id: 1}
    screen = page(client, f"/vote/rounds/{vote_round.id}/screen")
    assert "一小时内同网段集中投票" in screen and "已作废 12 票" in screen
    client.post(f"/vote/voids/{void.id}/restore", data={f"restore{void.id}-reason": "核实无误"})
    db.session.expire_all()
    assert not void.is_active and queries.vote_totals(vote_round)[ideas[0].id] == 12
    bad_ids = client.post(f"/vote/rounds/{vote_round.id}/voids",
                          data={"kind": "ids", "value": "没有数字", "reason": "测试"}, follow_redirects=True)
    assert "请填写数字编号" in bad_ids.get_data(as_text=True)


def test_the_fraud_screen_sees_scripted_accounts_through_varied_browsers_and_decoys(client, auth, vote_round,
                                                                                  judging, make):
    """The stuffing that slipped past: 20 accounts registered seconds apart, each from its own network and
    browser, each voting for the target and for a decoy within a minute of signing up."""
    staff, target, decoy = judging["staff"], judging["ideas"][5], judging["ideas"][9]
    start = now() - timedelta(minutes=30)
    honest = make.user()
    honest.created_at = now() - timedelta(days=40)
    vote(vote_round, decoy, honest)
    for n in range(20):
        user = make.user()
        user.created_at = start + timedelta(seconds=2 * n)
        for idea, offset in ((target, 20), (decoy, 25)):
            cast = vote(vote_round, idea, user, ip=f"10.{n}.{n}.9", user_agent=f"Mozilla/5.0 (Phone {n})")
            cast.created_at = user.created_at + timedelta(seconds=offset)
    db.session.commit()
    screen = queries.screen(vote_round)
    # The old rules see nothing to void: no crowded network or browser, no account voting for one idea only.
    assert screen.networks == screen.user_agents == screen.new_accounts == []
    [burst] = screen.registration_bursts
    assert len(burst.accounts) == 20 and burst.ideas == {target.id: 20, decoy.id: 20}
    assert {g.key: len(g.vote_ids) for g in screen.quick_votes} == {target.id: 20, decoy.id: 20}
    assert sorted(len(g.vote_ids) for g in screen.rapid_runs) == [20, 20]
    auth.login(staff)
    shown = page(client, f"/vote/rounds/{vote_round.id}/screen")
    assert "集中注册的账号" in shown and "注册后随即投票" in shown and "短时间内连续投票" in shown
    assert "kind=registration_burst&amp;value=" in shown
    client.post(f"/vote/rounds/{vote_round.id}/voids",
                data={"kind": "registration_burst", "value": burst.key,
                      "reason": "20 个账号 40 秒内接连注册"})
    assert queries.vote_totals(vote_round) == {decoy.id: 1}
    assert db.session.scalar(select(VoteVoid)).selection == f"集中注册的账号：{burst.key}"


def test_round_page_shows_both_parts_after_closing(client, auth, vote_round, judging, make):
    staff = judging["staff"]
    score_everything(vote_round, lambda a: 1 + a.idea_id % 10)
    vote(vote_round, judging["ideas"][0], make.user())
    end_vote(vote_round)
    auth.login(staff)
    client.post(f"/voting/rounds/{vote_round.id}/close", data={"seed": "7", "confirm": "y"})
    db.session.expire_all()
    assert vote_round.state.value == "closed"
    shown = page(client, f"/voting/rounds/{vote_round.id}")
    assert "专家部分" in shown and "公众部分" in shown and "综合分" in shown
    table = client.get(f"/voting/rounds/{vote_round.id}/table.txt").get_data(as_text=True)
    assert '"votes":"1"' in table and '"blended"' in table


def test_staff_pages_refuse_others(client, auth, vote_round, make):
    paths = [("GET", f"/vote/rounds/{vote_round.id}"), ("GET", f"/vote/rounds/{vote_round.id}/screen"),
             ("POST", f"/vote/rounds/{vote_round.id}/publish"),
             ("POST", f"/vote/rounds/{vote_round.id}/voids"),
             ("GET", "/vote/rounds")]
    for method, path in paths:
        assert "/auth/login" in client.open(path, method=method).headers["Location"]
    for role in (Role.citizen, Role.reviewer):
        auth.login(make.user(role))
        for method, path in paths:
            assert client.open(path, method=method).status_code == 403, path
        auth.logout()


FUZZ = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
TEXT = st.one_of(st.text(max_size=60), st.just(""), st.just("\x00<script>"),
                 st.just("99999999999999999999999"))


@FUZZ
@given(opens=TEXT, closes=TEXT, votes=TEXT, weight=TEXT, kind=TEXT, value=TEXT, reason=TEXT, page_arg=TEXT)
def test_vote_forms_never_crash(client, auth, vote_round, judging, opens, closes, votes, weight, kind, value,
                                reason, page_arg):
    auth.login(judging["staff"])
    final = judging["rounds"][2]
    for response in (
        client.post(f"/vote/rounds/{final.id}", data={"public_vote": "y", "vote_opens_at": opens,
                                                       "vote_closes_at": closes, "votes_per_citizen": votes,
                                                       "expert_weight": weight}),
        client.post(f"/vote/rounds/{vote_round.id}/voids",
                    data={"kind": kind, "value": value, "reason": reason}),
        client.get(f"/vote/rounds/{vote_round.id}/screen",
                   query_string={"network": value, "user_agent": value, "idea_id": votes, "kind": kind,
                                 "value": value}),
        client.get(f"/vote/{vote_round.id}", query_string={"page": page_arg}),
    ):
        assert response.status_code < 500


# --- Rate limit ----------------------------------------------------------------------------

@pytest.fixture
def limited_client(app_with):
    return app_with(RATELIMIT_ENABLED=True, VOTE_LIMIT_PER_USER="3 per 10 minutes",
                    VOTE_LIMIT_PER_ADDRESS="5 per 10 minutes").test_client()


def _log_in(client, user):
    assert client.post("/auth/login",
                       data={"login": user.login_name, "password": "isle-lantern"}).status_code == 302


def test_votes_are_rate_limited_per_account(app, limited_client, vote_round, judging, make):
    idea = judging["ideas"][0]
    _log_in(limited_client, make.user())
    path = f"/vote/{vote_round.id}/ideas/{idea.id}"
    # Casting and withdrawing share the account's budget of 3.
    for action in ("vote", "withdraw", "vote"):
        assert limited_client.post(f"{path}/{action}").status_code == 302
    blocked = limited_client.post(f"{path}/withdraw")
    assert blocked.status_code == 429 and "投票操作太频繁" in blocked.get_data(as_text=True)
    limited_client.post("/auth/logout")
    _log_in(limited_client, make.user())
    assert limited_client.post(f"{path}/vote").status_code == 302


def test_votes_are_rate_limited_per_address(app, limited_client, vote_round, judging, make):
    ideas = judging["ideas"]
    for n in range(3):
        _log_in(limited_client, make.user())
        for idea in ideas[:2] if n < 2 else ideas[:1]:
            assert limited_client.post(f"/vote/{vote_round.id}/ideas/{idea.id}/vote").status_code == 302
        limited_client.post("/auth/logout")
    _log_in(limited_client, make.user())
    assert limited_client.post(f"/vote/{vote_round.id}/ideas/{ideas[0].id}/vote").status_code == 429
    other_address = limited_client.post(f"/vote/{vote_round.id}/ideas/{ideas[0].id}/vote",
                                        environ_base={"REMOTE_ADDR": "10.20.30.40"})
    assert other_address.status_code == 302


def test_each_voter_sees_an_order_of_their_own_and_keeps_it(client, auth, vote_round, judging, make):
    from voting.ballots.queries import ballot_order

    orders = {ballot_order(vote_round, f"user:{n}") == ballot_order(vote_round, f"user:{n}")
              for n in range(5)}
    assert orders == {True}   # the same voter, the same order, on every visit
    distinct = {tuple(ballot_order(vote_round, f"user:{n}")) for n in range(20)}
    assert len(distinct) > 1 and all(sorted(o) == sorted(next(iter(distinct))) for o in distinct)
    citizen = make.user()
    auth.login(citizen)
    listing = page(client, f"/vote/{vote_round.id}")
    titles = {idea.id: idea.title for idea in judging["ideas"]}
    shown = sorted((listing.index(titles[i]), i) for i in ballot_order(vote_round, f"user:{citizen.id}")
                   if titles.get(i) in listing)
    first_page = [i for i in ballot_order(vote_round, f"user:{citizen.id}") if titles.get(i) in listing]
    assert [i for _, i in shown] == first_page
    assert "<summary>计票规则</summary>" in listing
