"""The screening queue as a spreadsheet for staff."""
from itertools import islice

from app.exports import csv_chunks, xlsx_chunks
from ideas.queries import co_proposer_names, screening_export, standings

HEADERS = ["编号", "标题", "针对的瓶颈", "状态", "所在地区", "问题描述", "对策建议", "预期成效",
           "提出人", "登录账号", "联系电话", "同意公开姓名", "共同提出人", "合并到", "提交时间"]


def idea_row(idea, standing, co_proposers):
    """One line of the sheet from a row of ``queries.screening_export``."""
    return [
        idea.tracking_code, idea.title, idea.theme_name or "", standing.label,
        idea.region or "", idea.problem, idea.suggestion, idea.benefit,
        idea.real_name or "", idea.mobile or idea.email, idea.contact_phone or "",
        "是" if idea.show_name else "否", "、".join(co_proposers), idea.merged_code or "",
        idea.submitted_at.strftime("%Y-%m-%d %H:%M") if idea.submitted_at else "",
    ]


# Column widths of the spreadsheet, set before its rows stream past.
WIDTHS = [16, 40, 20, 14, 12, 60, 60, 40, 10, 14, 14, 8, 20, 16, 18]
BATCH = 1000


def _rows(ideas):
    """Rows batch by batch: each batch's standings in one look-up per stage."""
    ideas = iter(ideas)
    while batch := list(islice(ideas, BATCH)):
        standing = standings(batch)
        co_proposers = co_proposer_names([idea.id for idea in batch])
        yield from (idea_row(idea, standing[idea.id], co_proposers.get(idea.id, ())) for idea in batch)


def stream_ideas(ideas, fmt):
    """The file as byte chunks of the rows of ``queries.screening_export``, read as they are written."""
    if fmt == "csv":
        return csv_chunks(HEADERS, _rows(ideas), BATCH)
    return xlsx_chunks(HEADERS, _rows(ideas), "建议列表", WIDTHS)


def export_ideas(campaign, flt, fmt):
    """The whole file at once, for the command line and tests."""
    return b"".join(stream_ideas(screening_export(campaign, flt), fmt))
