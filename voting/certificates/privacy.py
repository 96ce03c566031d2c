"""Certificates' share of an account's personal data (app.privacy.parts)."""
from sqlalchemy import select

from app.extensions import db
from app.privacy.parts import PersonalPart
from app.privacy.queries import when
from voting.certificates.models import Certificate


class CertificatesPart(PersonalPart):
    def export(self, user):
        certificates = db.session.execute(select(Certificate).where(Certificate.user_id == user.id)
                                          .order_by(Certificate.id)).scalars()
        return {"荣誉证书": [{"证书编号": c.serial, "证书上的姓名": c.name, "颁发时间": when(c.issued_at),
                          "证书内容": c.content} for c in certificates]}

    def erase(self, user):
        # An issued certificate is a published result: the public page verifies it by its serial.
        pass


PART = CertificatesPart()
