"""app.pdf: the shipped font, characters it lacks, and Chinese line breaking (避头尾)."""
import io

from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.platypus import Paragraph as PlainParagraph
from reportlab.platypus import SimpleDocTemplate

from app import pdf
from tests.pdf_checks import assert_every_character_has_a_glyph, drawn_text, font_cmap

CLOSING_QUOTE_TEXT = ("他说：“园区要专心招商，管委会不再管社会事务，政区分设以后权责清楚了，"
                      "企业办事更方便。”然后走了。")


def _render(paragraph_class, text, width):
    body = pdf.style("body", 12)
    return pdf.build(SimpleDocTemplate, [paragraph_class(text, body)], pagesize=(width, A4[1]),
                     leftMargin=0, rightMargin=0)


def test_reportlab_reads_the_same_cmap_as_fonttools():
    assert {ord(c) for c in pdf.covered()} == font_cmap()
    for char in "·“”‘’《》〓（）—…￥％" + "湖南喆堃赟珺" + "ABCxyz0123456789":
        assert char in pdf.covered()


def test_characters_the_font_lacks_become_their_plain_form_or_the_missing_mark():
    assert pdf.printable("献策湖南 · 金点子") == "献策湖南 · 金点子"
    assert pdf.printable("ﬁ😀𠀀\u200b") == "fi〓〓"
    assert pdf.missing_characters("张😀三😀𠀀 \u200b") == ["😀", "𠀀"]


def test_the_glyph_check_catches_a_missing_glyph():
    """reportlab's own paragraph draws a character the font lacks as an empty
    box; the check sees it. Ours prints the missing mark instead."""
    drawn = _render(PlainParagraph, "表情😀", 300)
    try:
        assert_every_character_has_a_glyph(drawn)
    except AssertionError as error:
        assert "no glyph" in str(error)
    else:
        raise AssertionError("a missing glyph went unnoticed")
    assert "表情〓" in assert_every_character_has_a_glyph(_render(pdf.Paragraph, "表情😀", 300))


def _lines(data):
    return [text for text, _ in drawn_text(data)]


def test_closing_punctuation_never_starts_a_line_in_the_pdf():
    # 12 pt characters, 22 or 23 to a line: reportlab's own wrap starts a line
    # with the closing ” (22) or the comma (23); ours moves a character down with them.
    expected = ["他说：“园区要专心招商，管委会不再管社会事", "务，政区分设以后权责清楚了，企业办事更方",
                "便。”然后走了。"]
    for per_line, closing in ((22, "”"), (23, "，")):
        plain = _lines(_render(PlainParagraph, CLOSING_QUOTE_TEXT, 12 * per_line))
        assert any(line.startswith(closing) for line in plain)
        ours = [line.strip() for line in _lines(_render(pdf.Paragraph, CLOSING_QUOTE_TEXT, 12 * per_line))]
        assert ours == expected


def test_a_paragraph_split_across_pages_keeps_every_character():
    text = "“湖南”的建议，写得很长。" * 120
    data = pdf.build(SimpleDocTemplate, [pdf.Paragraph(text, pdf.style("body", 12))], pagesize=(200, 300))
    assert "".join(line.strip() for line in _lines(data)) == text
    assert len(PdfReader(io.BytesIO(data)).pages) > 1


def _width(char):
    return 0.5 if char.isascii() else 1.0


def _breaks(text, width):
    return [line for _, line in pdf.break_lines(text, [width], _width)]


def test_opening_punctuation_never_ends_a_line():
    assert _breaks("我们的建议《湖南省长株潭》", 6) == ["我们的建议", "《湖南省长株潭》"[:6], "潭》"]
    assert _breaks("一二三四“五六”七", 5) == ["一二三四", "“五六”七"]


def test_latin_words_numbers_and_dashes_stay_whole_unless_a_line_has_no_break():
    assert _breaks("共 12345 条建议", 3.5) == ["共", "12345", "条建议"]
    assert _breaks("等等——然后", 3) == ["等等", "——然", "后"]
    assert _breaks("评为第\u00a010\u00a0名", 5) == ["评为", "第\u00a010\u00a0名"]
    digest = "ab" * 16
    assert _breaks(digest, 8) == [digest[i:i + 16] for i in range(0, 32, 16)]


SEGMENTS = ["我", "们", "湖南", "发展，", "招商。", "“好”", "《长株潭》", "（三高四新）", "说：", "2026 年",
            "…"]


@given(st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=40), st.integers(min_value=6, max_value=30))
def test_lines_keep_the_text_fit_and_obey_the_rules(segments, width):
    text = "".join(segments)
    lines = _breaks(text, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for line in lines:
        assert sum(_width(c) for c in line) <= width
    for before, after in zip(lines, lines[1:]):
        assert after[0] not in pdf.NO_LINE_START and before[-1] not in pdf.NO_LINE_END
