"""PDF building blocks shared by certificates and reports (reportlab).

Chinese text uses the TrueType font shipped in app/fonts (a subset of Noto
Serif CJK SC, see app/fonts/build.py): reportlab embeds the glyphs each file
uses, so every reader shows the same characters, and nothing depends on the
fonts of the machine that makes or opens the file."""
import io
import unicodedata
from functools import cache
from pathlib import Path

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph as _Paragraph

CJK_FONT = "XCHNSerifSC"
FONT_FILE = Path(__file__).parent / "fonts" / "xchn-serif-sc.ttf"
# 缺字符号: the typesetter's mark for a character the font does not have.
MISSING = "〓"

# Line-breaking rules (避头尾, GB/T 15834 and W3C clreq): these never begin a line…
NO_LINE_START = frozenset("，。、；：？！…‥·）】》〉」』〕〗〙〛”’）］｝〞％‰℃°,.;:?!)]}%")
# …these never end one…
NO_LINE_END = frozenset("（【《〈「『〔〖〘〚“‘（［｛〝([{￥$")
# …a dash or an ellipsis (two characters long in Chinese) is never cut in two…
UNBREAKABLE_PAIRS = frozenset("—…")
# …and a no-break space holds its neighbours together (第 10 名).
NO_BREAK_SPACE = "\u00a0"


@cache
def register_cjk_font():
    pdfmetrics.registerFont(TTFont(CJK_FONT, str(FONT_FILE)))
    return CJK_FONT


@cache
def covered():
    """Every character the font has a glyph for (glyph 0 is the empty box)."""
    register_cjk_font()
    glyphs = pdfmetrics.getFont(CJK_FONT).face.charToGlyph
    return frozenset(chr(code) for code, glyph in glyphs.items() if glyph)


def printable(text):
    """``text`` with each character the font lacks replaced: by its compatibility
    form when the font has that (full-width letters, ligatures), else by 〓.
    Invisible format characters (zero-width space, BOM) are dropped."""
    have = covered()
    if all(char in have or char in "\n\t" for char in text):
        return text
    out = []
    for char in text:
        if char in have or char in "\n\t":
            out.append(char)
            continue
        if unicodedata.category(char) == "Cf":
            continue
        compatible = unicodedata.normalize("NFKC", char)
        out.append(compatible if compatible and all(c in have for c in compatible) else MISSING)
    return "".join(out)


def missing_characters(text):
    """The characters of ``text`` the certificate font cannot print, in order, once each."""
    have = covered()
    return list(dict.fromkeys(char for char in text if char not in have and not char.isspace()
                              and unicodedata.category(char) != "Cf"))


def style(name, size=10.5, leading=None, **options):
    """A paragraph style in the CJK font; CJK wrapping lets lines break between any two characters."""
    return ParagraphStyle(name, fontName=register_cjk_font(), fontSize=size, leading=leading or size * 1.5,
                          wordWrap="CJK", **options)


class Paragraph(_Paragraph):
    """reportlab's paragraph, with characters the font lacks replaced and
    Chinese line breaking: reportlab's own CJK wrap lets a closing quote or
    comma start a line and an opening bracket end one. A paragraph in one
    style (all of ours) is broken by :func:`break_lines`."""

    def __init__(self, text, style=None, *args, **options):
        # reportlab builds the halves of a paragraph split across pages from frags, with no text.
        super().__init__(printable(text) if text is not None else None, style, *args, **options)

    def breakLinesCJK(self, maxWidths):
        frags = self.frags
        if len(frags) != 1 or hasattr(frags[0], "cbDefn") or self.style.endDots or (
                getattr(self, "_splitpara", 0) and hasattr(self, "blPara")):
            return super().breakLinesCJK(maxWidths)
        frag = frags[0]
        text = frag.text if hasattr(frag, "text") else "".join(getattr(frag, "words", []))
        widths = maxWidths if isinstance(maxWidths, (list, tuple)) else [maxWidths]
        lines = break_lines(text, widths, lambda s: pdfmetrics.stringWidth(s, frag.fontName, frag.fontSize))
        return frag.clone(kind=0, lines=[(space, [line]) for space, line in lines], ascent=frag.fontSize,
                          descent=-0.2 * frag.fontSize)


def _joined(left, right, spaced):
    """Whether a line may not break between the characters ``left`` and
    ``right`` (with a space between them when ``spaced``): not inside a Latin
    word or a number, nor where a punctuation rule above forbids it."""
    return (right in NO_LINE_START or left in NO_LINE_END or (left == right and left in UNBREAKABLE_PAIRS)
            or NO_BREAK_SPACE in (left, right)
            or (not spaced and left.isascii() and right.isascii() and left.isalnum() and right.isalnum()))


def break_lines(text, max_widths, width_of):
    """Lines of ``text`` as ``[(space left, line)]``, each no wider than its
    entry of ``max_widths`` (the last one repeats). A line breaks between any
    two characters except where :func:`_joined` forbids it; the characters
    before such a spot move down with it (推出). Only when a whole line offers
    no allowed spot (a long digest or web address) is it cut where it is full."""
    widths = [width_of(char) for char in text]
    lines, start = [], 0
    while start < len(text):
        limit = max_widths[min(len(lines), len(max_widths) - 1)]
        end, used = start, 0.0
        while end < len(text) and (used + widths[end] <= limit + 1e-6 or end == start):
            used += widths[end]
            end += 1
        if end < len(text):
            end = _break_before(text, start, end)
        line = text[start:end].rstrip(" ")
        lines.append([limit - sum(widths[start:start + len(line)]), line])
        start = end
        while start < len(text) and text[start] == " ":
            start += 1
    return lines


def _break_before(text, start, end):
    """The last allowed break at or before ``end`` (spaces skipped on both
    sides), or ``end`` itself when the line has none."""
    for spot in range(end, start, -1):
        left = text[start:spot].rstrip(" ")
        right = text[spot:].lstrip(" ")
        spaced = text[spot - 1] == " " or text[spot:spot + 1] == " "
        if left and right and not _joined(left[-1], right[0], spaced):
            return spot
    return end


def build(document_factory, flowables, **options):
    """Render ``flowables`` with a platypus document class into bytes."""
    register_cjk_font()
    buffer = io.BytesIO()
    document_factory(buffer, **options).build(flowables)
    return buffer.getvalue()
