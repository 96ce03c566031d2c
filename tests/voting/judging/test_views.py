"""Reviewer and staff pages of judging: blind review enforced on the server."""
import hashlib
import json

import pytest
from sqlalchemy import select

from app.audit.models import ActionLog
from app.auth.models import Role
from app.extensions import db
from ideas.services import merge_duplicate
from tests.voting.conftest import score_everything
from voting.judging import queries
from voting.judging.models import RoundState
from voting.judging.panels import prepare_round
from voting.judging.reviews import recuse, save_review
from voting.judging import rounds as round_services


@pytest.fixture
def open_round(judging, make):
    first = judging["rounds"][0]
    co_author = make.user(real_name="共同提出人丙")
    idea = judging["ideas"][0]
    idea.author.real_name = "提出人甲"
    idea.contact_phone = "13899990000"
    duplicate = make.idea(author=co_author, title="重复的建议标题")
    merge_duplicate(duplicate, idea.tracking_code, judging["staff"], "重复", credit=True)
    prepare_round(first, judging["staff"])
    round_services.open_round(first, judging["staff"])
    db.session.commit()
    return first


def test_reviewer_sees_only_what_the_rubric_needs(client, auth, judging, open_round):
    assignment = queries.active_assignments(open_round)[0]
    idea = assignment.idea
    auth.login(assignment.reviewer)
    listing = client.get("/voting/review").get_data(as_text=True)
    page = client.get(f"/voting/review/{assignment.id}").get_data(as_text=True)
    assert idea.title in listing and idea.title in page
    for shown in (idea.problem, idea.suggestion, idea.benefit, idea.theme.name):
        assert shown in page
    secrets = [idea.author.real_name, idea.author.login_name, idea.contact_phone, idea.contact_phone[-4:],
               idea.region, idea.tracking_code, "共同提出人丙"]
    for secret in secrets:
        assert secret not in page and secret not in listing, secret


def test_reviewer_cannot_reach_other_assignments_or_idea_pages(client, auth, judging, open_round):
    mine = queries.active_assignments(open_round)[0]
    others = [a for a in queries.active_assignments(open_round) if a.reviewer_id != mine.reviewer_id]
    auth.login(mine.reviewer)
    for other in others[:5]:
        assert client.get(f"/voting/review/{other.id}").status_code == 404
        assert client.post(f"/voting/review/{other.id}", data={"submit": "1"}).status_code == 404
        assert client.post(f"/voting/review/{other.id}/recuse",
                           data={"recuse-reason": "x"}).status_code == 404
        not_found = client.get(f"/ideas/{other.idea_id}")
        assert not_found.status_code == 404 and other.idea.title not in not_found.get_data(as_text=True)
    assert client.get("/voting/review/999999").status_code == 404
    for staff_page in ("/voting/rounds", f"/voting/rounds/{open_round.id}", "/ideas/screening",
                       "/ideas/export.csv"):
        assert client.get(staff_page).status_code == 403


def test_reviewer_saves_a_draft_then_submits_and_edits_until_close(client, auth, judging, open_round):
    assignment = queries.active_assignments(open_round)[0]
    criteria = open_round.criteria
    auth.login(assignment.reviewer)
    url = f"/voting/review/{assignment.id}"
    bad = client.post(url, data={f"c{criteria[0].id}": "8", "submit": "1"})
    assert "提交前请为每个评分项打分" in bad.get_data(as_text=True)
    client.post(url, data={f"c{criteria[0].id}": "8", "comment": "思路清楚", "draft": "1"})
    db.session.expire_all()
    assert not assignment.review.submitted and assignment.review.comment == "思路清楚"
    full = {f"c{c.id}": "7" for c in criteria}
    client.post(url, data={**full, "submit": "1"})
    db.session.expire_all()
    assert assignment.review.submitted and set(assignment.review.score_map().values()) == {7}
    client.post(url, data={**full, f"c{criteria[0].id}": "9", "submit": "1"})
    db.session.expire_all()
    assert assignment.review.score_map()[criteria[0].id] == 9
    changes = db.session.scalars(select(ActionLog).where(ActionLog.action.like("review.%"))).all()
    assert len(changes) == 3


