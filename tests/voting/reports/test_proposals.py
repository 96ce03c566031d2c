"""建议综述: the page, the workbook read back and checked against the database,
the PDF's text and glyphs, an empty campaign, who may see it."""
import io
import re

import pytest
from pypdf import PdfReader

from app.auth.models import Role
from app.extensions import db
from ideas import analysis_services
from ideas.models import Cluster
from ideas.services import merge_duplicate
from tests.xlsx_checks import data_rows, downloaded_workbook
from tests.ideas.test_analysis import make_topic_ideas
from tests.pdf_checks import assert_every_character_has_a_glyph
from voting.reports.proposals import _spread
from tests.access import assert_staff_only

INJECTED = "=HYPERLINK(\"http://x\")"
SHEETS = ["概况", "各主题", "主要建议", "代表性语句", "代表性建议", "热点走势"]


@pytest.fixture
def proposed(make):
    """24 ideas on three themes, clustered; a duplicate from another person
    merged with credit. Titles are changed after the analysis to start like a
    formula, so every idea the files name tries an injection."""
    campaign = make.campaign()
    staff = make.user(Role.staff)
    ideas = make_topic_ideas(make)
    analysis_services.rebuild(campaign)
    db.session.commit()
    kept = ideas[0]
    duplicate = make.idea(title=kept.title, problem=kept.problem, suggestion=kept.suggestion)
    merge_duplicate(duplicate, kept.tracking_code, staff, "重复", credit=True)
    for idea in ideas:
        idea.title = (INJECTED + idea.title)[:40]
    db.session.commit()
    return {"campaign": campaign, "staff": staff, "ideas": ideas, "kept": kept}


def _texts(ideas):
    return {i.tracking_code: "\n".join((i.problem, i.suggestion, i.benefit)) for i in ideas}


def test_page_shows_each_theme_its_main_proposals_and_the_public_words(client, auth, proposed):
    auth.login(proposed["staff"])
    response = client.get("/reports/proposals")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "建议综述" in page and "<svg" in page and "<polyline" in page
    assert "计入的建议</dt><dd>24 条" in page and "附议与共同提出</dt><dd>1 人" in page
    for name in ("打通科技成果转化", "理顺产业园区运行机制"):
        assert name in page
    for cluster in db.session.query(Cluster).all():
        assert f"/analysis/clusters/{cluster.id}\"" in page
    quoted = re.findall(r"<q>(.*?)</q>", page)
    texts = "\n".join(_texts(proposed["ideas"]).values())
    assert quoted and all(sentence in texts for sentence in quoted)
    assert "/reports/proposals/" in page
    assert 'href="/reports/proposals?year=' in client.get("/reports/").get_data(as_text=True)


def _workbook(client, year):
    return downloaded_workbook(client, f"/reports/proposals/{year}.xlsx")


def test_workbook_numbers_match_the_database(client, auth, proposed):
    auth.login(proposed["staff"])
    book = _workbook(client, proposed["campaign"].year)
    assert book.sheetnames == SHEETS
    summary = dict(data_rows(book["概况"]))
    assert (summary["计入的建议"], summary["提出人"], summary["附议与共同提出"]) == (24, 24, 1)
    themes = data_rows(book["各主题"])
    assert sum(row[1] for row in themes) == 24 and sum(row[3] for row in themes) == 1
    sizes = {c.name: c.size for c in db.session.query(Cluster).all()}
    main = data_rows(book["主要建议"])
    assert main and all(row[4] == sizes[row[2]] and row[5] == row[4] for row in main)
    assert sum(row[6] for row in main) == 1
    texts = _texts(proposed["ideas"])
    sentences = data_rows(book["代表性语句"])
    assert sentences and all(row[2] in texts[row[3]] for row in sentences)
    ideas = data_rows(book["代表性建议"])
    assert ideas and all(row[3].startswith("'" + INJECTED) for row in ideas)
    assert {row[2] for row in ideas} <= set(texts)
    kept = proposed["kept"]
    assert all(row[5] == (1 if row[2] == kept.tracking_code else 0) for row in ideas)
    # A line is named by its cluster, numbered when two clusters share a name.
    lines = {c.name: c.size for c in db.session.query(Cluster).all()}
    lines.update({f"{c.name}（#{c.id}）": c.size for c in db.session.query(Cluster).all()})
    rise = data_rows(book["热点走势"])
    names = [c.value for c in book["热点走势"][1]][1:]
    assert rise and len(set(names)) == len(names)
    assert all(rise[-1][n] == lines[name] for n, name in enumerate(names, start=1))


def test_workbook_has_no_formula(client, auth, proposed):
    auth.login(proposed["staff"])
    book = _workbook(client, proposed["campaign"].year)
    cells = [c for sheet in book.worksheets for line in sheet.iter_rows() for c in line]
    assert cells and not any(c.data_type == "f" for c in cells)
    assert not any(isinstance(c.value, str) and c.value.startswith("=") for c in cells)


def test_pdf_text_and_every_glyph(client, auth, proposed):
    auth.login(proposed["staff"])
    response = client.get(f"/reports/proposals/{proposed['campaign'].year}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    drawn = assert_every_character_has_a_glyph(response.data)
    pages = PdfReader(io.BytesIO(response.data)).pages
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in pages))
    assert re.sub(r"\s+", "", drawn) and "建议综述" in text and "计入的建议24" in text
    assert "打通科技成果转化" in text and "热点走势" in text
    book = _workbook(client, proposed["campaign"].year)
    for _, name, sentence, code in data_rows(book["代表性语句"]):
        assert re.sub(r"\s+", "", sentence) in text and code in text
    for row in data_rows(book["主要建议"]):
        assert row[2] in text


def test_empty_campaign(client, auth, make):
    campaign = make.campaign()
    auth.login(make.user(Role.staff))
    assert "尚未进行聚类分析" in client.get("/reports/proposals").get_data(as_text=True)
    book = _workbook(client, campaign.year)
    assert data_rows(book["主要建议"])[0][0].startswith("尚未进行聚类分析")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
        client.get(f"/reports/proposals/{campaign.year}.pdf").data)).pages)
    assert "尚未进行聚类分析" in re.sub(r"\s+", "", text)


def test_only_staff_see_the_summary(client, auth, make):
    campaign = make.campaign()
    assert_staff_only(client, auth, make, "/reports/proposals", f"/reports/proposals/{campaign.year}.xlsx",
                      f"/reports/proposals/{campaign.year}.pdf")
    auth.login(make.user(Role.staff))
    assert client.get("/reports/proposals/1999.pdf").status_code == 404
    assert "没有这一年的征集活动" in client.get("/reports/proposals?year=abc").get_data(as_text=True)


def test_the_sample_is_bounded_spread_and_keeps_the_most_supported():
    members = list(range(1000, 0, -1))
    sample = _spread(members, {777: 9, 5: 2}, 60)
    assert 60 <= len(sample) <= 63 and {777, 5} <= set(sample) and sample == sorted(sample)
    assert sample[0] == 1 and sample[-1] > 900
    assert _spread(members[:10], {}, 60) == sorted(members[:10])
