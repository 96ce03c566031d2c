"""The report as a PDF: the same tables as the workbook, with bar charts of
the submissions drawn by reportlab itself (no network, no images)."""
import unicodedata
from datetime import date
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, SimpleDocTemplate, Table, TableStyle

from app.pdf import Paragraph, build, printable, register_cjk_font, style
from voting.reports.tables import report_tables

MARGIN = 18 * mm
WIDTH = A4[0] - 2 * MARGIN
RED = colors.HexColor("#b71c1c")
# Tables whose figures are also drawn: bars across for named categories,
# labelled with their values so they stand in for the table; columns for the
# days in order, above the table of exact figures.
CHARTS = {"各主题建议数": "across", "各地区建议数": "across", "每日提交数": "columns"}
# Table columns, in points.
NARROW_COLUMN, MAX_COLUMN = 60, 250


def report_pdf(report, table_url):
    title = style("title", 18, spaceAfter=4 * mm, textColor=RED)
    heading = style("heading", 13, spaceBefore=5 * mm, spaceAfter=2 * mm)
    note = style("note", 9, textColor=colors.HexColor("#5c636b"))
    cell, head = style("cell", 8.5), style("head", 8.5, textColor=colors.white)
    story = [Paragraph(escape(f"{report.campaign.title} · 活动报告"), title)]
    for table in report_tables(report, table_url):
        block = [Paragraph(escape(table.title), heading)]
        kind = CHARTS.get(table.title) if table.rows else None
        if kind:
            block.append(bar_chart(table.rows, kind))
        if not table.rows:
            block.append(Paragraph(escape(table.empty), note))
        elif kind != "across":
            block.append(table_flowable(table, cell, head))
        if table.note:
            block.append(Paragraph(escape(table.note), note))
        # A heading never ends a page alone: it stays with the chart or table under it.
        story += [KeepTogether(block[:2]), *block[2:]]
    return build(SimpleDocTemplate, story, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                 topMargin=MARGIN, bottomMargin=MARGIN, title=f"{report.campaign.title} 活动报告")


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def table_flowable(table, cell, head):
    texts = [[_text(v) for v in row] for row in table.rows]
    data = [[Paragraph(escape(h), head) for h in table.headers]]
    data += [[Paragraph(escape(t), cell) for t in row] for row in texts]
    result = Table(data, colWidths=_column_widths(table.headers, texts, cell.fontSize), repeatRows=1)
    result.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), RED),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#dcdfe3")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#faf8f5")]),
    ]))
    return result


def _column_widths(headers, texts, size):
    """Each column as wide as its longest text (a Chinese character is as wide
    as the font size, a Latin one about half), within limits. When the page is
    too narrow, narrow columns such as counts keep their width and the wide
    ones share what is left."""
    natural = [min(max(_display_width(text) for text in [header, *(row[i] for row in texts)]) * size / 2 + 12,
                   MAX_COLUMN) for i, header in enumerate(headers)]
    kept = sum(w for w in natural if w <= NARROW_COLUMN)
    wide = sum(natural) - kept
    if sum(natural) <= WIDTH or not wide or kept >= WIDTH:
        return [w * WIDTH / sum(natural) for w in natural]
    return [w if w <= NARROW_COLUMN else w * (WIDTH - kept) / wide for w in natural]


def _display_width(text):
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def bar_chart(rows, kind):
    font = register_cjk_font()
    labels = [printable(_text(label)) for label, _ in rows]
    values = [value for _, value in rows]
    if kind == "across":
        height = 14 * len(rows) + 20
        chart = HorizontalBarChart()
        chart.x, chart.y, chart.width, chart.height = 150, 10, WIDTH - 180, height - 14
        # Top to bottom in the table's order.
        labels, values = labels[::-1], values[::-1]
        chart.categoryAxis.labels.boxAnchor = "e"
        chart.barLabels.boxAnchor = "w"
        chart.barLabels.dx = 3
    else:
        height = 150
        chart = VerticalBarChart()
        chart.x, chart.y, chart.width, chart.height = 30, 30, WIDTH - 40, height - 40
        # A label under every day would overlap; about eight spread evenly read well.
        step = max(1, len(labels) // 8)
        labels = [label[5:] if i % step == 0 else "" for i, label in enumerate(labels)]
        chart.categoryAxis.labels.boxAnchor = "n"
    chart.data = [values]
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(max(values), 1)
    chart.bars[0].fillColor = RED
    chart.bars[0].strokeColor = None
    if kind == "across":
        chart.barLabelFormat = "%d"
        chart.barLabels.fontName = font
        chart.barLabels.fontSize = 7
    drawing = Drawing(WIDTH, height)
    drawing.add(chart)
    return drawing


# Series colours of line charts, as on the site's charts.
LINE_COLOURS = [colors.HexColor(c)
                for c in ("#b71c1c", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f")]


def line_chart(labels, series):
    """Lines of ``series`` ([(name, values)]) over ``labels`` in order, a legend of the names under them."""
    font = register_cjk_font()
    legend_height = 14 * len(series)
    height = 170 + legend_height
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 30, 30 + legend_height, WIDTH - 40, 130
    chart.data = [values for _, values in series]
    step = max(1, len(labels) // 8)
    chart.categoryAxis.categoryNames = [label if i % step == 0 else "" for i, label in enumerate(labels)]
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName, axis.labels.fontSize = font, 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max([1, *(max(values) for _, values in series)])
    for n in range(len(series)):
        chart.lines[n].strokeColor = LINE_COLOURS[n % len(LINE_COLOURS)]
        chart.lines[n].strokeWidth = 1.5
    legend = Legend()
    # A legend's y is its top; its entries go down from there, one a line.
    legend.x, legend.y, legend.fontName, legend.fontSize = 30, legend_height, font, 8
    legend.alignment, legend.columnMaximum = "right", len(series)
    legend.deltay, legend.dy, legend.dx = 14, 6, 8
    legend.colorNamePairs = [(LINE_COLOURS[n % len(LINE_COLOURS)], printable(f"{name}（{values[-1]}）"))
                             for n, (name, values) in enumerate(series)]
    drawing = Drawing(WIDTH, height)
    drawing.add(chart)
    drawing.add(legend)
    return drawing
