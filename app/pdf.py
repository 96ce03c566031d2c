"""PDF building blocks shared by certificates and reports (reportlab).

Chinese text uses reportlab's built-in CID font STSong-Light: its metrics ship
with reportlab and readers supply the glyphs, so nothing is fetched or
embedded and the files stay small."""
import io
from functools import cache

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

CJK_FONT = "STSong-Light"


@cache
def register_cjk_font():
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    return CJK_FONT


def style(name, size=10.5, leading=None, **options):
    """A paragraph style in the CJK font; CJK wrapping lets lines break between any two characters."""
    return ParagraphStyle(name, fontName=register_cjk_font(), fontSize=size, leading=leading or size * 1.5,
                          wordWrap="CJK", **options)


def build(document_factory, flowables, **options):
    """Render ``flowables`` with a platypus document class into bytes."""
    register_cjk_font()
    buffer = io.BytesIO()
    document_factory(buffer, **options).build(flowables)
    return buffer.getvalue()
