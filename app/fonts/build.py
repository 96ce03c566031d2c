"""Rebuild ``xchn-serif-sc.ttf`` from Debian's fonts-noto-cjk (Noto Serif CJK SC,
SIL Open Font License 1.1, see OFL.txt) by hand: ``python -m app.fonts.build``.

reportlab embeds TrueType outlines only, so the subset's cubic (CFF) outlines are
converted to quadratic ones. The character set is every GBK character (the 21,003
汉字 of the basic CJK block, which covers the characters of names, and GBK's
punctuation and symbols), printable ASCII and Latin-1, general punctuation,
CJK symbols, full-width forms and circled numbers, plus 〓, the typesetter's mark
for a character the font lacks. Needs fontTools (requirements-dev.txt)."""
import sys
import unicodedata
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
SIMPLIFIED = 2  # index of Noto Serif CJK SC in the collection
TARGET = Path(__file__).with_name("xchn-serif-sc.ttf")
FAMILY = "XCHN Serif SC"
RANGES = [(0x20, 0x7E), (0xA0, 0xFF), (0x2010, 0x205E), (0x2460, 0x2473), (0x3000, 0x303F),
          (0xFF01, 0xFF5E), (0xFFE0, 0xFFE6)]


def gbk_characters():
    found = set()
    for lead in range(0x81, 0xFF):
        for trail in range(0x40, 0xFF):
            try:
                char = bytes([lead, trail]).decode("gbk")
            except UnicodeDecodeError:
                continue
            if unicodedata.category(char)[0] != "C":
                found.add(ord(char))
    return found


def wanted():
    codes = gbk_characters() | {0x3013}
    for low, high in RANGES:
        codes.update(range(low, high + 1))
    return codes


def to_truetype(font):
    """Replace the CFF outlines by quadratic glyf ones (max error 1 unit of 1000)."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                  "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0
    font.sfntVersion = "\0\1\0\0"


def rename(font):
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 3, 4, 6, 16, 17, 21, 22):
            names.removeNames(nameID=record.nameID)
    for name_id, value in ((1, FAMILY), (2, "Regular"), (3, f"{FAMILY} Regular subset"),
                           (4, f"{FAMILY} Regular"), (6, FAMILY.replace(" ", "") + "-Regular")):
        names.setName(value, name_id, 3, 1, 0x409)
        names.setName(value, name_id, 1, 0, 0)


def main():
    font = TTFont(SOURCE, fontNumber=SIMPLIFIED)
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "DSIG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted())
    subsetter.subset(font)
    to_truetype(font)
    rename(font)
    font.save(TARGET)
    print(f"{TARGET}: {len(font.getGlyphOrder())} glyphs, {TARGET.stat().st_size} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
