import logging
import re

from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.models import Role
from app.extensions import db
from app.identity import sms
from ideas.analysis_services import rebuild
from ideas.models import Idea, IdeaStatus
from tests.factories import IDEA_FIELDS
from tests.ideas.test_analysis import make_topic_ideas


def test_home_page_on_a_phone(phone, make):
    campaign = make.campaign()
    phone.goto("/")
    phone.shot("home")
    for theme in campaign.themes:
        expect(phone.page.get_by_role("heading", name=theme.name)).to_be_visible()
    assert phone.fits_the_screen()


def test_citizen_registers_submits_and_tracks_on_a_phone(phone, make, caplog):
    caplog.set_level(logging.WARNING, logger=sms.__name__)
    campaign = make.campaign()
    existing = make.idea(title="推行园区政区分设")
    make_topic_ideas(make)
    rebuild(campaign)
    db.session.commit()
    page = phone.page
    phone.goto("/auth/register")
    assert phone.fits_the_screen()
    page.fill("#login", "13912345678")
    page.click("button[data-sms-send]")
    page.locator("[data-sms-status]").filter(has_text="验证码已发送至 139****5678").wait_for()
    code = next(r.args[2] for r in caplog.records if r.name == sms.__name__ and r.args[0] == "13912345678")
    page.fill("#code", code)
    page.fill("#password", "xiang-spring")
    page.fill("#password2", "xiang-spring")
    page.fill("#real_name", "张三")
    page.check("#consent")
    phone.shot("register")
    page.click("main button.primary")
    # The code proved the number; then the login page.
    expect(page.get_by_text("注册成功，手机号已验证")).to_be_visible()
    assert phone.fits_the_screen()
    page.fill("#login", "13912345678")
    page.fill("#password", "xiang-spring")
    page.click("main button[type=submit]")
    page.wait_for_url("**/ideas/mine")

    phone.goto("/ideas/new")
    assert phone.fits_the_screen()
    page.fill("#title", "太短")  # refused at the field, the rest kept
    page.select_option("#theme", "parks")
    page.fill("#problem", IDEA_FIELDS["problem"])
    hint = page.locator("#similar-hint")
    expect(hint).to_be_visible()
    # Someone else's idea, not screened yet: neither its title nor its tracking code.
    expect(hint).to_contain_text("一条尚未公开的类似建议")
    expect(hint).not_to_contain_text(existing.title)
    expect(hint).not_to_contain_text(existing.tracking_code)
    phone.shot("similar-hint")
    page.fill("#suggestion", IDEA_FIELDS["suggestion"])
    page.fill("#benefit", IDEA_FIELDS["benefit"])
    page.select_option("#region", "株洲市")
    page.fill("#contact_phone", "13812341234")
    page.click("#submit")
    expect(page.locator("p.error").get_by_text("至少需要 5 个字")).to_be_visible()
    expect(page.locator("#problem")).to_have_value(IDEA_FIELDS["problem"])
    phone.shot("field-error")
    page.fill("#title", IDEA_FIELDS["title"])
    page.dblclick("#submit")  # a double tap still makes one idea
    page.wait_for_url(re.compile(r".*/ideas/\d+$"))
    expect(page.get_by_text("提交成功")).to_be_visible()
    phone.shot("submitted")
    db.session.remove()
    idea = db.session.scalar(select(Idea).where(Idea.title == IDEA_FIELDS["title"]))
    assert idea.status is IdeaStatus.submitted

    phone.goto("/ideas/track")
    page.fill("#code", idea.tracking_code)
    page.click("main button[type=submit]")
    expect(page.get_by_text("待筛选").first).to_be_visible()
    tracked = page.inner_text("main")
    assert "13812341234" not in tracked and "张三" not in tracked and "株洲" not in tracked
    phone.shot("tracked")


def test_staff_screens_and_merges(laptop, make):
    make.campaign()
    staff = make.user(Role.staff, login="staff@example.com")
    kept = make.idea(title="推行园区政区分设")
    duplicate = make.idea(title="园区政区分设（重复）")
    page = laptop.page
    laptop.log_in(staff)
    laptop.goto("/ideas/screening")
    laptop.shot("queue")
    page.click(f"text={duplicate.title}")
    page.fill("#merge-target_code", kept.tracking_code)
    page.fill("#merge-reason", "内容基本一致")
    page.click("text=标记为重复并合并")
    # Both ideas side by side first: a merge cannot be undone.
    page.get_by_role("button", name="确认合并").click()
    expect(page.get_by_text("已处理")).to_be_visible()
    laptop.shot("merged")
    db.session.remove()
    assert db.session.get(Idea, duplicate.id).status is IdeaStatus.merged


def test_similar_ideas_hint_while_typing_on_a_phone(phone, make):
    campaign = make.campaign()
    existing = make.idea(title="推行园区政区分设")
    make_topic_ideas(make)
    rebuild(campaign)
    db.session.commit()
    citizen = make.user(login="13911112222")
    page = phone.page
    phone.log_in(citizen)
    phone.goto("/ideas/new")
    look_ups = []
    page.on("request", lambda request: "/analysis/similar" in request.url and look_ups.append(request))
    page.fill("#title", "县域园区推行政区分设")
    # Longer than a request line may be behind gunicorn (about 450 characters, encoded).
    page.fill("#problem", (existing.problem + "\n") * 8)
    hint = page.locator("#similar-hint")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("一条尚未公开的类似建议")
    expect(hint).not_to_contain_text(existing.title)
    assert look_ups and all(r.method == "POST" and r.url.endswith("/analysis/similar") for r in look_ups)
    assert all(len(r.post_data) > 2000 for r in look_ups[-1:])
    assert phone.fits_the_screen()
    phone.shot("similar-hint")


def test_staff_dashboard_on_a_phone(phone, make):
    make.campaign()
    staff = make.user(Role.staff, login="staff@example.com")
    make.idea()
    phone.log_in(staff)
    for path in ("/analysis/", "/ideas/screening", "/voting/rounds", "/reports/", "/gongshi/manage", "/vote/",
                 "/winners", "/notifications/"):
        phone.goto(path)
        phone.shot(path.strip("/").replace("/", "-") or "home")
        # Wide tables scroll inside their own box; the page itself never does.
        assert phone.fits_the_screen(), path
