"""On a 375 px phone: the proposal form's error summary, a session that runs out
mid-proposal without losing a word, hearing back about decisions, deleting a draft."""
from playwright.sync_api import expect

from app.auth.models import Role
from app.extensions import db
from ideas.models import Idea, IdeaStatus
from tests.factories import IDEA_FIELDS


def test_the_error_summary_links_to_the_fields_and_focuses_the_first(phone, make):
    make.campaign()
    phone.log_in(make.user())
    page = phone.page
    phone.goto("/ideas/new")
    page.fill("#title", "太短")
    expect(page.locator("#title + .counter")).to_have_text("已写 2 / 40 字")
    page.get_by_role("button", name="提交建议").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(page.locator("#title")).to_be_focused()
    phone.shot("error-summary")
    summary.get_by_role("link", name="对策建议").click()
    expect(page.locator("#suggestion")).to_be_focused()
    assert phone.fits_the_screen()


def test_a_session_expiring_mid_proposal_loses_nothing(phone, make):
    campaign = make.campaign()
    author = make.user()
    phone.log_in(author)
    page = phone.page
    phone.goto("/ideas/new")
    page.fill("#title", IDEA_FIELDS["title"])
    page.select_option("#theme", campaign.themes[0].code)
    for name in ("problem", "suggestion", "benefit", "contact_phone"):
        page.fill(f"#{name}", IDEA_FIELDS[name])
    page.select_option("#region", IDEA_FIELDS["region"])
    page.context.clear_cookies()   # the session ran out while the citizen was writing
    page.get_by_role("button", name="提交建议").click()
    expect(page.get_by_text("登录已失效")).to_be_visible()
    expect(page.locator("#suggestion")).to_have_value(IDEA_FIELDS["suggestion"])
    phone.shot("expired-kept")
    # Sign in in a new tab, come back, send again.
    with page.context.expect_page() as tab:
        page.get_by_role("alert").get_by_role("link", name="登录").click()
    login = tab.value
    login.fill("#login", author.login_name)
    login.fill("#password", "isle-lantern")
    login.click("main button[type=submit]")
    login.wait_for_url(lambda url: "/auth/login" not in url)
    login.close()
    # The sign-in renewed the session, so the page's token is stale: the form comes back once more.
    page.get_by_role("button", name="提交建议").click()
    expect(page.get_by_text("安全令牌失效")).to_be_visible()
    expect(page.locator("#problem")).to_have_value(IDEA_FIELDS["problem"])
    page.get_by_role("button", name="提交建议").click()
    expect(page.get_by_text("提交成功")).to_be_visible()
    phone.shot("submitted")
    db.session.remove()
    idea = db.session.scalars(db.select(Idea).where(Idea.author_id == author.id)).one()
    assert idea.status is IdeaStatus.submitted and idea.suggestion == IDEA_FIELDS["suggestion"]


def test_a_citizen_hears_of_accept_reject_and_the_reply(phone, make, client, auth):
    staff = make.user(Role.staff)
    accepted = make.idea(title="推行园区政区分设")
    rejected = make.idea(author=accepted.author, title="另一条建议的标题")
    auth.login(staff)
    client.post(f"/ideas/{accepted.id}/accept", data={})
    client.post(f"/ideas/{rejected.id}/reject", data={"reject-reason": "与本次征集主题无关"})
    client.post(f"/ideas/{accepted.id}/reply", data={
        "reply-department": "省发展改革委", "reply-text": "已转园区处研究，将在年度改革方案中统筹考虑。"})
    db.session.commit()
    phone.log_in(accepted.author)
    page = phone.page
    phone.goto("/notifications/")
    expect(page.get_by_text(f"您的建议 {accepted.tracking_code} 已采纳，进入评选")).to_be_visible()
    expect(page.get_by_text("与本次征集主题无关")).to_be_visible()
    expect(page.get_by_text(f"您的建议 {accepted.tracking_code} 收到答复")).to_be_visible()
    phone.shot("notifications")
    assert phone.fits_the_screen()
    page.locator(".notification-list li", has_text="收到答复").get_by_role("link", name="查看").click()
    expect(page.get_by_text("省发展改革委", exact=True)).to_be_visible()
    expect(page.locator(".answer").get_by_text("年度改革方案")).to_be_visible()
    phone.shot("reply-on-the-idea")
    assert phone.fits_the_screen()


def test_deleting_a_draft(phone, make):
    make.campaign()
    draft = make.idea(status=IdeaStatus.draft, title="写了一半的草稿")
    phone.log_in(draft.author)
    page = phone.page
    phone.goto("/ideas/mine")
    page.get_by_text("删除草稿").click()
    phone.shot("confirm-delete")
    page.get_by_role("button", name="确认删除（删除后不能恢复）").click()
    expect(page.get_by_text("草稿已删除")).to_be_visible()
    expect(page.get_by_text("写了一半的草稿")).to_have_count(0)
    assert phone.fits_the_screen()
