"""Screening without friction: the queue opens on 待筛选, each decision leads to the
next idea, a merge is confirmed first, and bad filters or pages are told at the field."""
import html
import re

from app.extensions import db
from ideas.models import IdeaStatus


def test_the_queue_opens_on_what_still_waits(client, make, staff):
    waiting = make.idea(title="还在等待筛选的建议")
    done = make.idea(title="已经采纳的一条建议", status=IdeaStatus.accepted, staff=staff)
    page = client.get("/ideas/screening").get_data(as_text=True)
    assert waiting.title in page and done.title not in page
    assert done.title in client.get("/ideas/screening?status=").get_data(as_text=True)


def test_a_decision_leads_to_the_next_idea(client, make, staff):
    first, second = make.idea(), make.idea()
    response = client.post(f"/ideas/{first.id}/accept", data={})
    assert response.headers["Location"].endswith(f"/ideas/{second.id}")
    last = client.post(f"/ideas/{second.id}/reject", data={"reject-reason": "与主题无关"})
    assert last.headers["Location"].endswith("/ideas/screening")


def test_a_merge_is_confirmed_before_it_happens(client, make, staff):
    kept, duplicate = make.idea(title="推行园区政区分设"), make.idea(title="园区政区分设的建议")
    data = {"merge-target_code": kept.tracking_code, "merge-reason": "内容基本一致"}
    page = client.post(f"/ideas/{duplicate.id}/merge", data=data).get_data(as_text=True)
    assert "确认合并" in page and kept.title in page and duplicate.title in page
    db.session.refresh(duplicate)
    assert duplicate.status is IdeaStatus.submitted
    client.post(f"/ideas/{duplicate.id}/merge", data={**data, "merge-confirmed": "yes"})
    db.session.refresh(duplicate)
    assert duplicate.status is IdeaStatus.merged


def test_a_reversed_date_range_is_told_at_the_field(client, make, staff):
    page = client.get("/ideas/screening?date_from=2026-05-01&date_to=2026-04-01").get_data(as_text=True)
    assert "结束日期早于开始日期" in page


def _titles_on(page):
    return re.findall(r"第(\d+)条待筛选", page)


def _page_through(client, path):
    seen, first = [], True
    while path:
        page = client.get(path).get_data(as_text=True)
        assert ("回到第一页" in page) != first
        seen += _titles_on(page)
        found = re.search(r'href="([^"]*after=\d+[^"]*)">下一页', page)
        path, first = (html.unescape(found.group(1)) if found else None), False
    return seen


def test_pages_follow_one_another_by_position_each_idea_once(app, client, make, staff, monkeypatch):
    monkeypatch.setitem(app.config, "SCREENING_PAGE_SIZE", 3)
    ideas = [make.idea(title=f"第{n}条待筛选的建议") for n in range(8)]
    # Ties on the time are broken by id, so no idea falls between two pages.
    for idea in ideas[2:6]:
        idea.submitted_at = ideas[2].submitted_at
    db.session.commit()
    assert _page_through(client, "/ideas/screening?status=") == [str(n) for n in reversed(range(8))]


def test_the_waiting_queue_pages_in_the_screening_order_through_ties(app, client, make, staff, monkeypatch):
    monkeypatch.setitem(app.config, "SCREENING_PAGE_SIZE", 3)
    ideas = [make.idea(title=f"第{n}条待筛选的建议") for n in range(9)]
    # Ties on the score are broken by tracking number; unscored ideas come last.
    for idea, worth in zip(ideas, (1.5, 3.0, 1.5, None, 3.0, 1.5, -2.0, None, 1.5)):
        idea.analysis.worth_score = worth
    db.session.commit()
    expected = ["1", "4", "0", "2", "5", "8", "6", "3", "7"]
    assert _page_through(client, "/ideas/screening") == expected
    assert _page_through(client, "/ideas/screening?status=submitted") == expected


def test_an_unknown_or_bad_position_shows_the_first_page(client, make, staff):
    make.idea(title="第0条待筛选的建议")
    for after in ("999999", "-3", "abc", "99999999999999999999"):
        response = client.get(f"/ideas/screening?after={after}")
        assert response.status_code == 200 and _titles_on(response.get_data(as_text=True)) == ["0"], after


def test_a_bulk_reject_without_a_reason_keeps_the_selection(client, make, staff):
    ideas = [make.idea(), make.idea()]
    response = client.post("/ideas/screening/bulk", data={"idea_ids": [ideas[1].id], "action": "reject"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "批量不予采纳须填写理由" in page and "已处理 0 条" not in page
    assert f'value="{ideas[1].id}" aria-label="选择 {ideas[1].tracking_code}" checked' in page
    assert f'value="{ideas[0].id}" aria-label="选择 {ideas[0].tracking_code}">' in page
    assert all(i.status is IdeaStatus.submitted for i in ideas)
