"""The report as titled tables: one list of them feeds both the XLSX (a sheet
each) and the PDF (a table each), so the two files always carry the same figures."""
from dataclasses import dataclass

ALPHA_NOTE = ("α 衡量专家之间打分的一致程度：1 表示完全一致，0 表示与随机打分无异。"
              "后几轮的建议水平接近，α 通常会降低。")
DIGEST_NOTE = "下载该轮评分表，用 sha256sum 计算其 SHA-256，应与所列摘要一致。"


@dataclass
class ReportTable:
    title: str
    headers: list[str]
    rows: list[list]
    # Said instead of an empty table, so a reader knows the stage has not come yet.
    empty: str = "暂无数据"
    # How to read the table, printed under it in the PDF.
    note: str = ""


def report_tables(report, table_url):
    """``table_url(round_)``: where anyone can download that round's frozen score table."""
    return [
        ReportTable("概况", ["项目", "数值"], summary_rows(report)),
        ReportTable("各主题建议数", ["主题", "建议数"], report.by_theme if report.submitted else [],
                    "尚无提交的建议"),
        ReportTable("各地区建议数", ["地区", "建议数"], report.by_region if report.submitted else [],
                    "尚无提交的建议"),
        ReportTable("每日提交数", ["日期", "建议数"], report.by_day, "尚无提交的建议"),
        ReportTable("筛选结果", ["结果", "建议数"], report.screening),
        ReportTable("聚类", ["范围", "聚类", "关键词", "建议数", "最接近的主题"],
                    [[row.scope, row.cluster.name, row.cluster.terms, row.cluster.size, row.nearest_theme]
                     for row in report.clusters], "尚未进行聚类分析"),
        ReportTable("评审漏斗", ["轮次", "状态", "评审池", "已有评分的建议", "已提交评分", "晋级"],
                    [[f.round.name, f.round.state.label, f.pool, f.reviewed, f.reviews, f.advanced]
                     for f in report.rounds], "尚未设置评审轮次"),
        ReportTable("评审一致性", ["轮次", "Krippendorff α", "解读"],
                    [[f.round.name, _rounded(f.round.agreement_alpha), f.agreement] for f in report.rounds],
                    "尚未设置评审轮次", ALPHA_NOTE),
        ReportTable("公众投票", ["轮次", "编号", "标题", "有效票（不含作废）", "含作废票", "作废票"],
                    [[v.round.name, row.code, row.title, row.counted, row.with_voided,
                      row.with_voided - row.counted] for v in report.votes for row in v.rows],
                    "尚未开始公众投票"),
        ReportTable("作废投票", ["轮次", "作废时间", "操作人", "理由", "选择方式", "票数", "已恢复",
                              "恢复时间", "恢复理由"],
                    [[v.round.name, _when(void.created_at), void.created_by.display_name, void.reason,
                      void.selection, size, "是" if void.restored_at else "否", _when(void.restored_at),
                      void.restore_reason or ""] for v in report.votes for void, size in v.voids],
                    "没有作废的投票"),
        ReportTable("异议", ["针对的建议", "提出时间", "异议理由", "状态", "裁定意见", "裁定时间"],
                    [[o.entry.title, _when(o.created_at), o.reason, o.state.label, o.ruling or "",
                      _when(o.ruled_at)] for o in report.objections], "没有收到异议"),
        ReportTable("十大金点子",
                    ["名次", "标题", "主题", "地区", "提出人", "专家评分", "公众票数", "综合得分"],
                    [[w.rank, w.title, w.theme_name, w.region, w.proposer, _rounded(w.expert_score),
                      w.public_votes, _rounded(w.blended)] for w in report.winners], report.winners_note),
        ReportTable("评分表摘要", ["轮次", "状态", "截止时间", "SHA-256 摘要", "抽签种子", "评分表下载"],
                    [[r.name, r.state.label, _when(r.closed_at), r.digest, r.tie_seed, table_url(r)]
                     for r in report.frozen_rounds], "尚无截止的评审轮次", DIGEST_NOTE),
    ]


def summary_rows(report):
    rows = [["活动", report.campaign.title], ["年份", report.campaign.year],
            ["报告生成时间", _when(report.generated_at)], ["提交的建议", report.submitted]]
    rows += [[f"筛选：{label}", n] for label, n in report.screening]
    rows += [["聚类数", len(report.clusters)], ["评审轮次", len(report.rounds)],
             ["公众投票有效票", sum(v.counted for v in report.votes)],
             ["异议", report.objection_total], ["十大金点子", len(report.winners)]]
    if report.announcement and report.announcement.digest:
        rows.append(["最终名单 SHA-256 摘要", report.announcement.digest])
    return rows


def _rounded(value):
    return None if value is None else round(value, 3)


def _when(value):
    return value.strftime("%Y-%m-%d %H:%M") if value else ""
