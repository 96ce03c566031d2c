"""Without a mouse: from the home page to a submitted idea with Tab, Shift-Tab,
Enter, Space and the arrow keys of a select, every stop visibly focused and in
reading order. And the 长辈版 on a phone: switched on by its link (with and
without JavaScript), remembered, 18 pt up to 30 pt, 60 px targets, fitting 375 px."""
import re

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from ideas.models import Idea, IdeaStatus
from tests.e2e.axe import small_targets
from tests.factories import IDEA_FIELDS

FOCUSED = """() => { const el = document.activeElement, style = getComputedStyle(el);
  return {id: el.id, tag: el.tagName.toLowerCase(),
          text: (el.innerText || el.value || '').trim().slice(0, 20),
          ring: el.matches(':focus-visible') && style.outlineStyle !== 'none'
                && parseFloat(style.outlineWidth) >= 2};
}"""
FORM_ORDER = ["title", "theme", "problem", "suggestion", "benefit", "region", "contact_phone", "show_name",
              "public_consent", "submit"]


def _tab(page, back=False):
    page.keyboard.press("Shift+Tab" if back else "Tab")
    focused = page.evaluate(FOCUSED)
    assert focused["ring"], f"焦点不可见：{focused}"
    return focused


def _tab_to(page, stops, wanted, at_most):
    """Tabs until an element with id ``wanted`` has the focus, within ``at_most`` presses."""
    for _ in range(at_most):
        focused = _tab(page)
        stops.append(focused["id"] or focused["text"])
        if focused["id"] == wanted:
            return
    raise AssertionError(f"按 {at_most} 次 Tab 没有到达 #{wanted}：{stops[-at_most:]}")


def test_submitting_an_idea_with_the_keyboard_alone(laptop, make):
    campaign_id = make.campaign().id
    author = make.user()
    page = laptop.page
    laptop.goto("/")
    # The first stop skips the header; Enter on it puts the next Tab inside the page's content.
    assert _tab(page)["text"] == "跳到正文"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert _tab(page)["text"] == "我要献策"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/auth/login\?next=.*"))
    stops = []
    _tab_to(page, stops, "login", at_most=25)
    page.keyboard.type(author.login_name)
    _tab_to(page, stops, "password", at_most=1)
    page.keyboard.type("isle-lantern")
    page.keyboard.press("Enter")
    page.wait_for_url("**/ideas/new")

    stops = []
    _tab_to(page, stops, "title", at_most=30)
    page.keyboard.type(IDEA_FIELDS["title"])
    for name in FORM_ORDER[1:]:
        # One press to the next field; two where the similar-ideas hint offers its button in between.
        _tab_to(page, stops, name, at_most=2)
        if name in ("theme", "region"):
            page.keyboard.press("ArrowDown")   # a closed select steps to the next option
        elif name in ("show_name", "public_consent"):
            page.keyboard.press("Space")
        elif name != "submit":
            page.keyboard.type(IDEA_FIELDS[name])
    assert [stop for stop in stops if stop in FORM_ORDER] == FORM_ORDER
    # Shift-Tab goes back the same way.
    assert _tab(page, back=True)["id"] == "public_consent"
    assert _tab(page)["id"] == "submit"
    laptop.shot("keyboard-submit")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/ideas/\d+$"))
    expect(page.get_by_text("提交成功")).to_be_visible()
    db.session.remove()
    idea = db.session.scalar(select(Idea).where(Idea.author_id == author.id))
    assert idea.status is IdeaStatus.submitted and idea.suggestion == IDEA_FIELDS["suggestion"]
    assert idea.theme.campaign_id == campaign_id and idea.region and idea.show_name is True
    assert idea.public_consent is True


def _root_font_px(page):
    return float(page.evaluate("getComputedStyle(document.body).fontSize").removesuffix("px"))


def test_elder_mode_on_a_phone(phone, make):
    make.campaign()
    page = phone.page
    html = page.locator("html")
    phone.goto("/ideas/track")
    assert _root_font_px(page) == 16
    page.get_by_role("link", name="长辈版").click()
    expect(html).to_have_class("elder elder-1")
    assert _root_font_px(page) == 24   # 18 pt
    assert small_targets(page, 60) == [] and phone.fits_the_screen()
    phone.shot("elder-18pt")
    for step in range(2, 6):
        page.get_by_role("link", name=re.compile("字号增大")).click()
        expect(html).to_have_class(f"elder elder-{step}")
    expect(page.locator(".size-now")).to_have_text("字号 30 磅")
    expect(page.get_by_role("link", name=re.compile("字号增大"))).to_have_count(0)
    assert _root_font_px(page) == 40
    assert small_targets(page, 60) == [] and phone.fits_the_screen()
    phone.shot("elder-30pt")
    page.get_by_text("菜单").click()   # the links, folded behind one button, one per row
    expect(page.get_by_role("link", name="进度查询")).to_be_visible()
    assert small_targets(page, 60) == [] and phone.fits_the_screen()
    phone.goto("/")   # remembered on every page, no account needed
    assert _root_font_px(page) == 40 and phone.fits_the_screen()
    page.get_by_role("link", name=re.compile("字号减小")).click()
    expect(html).to_have_class("elder elder-4")
    page.get_by_role("link", name="标准版").click()
    expect(html).not_to_have_class(re.compile("elder"))
    assert _root_font_px(page) == 16


def test_changing_the_size_keeps_what_was_typed(phone, make):
    make.campaign()
    phone.log_in(make.user())
    page = phone.page
    phone.goto("/ideas/new")
    page.fill("#title", IDEA_FIELDS["title"])
    page.get_by_role("link", name="长辈版").click()
    expect(page.locator("html")).to_have_class("elder elder-1")
    page.get_by_role("link", name=re.compile("字号增大")).click()
    expect(page.locator("html")).to_have_class("elder elder-2")
    expect(page.locator("#title")).to_have_value(IDEA_FIELDS["title"])
    assert _root_font_px(page) == 28
    phone.goto("/ideas/track")   # and the cookie was set, as by the plain link
    assert _root_font_px(page) == 28


def test_the_elder_switch_works_without_javascript(browser, live_server, app):
    context = browser.new_context(viewport={"width": 375, "height": 812}, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/auth/login")
    page.get_by_role("link", name="长辈版").click()
    page.wait_for_url("**/auth/login")
    assert _root_font_px(page) == 24
    context.close()
