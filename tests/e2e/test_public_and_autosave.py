"""On a 375 px phone: reading a public idea and supporting it (附议); the proposal
form saving itself, online to the server and offline in the browser."""
import json
import re

from playwright.sync_api import expect

from app.extensions import db
from ideas.models import Idea, IdeaStatus
from ideas.queries import supporters_count
from tests.e2e.conftest import PhonePage
from tests.factories import IDEA_FIELDS

SAVED = "已自动保存草稿"


def test_a_citizen_supports_a_public_idea(phone, make):
    make.campaign()
    idea = make.idea(status=IdeaStatus.accepted, public_consent=True, title="园区政区分设让管委会专心招商")
    phone.log_in(make.user())
    page = phone.page
    phone.goto("/ideas/public")
    page.get_by_role("link", name=idea.title).click()
    expect(page.get_by_role("heading", name=idea.title)).to_be_visible()
    page.get_by_role("button", name="附议这条建议").click()
    expect(page.get_by_text("已附议，感谢您的支持。")).to_be_visible()
    expect(page.locator("#supporters")).to_have_text("1")
    phone.shot("supported")
    assert phone.fits_the_screen()
    page.fill("#text", "建议同步推行园区统计独立核算。")
    page.get_by_role("button", name="发表补充建议").click()
    expect(page.locator(".supplement", has_text="统计独立核算")).to_be_visible()
    page.get_by_role("button", name="撤回附议").click()
    expect(page.locator("#supporters")).to_have_text("0")
    assert phone.fits_the_screen()
    db.session.remove()
    assert supporters_count([idea.id]) == {idea.id: 0}


def _write(page):
    page.fill("#title", IDEA_FIELDS["title"])
    page.fill("#problem", IDEA_FIELDS["problem"])


def test_the_form_saves_itself_and_a_reload_brings_the_text_back(phone, make):
    make.campaign()
    author = make.user()
    phone.log_in(author)
    page = phone.page
    phone.goto("/ideas/new")
    _write(page)
    expect(page.locator("[data-autosave-status]")).to_contain_text(SAVED, timeout=15000)
    expect(page).to_have_url(re.compile(r"/ideas/\d+/edit$"))
    page.reload()
    expect(page.locator("#title")).to_have_value(IDEA_FIELDS["title"])
    expect(page.locator("#problem")).to_have_value(IDEA_FIELDS["problem"])
    phone.shot("autosaved")
    # An older copy in the browser never replaces what the server has.
    key = page.locator("form[data-draft-key]").get_attribute("data-draft-key")
    stale = {"token": "", "fields": {"title": "旧的本机内容"}, "base": "20000101000000000000", "dirty": True}
    page.evaluate("([key, value]) => localStorage.setItem(key, value)", [key, json.dumps(stale)])
    page.reload()
    expect(page.locator("#title")).to_have_value(IDEA_FIELDS["title"])
    expect(page.locator("[data-autosave-restored]")).to_be_hidden()
    db.session.remove()
    draft = db.session.scalars(db.select(Idea).where(Idea.author_id == author.id)).one()
    assert draft.status is IdeaStatus.draft and draft.problem == IDEA_FIELDS["problem"]


def test_offline_the_text_is_kept_in_the_browser_and_restored(phone, make):
    make.campaign()
    author = make.user()
    phone.log_in(author)
    page, context = phone.page, phone.page.context
    phone.goto("/ideas/new")
    context.set_offline(True)
    _write(page)
    expect(page.locator("[data-autosave-status]")).to_contain_text("网络不通", timeout=15000)
    page.close()
    # The failed sends while offline are the browser's own console errors; nothing else may be.
    assert [e for e in phone.console_errors if "ERR_INTERNET_DISCONNECTED" not in e] == []
    phone.console_errors.clear()
    context.set_offline(False)
    again = PhonePage(context.new_page(), phone.base_url, phone.name + "-again")
    again.goto("/ideas/new")
    expect(again.page.locator("[data-autosave-restored]")).to_be_visible()
    expect(again.page.locator("#title")).to_have_value(IDEA_FIELDS["title"])
    expect(again.page.locator("#problem")).to_have_value(IDEA_FIELDS["problem"])
    again.shot("restored")
    assert again.fits_the_screen()
    # Back online, the restored copy goes to the server as well.
    expect(again.page.locator("[data-autosave-status]")).to_contain_text(SAVED, timeout=15000)
    assert again.console_errors == [] and again.outside_requests == []
    db.session.remove()
    draft = db.session.scalars(db.select(Idea).where(Idea.author_id == author.id)).one()
    assert draft.title == IDEA_FIELDS["title"] and draft.problem == IDEA_FIELDS["problem"]
