import hashlib
import secrets

from app.audit.services import log_action
from app.auth.models import User
from app.errors import Refused
from app.extensions import db
from app.locks import lock_row
from app.timeutil import now
from voting.certificates import queries
from voting.certificates.models import Certificate
from voting.certificates.pdf import ISSUER
from voting.notice.models import EntryStatus, NoticeState

# Crockford's base32: no I, L, O or U, so a serial read off paper is typed back right.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SERIAL_GROUPS, GROUP_LENGTH = 4, 5


def new_serial():
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(SERIAL_GROUPS))
    return "-".join(groups)


def certificate_facts(entry, name, serial):
    """What a certificate says, as (label, value) pairs: the content kept, shown on the verification page."""
    announcement = entry.announcement
    day = announcement.finalized_at
    return [("证书编号", serial), ("获奖人", name), ("建议", f"《{entry.title}》"),
            ("活动", announcement.campaign.title), ("荣誉", f"“献策湖南”十大金点子（第 {entry.rank} 名）"),
            ("颁发单位", ISSUER), ("颁发日期", f"{day.year}年{day.month}月{day.day}日"),
            ("名单摘要（SHA-256）", announcement.digest)]


def content_text(facts):
    """The canonical text its digest is taken of: one "label：value" line each, UTF-8."""
    return "".join(f"{label}：{value}\n" for label, value in facts)


def issue_certificate(entry, person, name):
    """Issue ``person``'s certificate for a winning ``entry`` under ``name``. Once
    issued it is final: the paper and the verification page must agree."""
    if entry.announcement.state is not NoticeState.finalized or entry.status is not EntryStatus.listed:
        raise Refused("只有已公布的十大金点子才有荣誉证书")
    # A double click sends two requests: the second waits here for the first
    # to commit, then finds its certificate instead of failing on the unique key.
    lock_row(User, person.id)
    if queries.certificate_of(entry, person) is not None:
        raise Refused("您的荣誉证书已经颁发，证书上的姓名不能再改")
    serial = new_serial()
    content = content_text(certificate_facts(entry, name, serial))
    certificate = Certificate(serial=serial, entry=entry, user=person, name=name, content=content,
                              digest=hashlib.sha256(content.encode()).hexdigest(), issued_at=now())
    db.session.add(certificate)
    db.session.flush()
    log_action(person, "certificate.issue", certificate, serial=serial, digest=certificate.digest)
    return certificate