def test_staff_runs_a_round_through_the_pages(client, auth, judging):
    first = judging["rounds"][0]
    auth.login(judging["staff"])
    assert "初审" in client.get("/voting/rounds").get_data(as_text=True)
    client.post(f"/voting/rounds/{first.id}/prepare")
    client.post(f"/voting/rounds/{first.id}/open")
    db.session.expire_all()
    assert first.state.value == "open"
    page = client.get(f"/voting/rounds/{first.id}").get_data(as_text=True)
    assert "评审进度" in page and judging["reviewers"][0].display_name in page
    assert "尚未收齐评分的 12 条" in page and "未完成" in page
    score_everything(first, lambda a: 1 + a.idea_id % 10)
    client.post(f"/voting/rounds/{first.id}/close", data={"seed": "99", "confirm": "y"})
    db.session.expire_all()
    assert first.state.value == "closed" and first.tie_seed == 99
    page = client.get(f"/voting/rounds/{first.id}").get_data(as_text=True)
    assert "同分时按事先公布的顺序决定：校准分 → 中位数 → 针对性 → 满分项个数 → 以记录的种子抽签。" in page
    assert first.digest in page and "校准分" in page and "原始均分" in page
    # The published rule for this kind of round (each idea sees k reviewers), and only it.
    assert "每条建议只由部分专家评审的轮次" in page and "专家内百分位排名" not in page
    table = client.get(f"/voting/rounds/{first.id}/table.txt")
    assert table.status_code == 200 and table.headers["X-Content-SHA256"] == first.digest
    assert hashlib.sha256(table.data).hexdigest() == first.digest
    # Only an admin may reopen.
    assert client.post(f"/voting/rounds/{first.id}/reopen", data={"reason": "想重新评"}).status_code == 403


def test_reviewer_recusal_through_the_page(client, auth, judging, open_round):
    assignment = queries.active_assignments(open_round)[0]
    auth.login(assignment.reviewer)
    client.post(f"/voting/review/{assignment.id}/recuse", data={"recuse-reason": "提出人是我的亲属"})
    db.session.expire_all()
    assert not assignment.active and assignment.recusal_reason == "提出人是我的亲属"
    assert client.get(f"/voting/review/{assignment.id}").status_code == 404


@pytest.mark.parametrize("role", [Role.citizen, Role.reviewer])
def test_voting_staff_pages_refuse_non_staff(client, auth, make, judging, role):
    auth.login(make.user(role))
    first = judging["rounds"][0]
    for method, path in (("GET", "/voting/rounds"), ("POST", "/voting/rounds"),
                         ("GET", f"/voting/rounds/{first.id}"),
                         ("POST", f"/voting/rounds/{first.id}/prepare"),
                         ("POST", f"/voting/rounds/{first.id}/close"),
                         ("POST", f"/voting/rounds/{first.id}/reopen")):
        assert client.open(path, method=method).status_code == 403, path


def test_citizens_and_staff_have_no_review_pages(client, auth, make, judging):
    for role in (Role.citizen, Role.staff, Role.admin):
        auth.login(make.user(role))
        assert client.get("/voting/review").status_code == 403
        auth.logout()


def test_audit_verify_command(runner, judging):
    assert "完整" in runner.invoke(args=["voting", "audit", "verify"]).output
    entry = db.session.scalars(select(ActionLog).order_by(ActionLog.id)).all()[3]
    entry.details = {"tampered": True}
    db.session.commit()
    result = runner.invoke(args=["voting", "audit", "verify"])
    assert result.exit_code != 0 and f"第 {entry.id} 条" in result.output


