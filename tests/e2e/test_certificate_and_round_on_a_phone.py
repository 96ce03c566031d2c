"""On a 375 px phone: a closed round's page and a certificate's verification
page reached through the QR code printed on it fit the screen."""
from urllib.parse import urlsplit

from playwright.sync_api import expect

from app.extensions import db
from tests.voting.certificate_helpers import qr_codes
from voting.certificates.services import issue_certificate
from voting.notice import queries
from voting.notice.certificate import certificate_pdf


def test_closed_round_page_fits_a_phone(phone, judged):
    round_ = judged.rounds[-1]
    phone.log_in(judged.staff)
    phone.goto(f"/voting/rounds/{round_.id}")
    expect(phone.page.get_by_text(round_.digest)).to_be_visible()
    phone.shot("closed-round")
    assert phone.fits_the_screen()


def test_certificate_verified_by_its_qr_link_on_a_phone(app, phone, judged, finalized):
    top = next(e for e in queries.listed(finalized) if e.idea_id == judged.ideas[0].id)
    certificate = issue_certificate(top, judged.author, judged.author.real_name)
    db.session.commit()
    with app.test_request_context(base_url=phone.base_url):
        data = certificate_pdf(certificate, f"{phone.base_url}/certificates/{certificate.serial}")
    [url] = qr_codes(data)
    assert url.startswith(phone.base_url)
    phone.goto(urlsplit(url).path)
    expect(phone.page.get_by_role("heading", name="荣誉证书核验")).to_be_visible()
    main = phone.page.locator("main").inner_text()
    assert certificate.digest in main and judged.author.real_name in main and top.title in main
    phone.shot("certificate-verified")
    assert phone.fits_the_screen()
