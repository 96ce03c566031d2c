"""荣誉证书: the winner chooses the name printed, the PDF has a glyph for every
character, and its QR code leads to a public page that shows what it says
and its digest."""
import hashlib
import io
import re
import threading
from datetime import datetime
from types import SimpleNamespace
from urllib.parse import urlsplit

from pypdf import PdfReader
from sqlalchemy import func, select

from app.auth.models import User, mask_phone
from app.errors import Refused
from app.extensions import db
from app.pdf import MISSING
from tests.voting.certificate_helpers import certificate_text, qr_codes
from voting.certificates import services
from voting.certificates.models import Certificate
from voting.certificates.queries import certificate_of
from voting.notice import queries
from voting.certificates.pdf import certificate_pdf
from voting.notice.models import NoticeEntry

SERIAL = re.compile(r"^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}$")


def text(response):
    return response.get_data(as_text=True)


def _top(judged, finalized):
    return next(e for e in queries.listed(finalized) if e.idea_id == judged.ideas[0].id)


def test_a_winner_without_a_real_name_chooses_the_name_on_the_certificate(client, auth, judged, finalized):
    author = judged.author
    author.real_name = None
    db.session.commit()
    top = _top(judged, finalized)
    base = f"/winners/{judged.campaign.year}/{top.rank}"
    auth.login(author)
    assert client.get(f"{base}/certificate.pdf").headers["Location"].endswith(f"{base}/certificate")
    # The form starts empty: the masked login is never offered as a name.
    main = text(client.get(f"{base}/certificate")).split("<main")[1]
    assert "证书上的姓名" in main and mask_phone(author.mobile) not in main
    for typed, message in (("", "请填写证书上的姓名"), (mask_phone(author.mobile), "不能有数字"),
                           ("张𠀀", "证书字体中没有“𠀀”"), ("长" * 21, "不能超过 20 个字")):
        response = client.post(f"{base}/certificate", data={"name": typed})
        assert response.status_code == 200 and message in text(response)
        assert f'value="{typed}"' in text(response)
    assert certificate_of(top, author) is None

    response = client.post(f"{base}/certificate", data={"name": "  买买提·\u200b艾力 "})
    assert response.headers["Location"].endswith(base)
    assert "荣誉证书已颁发" in text(client.get(base))
    flat = certificate_text(client.get(f"{base}/certificate.pdf").data)
    assert flat.startswith("荣誉证书买买提·艾力：") and "献策湖南·金点子征集（测试）" in flat
    assert f"《{top.title}》" in flat and "****" not in flat and MISSING not in flat

    # Issued once: the name page now leads to the file, and the name stays.
    assert client.get(f"{base}/certificate").headers["Location"].endswith(f"{base}/certificate.pdf")
    client.post(f"{base}/certificate", data={"name": "别的名字"})
    db.session.expire_all()
    assert certificate_of(top, author).name == "买买提·艾力"


def test_the_qr_code_leads_to_a_page_that_shows_the_certificate_and_its_digest(client, auth, judged,
                                                                                finalized):
    top = _top(judged, finalized)
    base = f"/winners/{judged.campaign.year}/{top.rank}"
    auth.login(judged.co_author)
    client.post(f"{base}/certificate", data={"name": "李秀英"})
    data = client.get(f"{base}/certificate.pdf").data
    certificate = certificate_of(top, judged.co_author)
    assert SERIAL.match(certificate.serial)
    assert certificate.digest == hashlib.sha256(certificate.content.encode()).hexdigest()
    # What is recorded is what is printed: every fact, the serial and the digest.
    flat = certificate_text(data)
    assert certificate.digest in flat
    for _, value in certificate.facts():
        assert re.sub(r"\s+", "", value) in flat

    [url] = qr_codes(data)
    assert url == f"http://localhost/certificates/{certificate.serial}"
    auth.logout()
    page = text(client.get(urlsplit(url).path))
    assert certificate.digest in page
    for label, value in certificate.facts():
        assert f"<dt>{label}</dt>" in page and value in page
    assert f"/winners/{judged.campaign.year}.txt" in page
    # Typed back from paper in lower case, it is found all the same.
    assert client.get(f"/certificates/{certificate.serial.lower()}").status_code == 200


def test_serials_are_random_unknown_ones_are_not_found_and_each_winner_has_their_own(client, judged,
                                                                                     finalized):
    top = _top(judged, finalized)
    mine = services.issue_certificate(top, judged.author, "王建国")
    theirs = services.issue_certificate(top, judged.co_author, "李秀英")
    db.session.commit()
    assert mine.serial != theirs.serial and mine.digest != theirs.digest
    serials = {services.new_serial() for _ in range(1000)}
    assert len(serials) == 1000 and all(SERIAL.match(s) for s in serials)
    assert client.get(f"/certificates/{services.new_serial()}").status_code == 404
    assert client.get("/certificates/1").status_code == 404


def test_only_a_finalized_winner_gets_a_certificate(client, auth, make, judged, finalized):
    top = _top(judged, finalized)
    base = f"/winners/{judged.campaign.year}/{top.rank}"
    auth.login(make.user())
    assert client.get(f"{base}/certificate").status_code == 403
    assert client.post(f"{base}/certificate", data={"name": "张三"}).status_code == 403
    assert client.get(f"/winners/{judged.campaign.year}/11/certificate").status_code == 404


def test_a_double_click_issues_one_certificate(app, judged, finalized):
    """The second request waits for the first to commit, then is refused with a message, not a 500."""
    top = _top(judged, finalized)
    services.issue_certificate(top, judged.author, "王建国")  # flushed, not yet committed
    second = {}

    def issue_again():
        with app.app_context():
            try:
                services.issue_certificate(db.session.get(NoticeEntry, top.id),
                                           db.session.get(User, judged.author.id), "王建国")
            except Refused as exc:
                second["refused"] = exc.message
            finally:
                db.session.rollback()

    thread = threading.Thread(target=issue_again)
    thread.start()
    thread.join(1)
    assert thread.is_alive(), "the second issue must wait for the first"
    db.session.commit()
    thread.join(30)
    assert second == {"refused": "您的荣誉证书已经颁发，证书上的姓名不能再改"}
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_the_longest_texts_still_fit_one_page():
    """Longest title (40), campaign title (80) and name (20): one page, every glyph there."""
    campaign = SimpleNamespace(title="“献策湖南”·" + "金点子征集活动，" * 9, year=2026)
    announcement = SimpleNamespace(campaign=campaign, finalized_at=datetime(2026, 12, 1), digest="a" * 64)
    entry = SimpleNamespace(announcement=announcement, title="关于“三高四新”战略的建议：" + "湖南" * 13,
                            rank=10)
    certificate = SimpleNamespace(entry=entry, name="买买提·" + "艾" * 16, serial=services.new_serial(),
                                  digest="b" * 64)
    data = certificate_pdf(certificate, f"https://example.org/certificates/{certificate.serial}")
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    flat = certificate_text(data)
    assert entry.title in flat and re.sub(r"\s+", "", campaign.title) in flat and certificate.name in flat
