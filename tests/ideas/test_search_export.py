"""The screening search on PostgreSQL finds by the stored jieba tokens what the
substring search (SQLite's way) finds; downloads stream in batches, every row once."""
import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from app.extensions import db
from ideas import exports, queries, replies, services
from ideas.models import CoProposer, IdeaStatus

CORPUS = [
    ("城区停车难的对策", "老城区停车位严重不足，车辆乱停占用人行道。",
     "利用闲置空地建设立体停车场，推行错时共享停车。"),
    ("社区养老服务下沉", "独居老人缺少日常照料，养老机构床位紧张。",
     "在社区建设嵌入式养老服务站，提供助餐助浴。"),
    ("垃圾分类要落到实处", "小区垃圾分类流于形式，分类投放后又混装运输。",
     "完善分类运输车辆，公开垃圾去向，奖励做得好的小区。"),
    ("夜间施工噪音扰民", "工地夜间施工噪音大，周边居民难以入睡。",
     "严格夜间施工审批，安装噪音监测设备并公开数据。"),
    ("公交线路优化", "新区公交线路少、班次间隔长，群众出行不便。",
     "根据客流调整线路，开通社区微循环公交，方便停车换乘。"),
]
WORDS = ("停车", "养老", "垃圾", "噪音", "公交", "社区", "施工", "停车 公交")


@pytest.fixture
def corpus(make):
    ideas = [make.idea(title=t, problem=p, suggestion=s, benefit="群众满意。") for t, p, s in CORPUS]
    return ideas[0].campaign, ideas


def _found(campaign, q):
    return {i.id for i in queries.screening_page(campaign, queries.ScreeningFilter(q=q), None, 100).items}


def _substring(campaign, word):
    """What the substring search finds for each word of the query, all of them."""
    return set.intersection(*(
        {i.id for i in _all(campaign) if part in "\n".join((i.title, i.problem, i.suggestion, i.benefit))}
        for part in word.split()))


def _all(campaign):
    return queries.screening_page(campaign, queries.ScreeningFilter(), None, 100).items


@pytest.mark.postgres_only
def test_token_search_finds_what_the_substring_search_finds(corpus):
    campaign, ideas = corpus
    for word in WORDS:
        expected = _substring(campaign, word)
        assert expected, word
        assert _found(campaign, word) == expected, word
    assert _found(campaign, ideas[2].tracking_code) == {ideas[2].id}
    assert _found(campaign, "火星移民") == set()


@pytest.mark.postgres_only
def test_a_query_without_any_token_falls_back_to_the_substring_search(corpus):
    campaign, ideas = corpus
    # One character is no jieba token: still found, as before.
    assert _found(campaign, "床") == {ideas[1].id}


def test_the_search_on_either_database_finds_the_idea_by_a_word(client, staff, corpus):
    campaign, ideas = corpus
    page = client.get("/ideas/screening?q=养老").get_data(as_text=True)
    assert ideas[1].title in page and ideas[0].title not in page


def test_a_streamed_csv_has_every_row_once_in_batches(client, make, staff, monkeypatch):
    made = [make.idea(title=f"导出的第{n}条建议") for n in range(7)]
    monkeypatch.setattr(exports, "BATCH", 3)  # rows a chunk, written in Python (SQLite)
    monkeypatch.setattr(queries, "COPY_BLOCK_BYTES", 400)  # bytes a chunk, written by PostgreSQL
    response = client.get("/ideas/export.csv")
    assert response.is_streamed
    chunks = list(response.response)
    # Chunk by chunk as the rows come: the file is never whole in memory.
    assert len(chunks) >= 3 and max(map(len, chunks)) < len(b"".join(chunks)) / 2
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))
    assert len(rows) == 1 + len(made)
    assert [r[0] for r in rows[1:]] == [i.tracking_code for i in made]


def test_the_csv_says_what_the_xlsx_says(client, make, staff):
    """On PostgreSQL the CSV is written by the server and the XLSX by Python: the
    same cells either way, formulas neutralised, credits and merges included."""
    author = make.user(real_name="=HYPERLINK(\"http://x\")")
    first = make.idea(author=author, title='=1+1，"引号"，逗号', problem="-减号开头\n第二行",
                      suggestion="@提及", benefit="+加号", region="", contact_phone="", show_name=False)
    copy = make.idea(title="重复的建议", theme="tech")
    helper = make.user(real_name="+协助者")
    db.session.add(CoProposer(idea_id=first.id, user_id=helper.id, source_idea_id=copy.id))
    services.merge_duplicate(copy, first.tracking_code, staff, "重复")
    db.session.commit()
    make.idea(title="\t制表符开头", problem="普通", suggestion="普通", benefit="普通")
    text = client.get("/ideas/export.csv?status=").get_data().decode("utf-8-sig")
    csv_rows = list(csv.reader(io.StringIO(text)))
    sheet = load_workbook(io.BytesIO(client.get("/ideas/export.xlsx?status=").get_data())).active
    xlsx_rows = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    assert csv_rows == xlsx_rows and len(csv_rows) == 4
    header, row = csv_rows[0], dict(zip(csv_rows[0], csv_rows[1]))
    assert header == exports.HEADERS
    assert row["标题"] == "\'=1+1，\"引号\"，逗号" and row["问题描述"] == "\'-减号开头\n第二行"
    assert row["提出人"].startswith("'=") and row["共同提出人"] == "'+协助者"
    assert row["同意公开姓名"] == "否" and row["所在地区"] == ""
    assert dict(zip(header, csv_rows[2]))["合并到"] == first.tracking_code
    assert csv_rows[3][1] == "\'\t制表符开头"


def test_a_streamed_xlsx_has_every_row_once(client, make, staff):
    made = [make.idea(title=f"导出的第{n}条建议") for n in range(5)]
    make.idea(title="已经处理过的建议", status=IdeaStatus.accepted, staff=staff)
    response = client.get("/ideas/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    titles = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles == [i.title for i in made]
    assert [c.value for c in sheet[1]][0] == "编号" and sheet[1][0].font.bold


@pytest.mark.postgres_only
def test_the_kept_tallies_say_what_counting_the_ideas_says(make, staff):
    from sqlalchemy import Date, func, select

    from app.extensions import db
    from ideas.models import Idea
    ideas = [make.idea(region=region) for region in ("长沙市", "长沙市", "株洲市", None)]
    make.idea(status=IdeaStatus.draft)
    make.idea(status=IdeaStatus.accepted, staff=staff, theme="parks")
    make.idea(status=IdeaStatus.rejected, staff=staff)
    ideas[0].theme_id, ideas[1].region = None, "岳阳市"
    db.session.delete(ideas[2])
    db.session.commit()
    campaign = ideas[0].campaign
    columns = {"status": Idea.status, "theme_id": Idea.theme_id, "region": Idea.region,
               "day": func.date(Idea.submitted_at, type_=Date)}
    for by, column in columns.items():
        for statuses in (None, [IdeaStatus.submitted, IdeaStatus.accepted]):
            stmt = select(column, func.count()).where(Idea.campaign_id == campaign.id).group_by(column)
            if statuses:
                stmt = stmt.where(Idea.status.in_(statuses))
            assert queries.idea_counts(campaign, by, statuses) == dict(db.session.execute(stmt).all()), by
    ideas[3].replied_at = ideas[3].submitted_at
    db.session.commit()
    later = ideas[0].submitted_at.date() + timedelta(days=30)
    assert replies.overdue_count(campaign, later) == 2 == db.session.scalar(select(func.count()).where(
        Idea.campaign_id == campaign.id, Idea.status == IdeaStatus.submitted, Idea.replied_at.is_(None)))
