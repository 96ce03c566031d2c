"""Checks of the PDFs we render: every character drawn has a glyph in the
font it is drawn in, read from the font file's own cmap with fontTools."""
import io
from functools import cache

from fontTools.ttLib import TTFont
from pypdf import PdfReader

from app.pdf import FONT_FILE

FONT_NAME = "XCHNSerifSC-Regular"


@cache
def font_cmap():
    with TTFont(FONT_FILE) as font:
        return frozenset(font.getBestCmap())


def drawn_text(data):
    """(text, font name) for every piece of text the PDF shows, page by page."""
    pieces = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            pieces.append((text, str(font["/BaseFont"]) if font else None))

    for page in PdfReader(io.BytesIO(data)).pages:
        page.extract_text(visitor_text=visit)
    return pieces


def assert_every_character_has_a_glyph(data):
    """Fails on a character missing from the font's cmap, or text drawn in any
    other font (such as reportlab's default Helvetica); returns the text."""
    pieces = drawn_text(data)
    assert pieces, "the PDF shows no text"
    fonts = {font for _, font in pieces}
    assert all(font and font.split("+")[-1] == FONT_NAME for font in fonts), fonts
    cmap = font_cmap()
    missing = sorted({char for text, _ in pieces for char in text
                      if not char.isspace() and ord(char) not in cmap})
    assert not missing, f"no glyph for {missing}"
    return "".join(text for text, _ in pieces)
