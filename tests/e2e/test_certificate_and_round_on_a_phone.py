"""On a 375 px phone: a closed round's page fits the screen, and a winner
names the certificate, downloads it and follows its QR code to the public
verification page."""
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from tests.voting.certificate_helpers import qr_codes
from voting.certificates.models import Certificate
from voting.notice import queries


def test_closed_round_page_fits_a_phone(phone, judged):
    round_ = judged.rounds[-1]
    phone.log_in(judged.staff)
    phone.goto(f"/voting/rounds/{round_.id}")
    expect(phone.page.get_by_text(round_.digest)).to_be_visible()
    phone.shot("closed-round")
    assert phone.fits_the_screen()


def test_winner_names_downloads_and_verifies_the_certificate_on_a_phone(phone, judged, finalized):
    top = next(e for e in queries.listed(finalized) if e.idea_id == judged.ideas[0].id)
    page = phone.page
    phone.log_in(judged.author)
    phone.goto(f"/winners/{judged.campaign.year}/{top.rank}")
    page.get_by_role("link", name="下载荣誉证书（PDF）").click()
    expect(page.get_by_role("heading", name="领取荣誉证书")).to_be_visible()
    expect(page.locator("#name")).to_have_value(judged.author.real_name)
    assert phone.fits_the_screen()
    phone.shot("name")
    page.fill("#name", "王建国")
    page.get_by_role("button", name="确认姓名并颁发证书").click()
    expect(page.get_by_text("荣誉证书已颁发")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载荣誉证书（PDF）").click()
    data = Path(download.value.path()).read_bytes()

    [url] = qr_codes(data)
    assert url.startswith(phone.base_url + "/certificates/")
    phone.goto(urlsplit(url).path)
    expect(page.get_by_role("heading", name="荣誉证书核验")).to_be_visible()
    db.session.remove()
    certificate = db.session.scalar(select(Certificate))
    main = page.locator("main").inner_text()
    assert certificate.digest in main and "王建国" in main and top.title in main
    phone.shot("verified")
    assert phone.fits_the_screen()
