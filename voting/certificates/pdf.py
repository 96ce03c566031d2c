"""荣誉证书: a one-page landscape PDF for each winner, built with reportlab
through app.pdf (the CJK font shipped in app/fonts), with a QR code of its
public verification page."""
from xml.sax.saxutils import escape

import segno
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, FrameBreak, PageTemplate, Spacer, Table, TableStyle

from app import pdf

RED = colors.HexColor("#b71c1c")
GOLD = colors.HexColor("#c9a227")
ISSUER = "中共湖南省委社会工作部"
QR_SIZE = 26 * mm
FOOT_HEIGHT = 50 * mm


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
    """The text from the top; the QR code, the issuer and the serials in a frame
    of their own at the foot, so they stay in place however long the text."""

    def __init__(self, buffer, **options):
        super().__init__(buffer, pagesize=landscape(A4), leftMargin=36 * mm, rightMargin=36 * mm,
                         topMargin=26 * mm, bottomMargin=22 * mm, **options)
        foot = Frame(self.leftMargin, self.bottomMargin, self.width, FOOT_HEIGHT, id="foot",
                     topPadding=0, bottomPadding=0)
        body = Frame(self.leftMargin, self.bottomMargin + FOOT_HEIGHT, self.width, self.height - FOOT_HEIGHT,
                     id="body")
        self.addPageTemplates([PageTemplate("certificate", frames=[body, foot], onPage=_border)])


def qr_drawing(url, size=QR_SIZE):
    """The QR code of ``url`` (segno, error correction M, quiet zone of 2 modules) as vector squares."""
    code = segno.make_qr(url, error="m")
    border = 2
    modules = code.symbol_size(border=border)[0]
    unit = size / modules
    drawing = Drawing(size, size)
    for row, line in enumerate(code.matrix_iter(border=border)):
        for column, dark in enumerate(line):
            if dark:
                drawing.add(Rect(column * unit, size - (row + 1) * unit, unit, unit, fillColor=colors.black,
                                 strokeColor=None))
    return drawing


def certificate_pdf(certificate, verify_url):
    """The certificate as issued (the name, serial and digest recorded on ``certificate``)."""
    entry = certificate.entry
    announcement = entry.announcement
    campaign = announcement.campaign
    day = announcement.finalized_at
    body = pdf.style("certificate-body", 17, leading=30, firstLineIndent=34)
    right = pdf.style("certificate-issuer", 16, leading=26, alignment=TA_RIGHT)
    small = pdf.style("certificate-footer", 8, leading=11, textColor=colors.grey)
    seal = Table([[[qr_drawing(verify_url), pdf.Paragraph("扫码核验证书", small)],
                   [pdf.Paragraph(ISSUER, right),
                    pdf.Paragraph(f"{day.year}年{day.month}月{day.day}日", right)]]],
                 colWidths=[QR_SIZE + 4 * mm, None])
    seal.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (0, 0), 0)]))
    flowables = [
        pdf.Paragraph("荣 誉 证 书", pdf.style("certificate-title", 40, leading=56, alignment=TA_CENTER,
                                               textColor=RED, spaceAfter=12)),
        pdf.Paragraph(f"{escape(certificate.name)}：",
                      pdf.style("certificate-name", 20, leading=34, spaceAfter=4)),
        pdf.Paragraph(f"您提出的建议《{escape(entry.title)}》在{escape(campaign.title)}中，经专家评审和社会公示，"
                      f"被评为“献策湖南”十大金点子（第{pdf.NO_BREAK_SPACE}{entry.rank}{pdf.NO_BREAK_SPACE}名）。",
                      body),
        pdf.Paragraph("特发此证，以资鼓励。", body),
        FrameBreak(),
        seal,
        Spacer(1, 4 * mm),
        pdf.Paragraph(f"证书编号：{certificate.serial}　核验：{escape(verify_url)}", small),
        pdf.Paragraph(f"证书摘要（SHA-256）：{certificate.digest}", small),
        pdf.Paragraph(f"名单摘要（SHA-256）：{announcement.digest}", small),
    ]
    return pdf.build(CertificateDocument, flowables, title="荣誉证书", author=ISSUER,
                     subject=f"“献策湖南”十大金点子 {campaign.year}")
