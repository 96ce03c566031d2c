"""The screening queue as a spreadsheet for staff."""
from app.exports import csv_bytes, xlsx_bytes
from ideas.queries import standings

HEADERS = ["编号", "标题", "针对的瓶颈", "状态", "所在地区", "问题描述", "对策建议", "预期成效",
           "提出人", "登录账号", "联系电话", "同意公开姓名", "共同提出人", "合并到", "提交时间"]


def idea_row(idea, standing):
    return [
        idea.tracking_code, idea.title, idea.theme.name if idea.theme else "", standing.label,
        idea.region or "", idea.problem, idea.suggestion, idea.benefit,
        idea.author.real_name or "", idea.author.login_name, idea.contact_phone or "",
        "是" if idea.show_name else "否",
        "、".join(c.user.display_name for c in idea.co_proposers),
        idea.merged_into.tracking_code if idea.merged_into else "",
        idea.submitted_at.strftime("%Y-%m-%d %H:%M") if idea.submitted_at else "",
    ]


def export_ideas(ideas, fmt):
    ideas = list(ideas)
    standing = standings(ideas)
    rows = [idea_row(idea, standing[idea.id]) for idea in ideas]
    if fmt == "csv":
        return csv_bytes(HEADERS, rows)
    return xlsx_bytes(HEADERS, rows, "建议列表")
