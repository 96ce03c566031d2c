"""荣誉证书: a one-page landscape PDF for each winner, built with reportlab
through app.pdf (CJK font STSong-Light, nothing fetched or embedded)."""
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Spacer

from app import pdf

RED = colors.HexColor("#b71c1c")
GOLD = colors.HexColor("#c9a227")
ISSUER = "中共湖南省委社会工作部"


def _border(canvas, document):
    width, height = document.pagesize
    canvas.saveState()
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(5)
    canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(1.5)
    canvas.rect(17 * mm, 17 * mm, width - 34 * mm, height - 34 * mm)
    canvas.restoreState()


class CertificateDocument(BaseDocTemplate):
    def __init__(self, buffer, **options):
        super().__init__(buffer, pagesize=landscape(A4), leftMargin=36 * mm, rightMargin=36 * mm,
                         topMargin=30 * mm, bottomMargin=24 * mm, **options)
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="certificate")
        self.addPageTemplates([PageTemplate("certificate", frames=[frame], onPage=_border)])


def certificate_number(entry):
    return f"XCHN-{entry.announcement.campaign.year}-{entry.rank:02d}"


def certificate_pdf(entry, person):
    """The certificate of ``person`` (the author or a credited co-proposer) for a winning entry."""
    announcement = entry.announcement
    campaign = announcement.campaign
    day = announcement.finalized_at
    body = pdf.style("certificate-body", 17, leading=32, firstLineIndent=34)
    right = pdf.style("certificate-issuer", 16, leading=26, alignment=TA_RIGHT)
    flowables = [
        Paragraph("荣 誉 证 书", pdf.style("certificate-title", 40, leading=56, alignment=TA_CENTER,
                                           textColor=RED, spaceAfter=16)),
        Paragraph(f"{escape(person.real_name or person.display_name)}：",
                  pdf.style("certificate-name", 20, leading=34, spaceAfter=6)),
        Paragraph(f"您提出的建议《{escape(entry.title)}》在{escape(campaign.title)}中，经专家评审和社会公示，"
                  f"被评为“献策湖南”十大金点子（第 {entry.rank} 名）。", body),
        Paragraph("特发此证，以资鼓励。", body),
        Spacer(1, 16 * mm),
        Paragraph(ISSUER, right),
        Paragraph(f"{day.year}年{day.month}月{day.day}日", right),
        Spacer(1, 8 * mm),
        Paragraph(f"证书编号：{certificate_number(entry)}　名单摘要（SHA-256）：{announcement.digest}",
                  pdf.style("certificate-footer", 8, textColor=colors.grey)),
    ]
    return pdf.build(CertificateDocument, flowables, title="荣誉证书", author=ISSUER,
                     subject=f"“献策湖南”十大金点子 {campaign.year}")
