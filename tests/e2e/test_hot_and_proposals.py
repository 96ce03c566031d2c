"""On a 375 px phone: staff read the 热点 page and the 建议综述, charts and tables
inside the screen, and follow a main proposal to its cluster."""
from playwright.sync_api import expect

from tests.voting.reports.test_proposals import proposed  # noqa: F401 (fixture)


def test_staff_read_hot_topics_and_the_summary_on_a_phone(phone, proposed):  # noqa: F811
    phone.log_in(proposed["staff"])
    page = phone.page
    phone.goto("/analysis/")
    page.get_by_role("link", name="热点：聚类和主题热度排行").click()
    expect(page.get_by_role("heading", name="聚类热度排行")).to_be_visible()
    expect(page.locator("svg polyline").first).to_be_attached()
    phone.shot("hot")
    assert phone.fits_the_screen()
    phone.goto("/reports/")
    page.get_by_role("link", name="建议综述").click()
    expect(page.get_by_role("heading", name="建议综述", exact=True)).to_be_visible()
    expect(page.locator("q").first).to_be_visible()
    phone.shot("proposals")
    assert phone.fits_the_screen()
    page.locator("article.proposal h3 a").first.click()
    expect(page.get_by_role("heading", name="聚类：", exact=False)).to_be_visible()
    assert phone.fits_the_screen()
