"""建议综述 as titled tables: the workbook has a sheet for each, the PDF the same figures."""
from app.exports import workbook_bytes
from ideas.heat_queries import WINDOW
from voting.reports.tables import ReportTable

NO_CLUSTERS = "尚未进行聚类分析：在“主题分析”重新分析后生成主要建议"
HEAT_NOTE = ("热度综合提出人数（同一人只算一次）、附议与共同提出人数（算半个提出人）、"
             f"近 {WINDOW.days} 天的增长和地区分布；只计待筛选和已采纳的建议。")


def _when(value):
    return value.strftime("%Y-%m-%d %H:%M")


def _heat(heat):
    return round(heat.score, 1)


def proposal_tables(report):
    total = report.total
    summary = [["活动", report.campaign.title], ["报告生成时间", _when(report.generated_at)],
               ["计入的建议", total.size], ["提出人", total.proposers], ["附议与共同提出", total.supporters],
               ["涉及地区", total.regions], ["主题", len(report.themes)], ["主要建议", len(report.proposals)]]
    return [
        ReportTable("概况", ["项目", "数值"], summary, note=HEAT_NOTE),
        ReportTable("各主题", ["主题", "建议数", "提出人", "附议与共同提出", "地区数",
                            f"近{WINDOW.days}天新增", "热度"],
                    [[t.name, t.heat.size, t.heat.proposers, t.heat.supporters, t.heat.regions,
                      t.heat.recent, _heat(t.heat)] for t in report.themes], "尚无计入的建议"),
        ReportTable("主要建议", ["主题", "名次", "主要建议", "关键词", "建议数", "提出人",
                             "附议与共同提出", "地区数", "热度"],
                    [[t.name, n, p.cluster.name, p.cluster.terms, p.heat.size, p.heat.proposers,
                      p.heat.supporters, p.heat.regions, _heat(p.heat)]
                     for t in report.themes for n, p in enumerate(t.proposals, start=1)], NO_CLUSTERS),
        ReportTable("代表性语句", ["主题", "主要建议", "语句", "出自"],
                    [[t.name, p.cluster.name, sentence, idea.tracking_code]
                     for t in report.themes for p in t.proposals
                     for idea, sentence in p.sentences], NO_CLUSTERS),
        ReportTable("代表性建议", ["主题", "主要建议", "编号", "标题", "地区", "附议与共同提出"],
                    [[t.name, p.cluster.name, idea.tracking_code, idea.title, idea.region or "", backers]
                     for t in report.themes for p in t.proposals for idea, backers in p.ideas], NO_CLUSTERS),
        ReportTable("热点走势", ["日期", *(name for name, _ in report.rise)],
                    [[day, *(counts[n] for _, counts in report.rise)] for n, day in enumerate(report.days)],
                    NO_CLUSTERS, "最热的几个主要建议每天累计的建议数。"),
    ]


def proposal_xlsx(report):
    return workbook_bytes((table.title, table.headers, table.rows or [[table.empty]])
                          for table in proposal_tables(report))
