"""The screening queue as a spreadsheet for staff."""
from itertools import islice

from app.exports import csv_bytes, csv_chunks, neutralize, xlsx_chunks
from app.extensions import db
from ideas.queries import co_proposer_names, export_extras, screening_csv_blocks, screening_export, standings

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


def stream_ideas(campaign, flt, fmt):
    """The file of the ideas under the filter as byte chunks, written as they are
    read. A CSV on PostgreSQL is written by the server (``queries.screening_csv_blocks``),
    with the same cells as the rows here."""
    if fmt == "xlsx":
        return xlsx_chunks(HEADERS, _rows(screening_export(campaign, flt)), "建议列表", WIDTHS)
    if db.session.get_bind().dialect.name != "postgresql":
        return csv_chunks(HEADERS, _rows(screening_export(campaign, flt)), BATCH)
    return _copied_csv(campaign, flt)


def _copied_csv(campaign, flt):
    yield csv_bytes(HEADERS, [])
    extras = {idea_id: (label or "", neutralize("、".join(names)))
              for idea_id, (label, names) in export_extras(campaign, flt).items()}
    yield from screening_csv_blocks(campaign, flt, extras)


def export_ideas(campaign, flt, fmt):
    """The whole file at once, for the command line and tests."""
    return b"".join(stream_ideas(campaign, flt, fmt))
