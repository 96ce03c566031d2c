from playwright.sync_api import expect

from app.auth.models import Role
from app.extensions import db
from ideas.analysis_services import rebuild
from ideas.models import IdeaStatus
from tests.ideas.test_analysis import TOPICS, make_topic_ideas
from tests.ideas.test_themes_site import COMPLAINTS


def test_a_citizen_typing_on_a_phone_sees_the_theme_and_both_lists(phone, make):
    campaign = make.campaign()
    title, problem, suggestion = TOPICS["tech"]
    # Accepted, and its author agreed to a public page: the hint leads there.
    copy = make.idea(theme="tech", title=title, problem=problem, suggestion=suggestion, benefit="",
                     status=IdeaStatus.accepted, public_consent=True)
    make_topic_ideas(make, per_topic=3)
    rebuild(campaign)
    db.session.commit()
    citizen = make.user()
    phone.log_in(citizen)
    page = phone.page
    phone.goto("/ideas/new")
    page.fill("#title", title)
    page.fill("#problem", problem)
    page.fill("#suggestion", suggestion)
    hint = page.locator("#similar-hint")
    suggested = hint.locator(".theme-suggestion")
    expect(suggested).to_be_visible()
    expect(suggested).to_contain_text(next(t.name for t in campaign.themes if t.code == "tech"))
    duplicates, related = hint.locator(".duplicates"), hint.locator(".related")
    expect(duplicates).to_be_visible()
    expect(duplicates).to_contain_text(copy.title)
    link = duplicates.get_by_role("link", name=copy.title)
    assert link.get_attribute("href") == f"/ideas/{copy.tracking_code}"
    expect(related).to_be_visible()
    # Others' ideas not public (waiting for screening, perhaps): not even their titles.
    expect(related.locator("li").first).to_contain_text("一条尚未公开的类似建议")
    expect(related.get_by_role("link")).to_have_count(0)
    assert phone.fits_the_screen()
    phone.shot("typing-hint")
    # The citizen takes the suggestion with one tap; the select shows it.
    assert page.input_value("#theme") == ""
    suggested.get_by_role("button", name="选用这个瓶颈").click()
    assert page.input_value("#theme") == "tech"


def test_staff_clear_the_off_topic_queue_on_a_phone(phone, make):
    campaign = make.campaign()
    make_topic_ideas(make, per_topic=3)
    noise = [make.idea(title=title, problem=problem, suggestion=suggestion, benefit="")
             for title, problem, suggestion in COMPLAINTS]
    rebuild(campaign)
    db.session.commit()
    phone.log_in(make.user(Role.staff))
    page = phone.page
    phone.goto("/analysis/off-topic")
    expect(page.get_by_role("heading", name="不属于本次征集（2）")).to_be_visible()
    expect(page.locator("main")).to_contain_text("12345")
    assert phone.fits_the_screen()
    page.check("input[data-check-all]")
    page.select_option("#decision", "reject")
    page.fill("#reason", "个人诉求，请按答复渠道反映")
    phone.shot("off-topic")
    page.click("#off-topic-form button[type=submit]")
    expect(page.get_by_text("已处理 2 条")).to_be_visible()
    expect(page.get_by_text("没有待处理的建议")).to_be_visible()
    db.session.expire_all()
    assert all(idea.status is IdeaStatus.rejected for idea in noise)
