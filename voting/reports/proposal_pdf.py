"""建议综述 as a PDF, the document leaders read: the figures, then theme by
theme the main proposals in the public's own words. Built from the report's
own PDF blocks (font, 避头尾 line breaking, tables, charts)."""
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, SimpleDocTemplate

from app.pdf import Paragraph, build, style
from voting.reports.pdf import MARGIN, RED, bar_chart, line_chart, table_flowable
from voting.reports.proposal_tables import HEAT_NOTE, NO_CLUSTERS, proposal_tables


def _p(text, paragraph_style):
    return Paragraph(escape(text), paragraph_style)


def proposal_pdf(report):
    title = style("title", 18, spaceAfter=4 * mm, textColor=RED)
    heading = style("heading", 14, spaceBefore=6 * mm, spaceAfter=2 * mm, textColor=RED)
    subheading = style("subheading", 11.5, spaceBefore=3 * mm, spaceAfter=1 * mm)
    body = style("body", 10)
    quote = style("quote", 10, leftIndent=5 * mm, spaceAfter=1 * mm)
    note = style("note", 8.5, textColor=colors.HexColor("#5c636b"))
    cell, head = style("cell", 8.5), style("head", 8.5, textColor=colors.white)
    tables = {t.title: t for t in proposal_tables(report)}
    campaign = report.campaign
    story = [_p(f"{campaign.title} · 建议综述", title),
             _p(f"报告生成于 {report.generated_at:%Y-%m-%d %H:%M}。{HEAT_NOTE}", note),
             _p("概况", heading), table_flowable(tables["概况"], cell, head)]
    themes = tables["各主题"]
    if themes.rows:
        story += [KeepTogether([_p("各主题建议数", heading),
                                bar_chart([(r[0], r[1]) for r in themes.rows], "across")]),
                  table_flowable(themes, cell, head)]
    if report.rise:
        story += [KeepTogether([_p("热点走势：累计建议数", heading),
                                line_chart([d.strftime("%m-%d") for d in report.days], report.rise)])]
    if not report.proposals:
        story.append(_p(NO_CLUSTERS + "。", body))
    for theme in report.themes:
        h = theme.heat
        block = [_p(theme.name, heading),
                 _p(f"{h.size} 条建议，{h.proposers} 人提出，{h.supporters} 人附议或共同提出，"
                    f"来自 {h.regions} 个地区，热度 {h.score:.1f}。", body)]
        if not theme.proposals:
            block.append(_p("建议较少，尚未归纳出主要建议。", note))
        story.append(KeepTogether(block))
        for n, proposal in enumerate(theme.proposals, start=1):
            ph = proposal.heat
            part = [_p(f"{n}. {proposal.cluster.name}", subheading),
                    _p(f"{ph.size} 条建议，{ph.proposers} 人提出，{ph.supporters} 人附议或共同提出，"
                       f"{ph.regions} 个地区，热度 {ph.score:.1f}。关键词：{proposal.cluster.terms}", note)]
            part += [_p(f"“{sentence}”（{idea.tracking_code}）", quote)
                     for idea, sentence in proposal.sentences]
            story.append(KeepTogether(part))
            story += [_p(f"代表性建议：{idea.tracking_code} {idea.title}（{idea.region or '未填写地区'}，"
                         f"附议与共同提出 {backers} 人）", note) for idea, backers in proposal.ideas]
        if theme.more:
            story.append(_p(f"另有 {theme.more} 个较小的话题未列出。", note))
    return build(SimpleDocTemplate, story, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                 topMargin=MARGIN, bottomMargin=MARGIN, title=f"{campaign.title} 建议综述")
