from playwright.sync_api import expect

from app.extensions import db
from ideas.analysis_services import rebuild
from tests.ideas.test_analysis import TOPICS, make_topic_ideas


def test_a_citizen_typing_on_a_phone_sees_the_theme_and_both_lists(phone, make):
    campaign = make.campaign()
    title, problem, suggestion = TOPICS["tech"]
    copy = make.idea(theme="tech", title=title, problem=problem, suggestion=suggestion, benefit="")
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
    # Someone else's idea: its title, never its tracking code.
    expect(duplicates).not_to_contain_text(copy.tracking_code)
    expect(related).to_be_visible()
    expect(related.locator("li").first).to_be_visible()
    assert phone.fits_the_screen()
    phone.shot("typing-hint")
    # The citizen takes the suggestion with one tap; the select shows it.
    assert page.input_value("#theme") == ""
    suggested.get_by_role("button", name="选用这个瓶颈").click()
    assert page.input_value("#theme") == "tech"
