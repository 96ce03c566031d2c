"""Reading a certificate back: its text, and the QR code decoded from the page as printed."""
import re

import pypdfium2
import zxingcpp

from tests.pdf_checks import assert_every_character_has_a_glyph


def certificate_text(data):
    """The text drawn, whitespace removed; fails on any character without a glyph."""
    return re.sub(r"\s+", "", assert_every_character_has_a_glyph(data))


def qr_codes(data, scale=3):
    """The QR codes found on the first page rendered at ``scale`` × 72 dpi."""
    document = pypdfium2.PdfDocument(data)
    try:
        page = document[0]
        bitmap = page.render(scale=scale)
        image = bitmap.to_pil()
        bitmap.close()
        page.close()
    finally:
        document.close()
    return [result.text for result in zxingcpp.read_barcodes(image)
            if result.format == zxingcpp.BarcodeFormat.QRCode]