def test_simulate_command_runs_three_rounds_to_ten(runner, app):
    result = runner.invoke(args=["voting", "simulate", "--ideas", "60", "--reviewers", "8", "--seed", "3"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert figures["winners"] == 10 and figures["conflict_violations"] == 0
    assert figures["load_spread"][:2] == [0, 0] or max(figures["load_spread"][:2]) <= 1
    assert -1 <= figures["kendall_tau"] <= 1 and len(figures["digests"]) == 3
    assert figures["reviewer_model"] == "additive" and figures["noise"] == 1.0
    # The adaptive step ran before each partial-panel cut, by the site's own service.
    from voting.judging.scale_offset import extra_review_count

    assert 0 < figures["extra_reviews"][0] <= extra_review_count(100) and figures["extra_reviews"][2] == 0


def test_simulate_puts_every_estimator_side_by_side_under_a_reviewer_model(runner, app):
    from voting.judging.estimators import ESTIMATORS, estimator_for_round

    result = runner.invoke(args=["voting", "simulate", "--ideas", "60", "--reviewers", "8", "--seed", "3",
                                 "--reviewer-model", "strategic", "--noise", "0.5"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert figures["reviewer_model"] == "strategic" and figures["noise"] == 0.5
    assert set(figures["estimators"]) == set(ESTIMATORS)
    assert all(len(e["tau"]) == 3 and all(-1 <= t <= 1 for t in e["tau"])
               for e in figures["estimators"].values())
    assert 0 <= figures["p_top10_lost_round1"] <= 1
    # The rounds ran on the published rule, so its side-by-side figures are the run's own.
    rules = [estimator_for_round(k) for k in (3, 5, None)]
    assert [figures["estimators"][name]["tau"][n] for n, name in enumerate(rules)] == [
        calibrated for calibrated, _ in figures["round_taus"]]
    assert figures["estimators"][rules[0]]["p_top10_lost_round1"] == figures["p_top10_lost_round1"]
    assert figures["estimators"]["raw"]["tau"] == [raw for _, raw in figures["round_taus"]]


@pytest.mark.parametrize("option", [["--reviewer-model", "lazy"], ["--noise", "-1"]])
def test_simulate_refuses_an_unknown_model_or_negative_noise(runner, app, option):
    result = runner.invoke(args=["voting", "simulate", "--ideas", "60", "--reviewers", "8", *option])
    assert result.exit_code == 2 and "winners" not in result.output


def test_closing_and_finalising_ask_for_confirmation_and_show_what_is_missing(client, auth, judging,
                                                                             open_round):
    first = open_round
    auth.login(judging["staff"])
    assignments = queries.active_assignments(first)
    recused = assignments[0]
    replacement = recuse(recused, recused.reviewer, "与提出人同在一个课题组")
    db.session.commit()
    page = client.get(f"/voting/rounds/{first.id}").get_data(as_text=True)
    assert "截止前核对" in page and f"还有 {len(assignments)} 份评分表未提交" in page
    # Another reviewer took the recused sheet over, so no idea is short of reviewers.
    assert replacement is not None and queries.close_check(first).open_recusals == []
    assert "回避后尚缺评审人" not in page
    replacement.active = False
    db.session.commit()
    assert queries.close_check(first).open_recusals == [recused.idea]
    assert "回避后尚缺评审人" in client.get(f"/voting/rounds/{first.id}").get_data(as_text=True)
    replacement.active = True
    db.session.commit()
    score_everything(first, lambda a: 1 + a.idea_id % 10)
    refused = client.post(f"/voting/rounds/{first.id}/close", data={"seed": "5"}, follow_redirects=True)
    db.session.expire_all()
    assert first.state is RoundState.open and "请先核对并勾选确认" in refused.get_data(as_text=True)
    client.post(f"/voting/rounds/{first.id}/close", data={"seed": "5", "confirm": "y"})
    db.session.expire_all()
    assert first.state is RoundState.closed
    refused = client.post(f"/voting/rounds/{first.id}/finalize", follow_redirects=True)
    db.session.expire_all()
    assert first.state is RoundState.closed and "请先核对并勾选确认" in refused.get_data(as_text=True)
    client.post(f"/voting/rounds/{first.id}/finalize", data={"confirm": "y"})
    db.session.expire_all()
    assert first.state is RoundState.finalized


def test_the_reopen_reason_is_shown_to_staff_and_never_to_the_proposer(client, auth, judging, closed_round,
                                                                       make):
    admin = make.user(Role.admin)
    idea = next(e.idea for e in closed_round.entries if e.advanced)
    auth.login(admin)
    client.post(f"/voting/rounds/{closed_round.id}/reopen", data={"reason": "一位专家的评分录入有误"})
    db.session.expire_all()
    assert closed_round.state is RoundState.open
    auth.logout()
    auth.login(judging["staff"])
    assert "一位专家的评分录入有误" in client.get(f"/voting/rounds/{closed_round.id}").get_data(as_text=True)
    auth.logout()
    auth.login(idea.author)
    for path in (f"/ideas/{idea.id}", f"/ideas/track/{idea.tracking_code}", "/ideas/mine"):
        page = client.get(path)
        assert page.status_code == 200 and "一位专家的评分录入有误" not in page.get_data(as_text=True), path
    assert "初审重新开放，结果待重新计算" in client.get(f"/ideas/{idea.id}").get_data(as_text=True)


def test_reviewers_see_their_progress_and_staff_can_remind_the_late(client, auth, judging, open_round):
    from app.notifications.models import Notification

    reviewer = judging["reviewers"][1]
    mine = [a for a in queries.active_assignments(open_round) if a.reviewer_id == reviewer.id]
    values = {c.id: 6 for c in open_round.criteria}
    save_review(mine[0], reviewer, values, "", submit=True)
    save_review(mine[1], reviewer, values, "", submit=False)
    db.session.commit()
    auth.login(reviewer)
    page = client.get("/voting/review").get_data(as_text=True)
    assert f"已提交 1/{len(mine)}" in page and "已存草稿" in page
    assert f'href="/voting/review/{mine[1].id}">下一条未评' in page

    auth.logout()
    auth.login(judging["staff"])
    assert "发送提醒" in client.get(f"/voting/rounds/{open_round.id}").get_data(as_text=True)
    client.post(f"/voting/rounds/{open_round.id}/reviewers/{reviewer.id}/remind")
    note = db.session.scalars(select(Notification).where(Notification.user_id == reviewer.id)).one()
    assert f"还有 {len(mine) - 1} 份评分待提交" in note.subject and note.link == "/voting/review"
    for assignment in mine[1:]:
        save_review(assignment, reviewer, values, "", submit=True)
    db.session.commit()
    refused = client.post(f"/voting/rounds/{open_round.id}/reviewers/{reviewer.id}/remind",
                          follow_redirects=True)
    assert "已提交本轮全部评分" in refused.get_data(as_text=True)


def test_the_round_page_lists_a_page_at_a_time(client, auth, judging, open_round, monkeypatch):
    monkeypatch.setattr(queries, "PAGE_SIZE", 4)
    reviewers = sorted(judging["reviewers"], key=lambda r: r.id)
    ideas = sorted(judging["ideas"], key=lambda i: i.id)
    mine = [a for a in queries.active_assignments(open_round) if a.reviewer_id == reviewers[1].id]
    save_review(mine[0], reviewers[1], {c.id: 6 for c in open_round.criteria}, "", submit=True)
    save_review(mine[1], reviewers[1], {c.id: 6 for c in open_round.criteria}, "", submit=False)
    db.session.commit()
    auth.login(judging["staff"])
    url = f"/voting/rounds/{open_round.id}"

    def remind(reviewer):
        return f"{url}/reviewers/{reviewer.id}/remind"
    page = client.get(url).get_data(as_text=True)
    assert "评审池：全部已采纳的建议（12 条）" in page
    assert "评分表 36 份：已提交 1，草稿 1，未开始 34。" in page
    assert all(remind(r) in page for r in reviewers[:4]) and remind(reviewers[4]) not in page
    assert f"reviewers_after={reviewers[3].id}#progress" in page
    later = client.get(f"{url}?reviewers_after={reviewers[3].id}").get_data(as_text=True)
    assert [remind(r) in later for r in reviewers] == [False] * 4 + [True] * 2
    # Ideas still short of reviews, by id: 12 of them, 4 a page.
    assert "尚未收齐评分的 12 条" in page
    assert ideas[3].tracking_code in page and ideas[4].tracking_code not in page
    later = client.get(f"{url}?ideas_after={ideas[3].id}").get_data(as_text=True)
    assert ideas[4].tracking_code in later and ideas[3].tracking_code not in later

    score_everything(open_round, lambda a: 1 + a.idea_id % 10)
    page = client.get(url).get_data(as_text=True)
    assert "共 12 条，本页第 1–4 名" in page and "rank_after=4#ranking" in page
    assert "本页第 5–8 名" in client.get(f"{url}?rank_after=4").get_data(as_text=True)
    assert "本页第 9–12 名" in client.get(f"{url}?rank_after=8").get_data(as_text=True)


def test_a_closed_rounds_results_are_paged_by_rank(client, auth, judging, closed_round, monkeypatch):
    monkeypatch.setattr(queries, "PAGE_SIZE", 4)
    ranked = [e.idea.tracking_code for e in queries.results(closed_round)]
    auth.login(judging["staff"])
    url = f"/voting/rounds/{closed_round.id}"
    page = client.get(url).get_data(as_text=True)
    assert all(code in page for code in ranked[:4]) and ranked[4] not in page
    assert "results_after=4#results" in page
    later = client.get(f"{url}?results_after=4").get_data(as_text=True)
    assert [code in later for code in ranked] == [False] * 4 + [True] * 4 + [False] * 4
