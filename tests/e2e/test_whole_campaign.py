"""The whole campaign in a real browser: a reviewer scores a blinded idea,
staff run and close the three rounds, publish the 公示 and announce the
winners, and the public page on a phone shows them."""
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.models import Role
from app.extensions import db
from app.timeutil import now
from ideas.models import Idea, IdeaStatus
from voting.judging import queries as voting_queries
from voting.judging.reviews import save_review
from voting.judging.rounds import create_default_rounds, update_round
from voting.judging.models import Round
from voting.notice.models import Announcement

NAMED_AUTHOR = "欧阳明"


def _campaign(make):
    campaign = make.campaign()
    staff = make.user(Role.staff, login="staff@example.com")
    reviewers = [make.user(Role.reviewer, login=f"r{n}@example.com", work_unit=f"单位{n}") for n in range(4)]
    authors = [make.user(login=f"139000001{n:02d}", real_name=NAMED_AUTHOR if n == 0 else f"市民{n}")
               for n in range(13)]
    ideas = [make.idea(author=author, status=IdeaStatus.accepted, staff=staff, title=f"第{n:02d}条金点子建议",
                       show_name=n == 0) for n, author in enumerate(authors)]
    rounds = create_default_rounds(campaign, staff)
    for round_, advance, k in zip(rounds, (12, 11, 10), (2, 2, None)):
        update_round(round_, staff, advance_count=advance, reviewers_per_idea=k,
                                     avoid_same_region=False)
    db.session.commit()
    # Idea 0 is the best in every reviewer's eyes, so its named author wins.
    quality = {idea.id: 10 - n * 0.5 for n, idea in enumerate(ideas)}
    # Plain values: the browser steps end the test's session now and then.
    ideas = [{"id": i.id, "title": i.title, "name": i.author.real_name, "mobile": i.author.mobile}
             for i in ideas]
    return campaign.id, campaign.year, staff, reviewers, ideas, [r.id for r in rounds], quality


def _score_the_rest(round_id, quality):
    db.session.remove()
    round_ = db.session.get(Round, round_id)
    for assignment in voting_queries.active_assignments(round_):
        if assignment.review is None or not assignment.review.submitted:
            value = max(1, min(10, round(quality[assignment.idea_id])))
            save_review(assignment, assignment.reviewer,
                                        {c.id: value for c in round_.criteria}, "", submit=True)
    db.session.commit()


def _click(page, text):
    page.get_by_role("button", name=text).click()
    page.wait_for_load_state()


def test_reviewer_scores_staff_close_rounds_and_the_public_sees_the_winners(browser, laptop, phone, make):
    campaign_id, year, staff, reviewers, ideas, round_ids, quality = _campaign(make)
    page = laptop.page
    laptop.log_in(staff)

    reviewer_page = None
    for position, round_id in enumerate(round_ids, start=1):
        laptop.goto(f"/voting/rounds/{round_id}")
        _click(page, "生成评审分配")
        _click(page, "开始评审")
        expect(page.get_by_text("评审中").first).to_be_visible()
        if position == 1:
            reviewer_page = _reviewer_scores_one_idea(browser, laptop.base_url, reviewers[0], ideas)
        _score_the_rest(round_id, quality)
        laptop.goto(f"/voting/rounds/{round_id}")
        page.get_by_label("我已核对上面列出的情况，确认执行").check()
        _click(page, "截止本轮并计算结果")
        expect(page.get_by_text("已截止").first).to_be_visible()
        laptop.shot(f"round{position}-closed")
        page.get_by_label("我已核对上面列出的情况，确认执行").check()
        _click(page, "结果定稿")
        expect(page.get_by_text("已定稿").first).to_be_visible()
    assert reviewer_page.console_errors == [] and reviewer_page.outside_requests == []

    laptop.goto(f"/gongshi/manage/{year}")
    _click(page, "生成公示名单")
    db.session.remove()
    announcement = db.session.scalar(select(Announcement).where(Announcement.campaign_id == campaign_id))
    for entry in announcement.entries:
        if entry.rank:
            page.fill(f"#c{entry.id}", f"{entry.title}：针对瓶颈制约，措施具体可行。")
    _click(page, "保存")
    laptop.goto(f"/gongshi/manage/{year}/preview")
    expect(page.get_by_text(NAMED_AUTHOR).first).to_be_visible()
    laptop.shot("preview")
    laptop.goto(f"/gongshi/manage/{year}")
    page.fill("#ends_at", (now() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    _click(page, "发布公示")
    expect(page.get_by_text("公示中").first).to_be_visible()

    phone.goto("/gongshi")
    expect(phone.page.get_by_text(ideas[0]["title"]).first).to_be_visible()
    assert phone.fits_the_screen()
    phone.shot("gongshi")

    # Seven days pass.
    db.session.remove()
    announcement = db.session.get(Announcement, announcement.id)
    announcement.notice_ends_at = now() - timedelta(minutes=1)
    db.session.commit()
    laptop.goto(f"/gongshi/manage/{year}")
    _click(page, "公布十大金点子")
    expect(page.get_by_text("已公布十大金点子").first).to_be_visible()
    laptop.shot("announced")

    phone.goto("/winners")
    winners = phone.page.locator("main").inner_text()
    assert NAMED_AUTHOR in winners
    assert phone.fits_the_screen()
    phone.shot("winners")
    db.session.remove()
    statuses = db.session.scalars(select(Idea.status).where(Idea.campaign_id == campaign_id)).all()
    assert statuses.count(IdeaStatus.winner) == 10
    for idea in ideas:
        if db.session.get(Idea, idea["id"]).status is IdeaStatus.winner:
            expect(phone.page.get_by_text(idea["title"]).first).to_be_visible()


def _reviewer_scores_one_idea(browser, base_url, reviewer, ideas):
    """On the reviewer's own laptop: the score sheet names no proposer."""
    from tests.e2e.conftest import PhonePage

    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    sheet = PhonePage(context.new_page(), base_url, "reviewer")
    page = sheet.page
    sheet.log_in(reviewer)
    sheet.goto("/voting/review")
    page.locator("main table a").first.click()
    page.wait_for_load_state()
    text = page.locator("main").inner_text()
    for idea in ideas:
        assert idea["name"] not in text and idea["mobile"] not in text
    for select_box in page.locator("main select").all():
        select_box.select_option("8")
    sheet.shot("score-sheet")
    _click(page, "提交评分")
    expect(page.get_by_text("评分已提交").first).to_be_visible()
    sheet.shot("submitted")
    context.close()
    return sheet
