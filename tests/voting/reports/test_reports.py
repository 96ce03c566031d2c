"""The campaign report: the page, the workbook read back, the PDF's text, and
an empty campaign."""
import io
import re
from datetime import timedelta

import pytest
from hypothesis import given
from markupsafe import escape
from pypdf import PdfReader

from app.auth.models import Role
from app.exports import neutralize
from app.pdf import MISSING
from app.extensions import db
from app.timeutil import now
from ideas.models import Cluster, ClusterRun, IdeaStatus
from ideas.services import merge_duplicate
from tests.xlsx_checks import data_rows, downloaded_workbook
from tests.access import assert_staff_only
from tests.app.test_fuzz import FUZZ, TEXT, assert_no_crash
from tests.pdf_checks import assert_every_character_has_a_glyph
from tests.voting.conftest import score_everything
from voting.judging.panels import prepare_round
from voting.judging.rounds import close_round, create_default_rounds, finalize_round, open_round
from voting.ballots.models import PublicVote, VoteVoid
from voting.notice.models import (Announcement, EntryStatus, NoticeEntry, NoticeState, Objection,
                                  ObjectionState)

THEMES = ("tech", "tech", "tech", "parks", "parks", "business", "business", "talent", "talent", "soe", "soe",
          "market")
REGIONS = ("长沙市", "长沙市", "长沙市", "长沙市", "株洲市", "株洲市", "株洲市", "岳阳市", "岳阳市",
           "岳阳市", "常德市", "常德市")
INJECTED = "=HYPERLINK(\"http://x\")提名"


def _judge(rounds, ideas, staff):
    """Run every round for real: prepare, score (the better ideas get higher
    marks, each reviewer a little off), close, finalize."""
    quality = {idea.id: n for n, idea in enumerate(ideas)}
    for round_ in rounds:
        prepare_round(round_, staff)
        open_round(round_, staff)
        db.session.commit()
        score_everything(round_, lambda a: min(10, 1 + quality[a.idea_id] * 2 // 3 + a.reviewer_id % 3))
        close_round(round_, staff, seed=7)
        finalize_round(round_, staff)
        db.session.commit()


@pytest.fixture
def finished(make):
    """A campaign gone all the way: screened, clustered, three rounds judged,
    a public vote with a void and a restored void, 公示 with an upheld and a
    dismissed objection, and the final list."""
    campaign = make.campaign()
    staff = make.user(Role.staff, login="staff@example.com", real_name="工作人员甲")
    for n in range(6):
        make.user(Role.reviewer, region="长沙市" if n % 2 else "株洲市", work_unit=f"单位{n}")
    ideas = [make.idea(status=IdeaStatus.accepted, staff=staff, theme=theme, region=region,
                       title=f"第{n:02d}条建议：打通科技成果转化" if n != 11 else INJECTED)
             for n, (theme, region) in enumerate(zip(THEMES, REGIONS))]
    make.idea(status=IdeaStatus.rejected, staff=staff, theme="other", region="省外")
    make.idea(status=IdeaStatus.submitted, theme="tech", region="长沙市")
    duplicate = make.idea(status=IdeaStatus.submitted, theme="tech", region="长沙市")
    merge_duplicate(duplicate, ideas[0].tracking_code, staff, "重复")
    make.idea(status=IdeaStatus.draft, theme="tech", region="长沙市")
    # Spread the submissions over three days.
    for n, idea in enumerate(ideas):
        idea.submitted_at = now() - timedelta(days=n % 3)
    run = ClusterRun(campaign_id=campaign.id, strategy="zero_shot")
    tech = campaign.themes[4].id
    db.session.add_all([run, Cluster(run=run, name="科技成果、转化", terms="科技成果 转化 高校", size=5,
                                     scope_theme_id=tech, nearest_theme_id=tech),
                        Cluster(run=run, name="园区、管委会", terms="园区 管委会", size=2)])
    rounds = create_default_rounds(campaign, staff)
    for round_, advance in zip(rounds, (6, 3, 2)):
        round_.advance_count = advance
        round_.avoid_same_region = False
    db.session.commit()
    _judge(rounds, ideas, staff)
    final = rounds[-1]
    final.public_vote, final.votes_per_citizen, final.expert_weight = True, 3, 0.7
    final.vote_opens_at, final.vote_closes_at = now() - timedelta(days=3), now() - timedelta(days=1)
    finalists = [e.idea for e in sorted(final.entries, key=lambda e: e.rank)]
    first, second, third = finalists
    voters = [make.user() for _ in range(6)]
    votes = {}
    for n, voter in enumerate(voters):
        for idea in (first, second) if n < 4 else (first, third):
            votes[voter.id, idea.id] = PublicVote(round_id=final.id, idea_id=idea.id, user_id=voter.id,
                                                  network="10.1.2.0/24", user_agent="test")
    votes[voters[0].id, first.id].withdrawn_at = now()
    db.session.add_all(votes.values())
    suspect = VoteVoid(round_id=final.id, reason="同一网段集中投票", selection="网段 10.1.2.0/24",
                       created_by_id=staff.id,
                       votes=[votes[voters[4].id, first.id], votes[voters[5].id, first.id]])
    restored = VoteVoid(round_id=final.id, reason="疑似新注册账号", selection="注册不满一天",
                        created_by_id=staff.id,
                        votes=[votes[voters[4].id, third.id]], restored_by_id=staff.id, restored_at=now(),
                        restore_reason="核实为真实用户")
    notice = Announcement(campaign_id=campaign.id, round_id=final.id, state=NoticeState.published,
                          winner_count=2, published_at=now() - timedelta(days=8),
                          notice_ends_at=now() - timedelta(days=1))
    entries = [NoticeEntry(idea_id=first.id, position=1, status=EntryStatus.listed, rank=1, title=first.title,
                           theme_name=first.theme.name, region=first.region, proposer="张三", blended=91.5),
               NoticeEntry(idea_id=second.id, position=2, status=EntryStatus.removed, title=second.title,
                           removed_at=now()),
               NoticeEntry(idea_id=third.id, position=3, status=EntryStatus.listed, rank=2, title=third.title,
                           theme_name=third.theme.name, region=third.region, promoted_at=now())]
    notice.entries = entries
    db.session.add_all([suspect, restored, notice])
    db.session.flush()
    db.session.add_all([
        Objection(entry_id=entries[1].id, user_id=voters[0].id, reason="与已实施的政策雷同",
                  state=ObjectionState.upheld, ruling="经核实与现行政策重复，取消入选", ruled_by_id=staff.id,
                  ruled_at=now()),
        Objection(entry_id=entries[0].id, user_id=voters[1].id, reason="怀疑抄袭",
                  state=ObjectionState.dismissed,
                  ruling="查无抄袭", ruled_by_id=staff.id, ruled_at=now())])
    db.session.flush()
    # Finalized last: after that the list and its objections are read-only.
    notice.state, notice.finalized_at, notice.digest = NoticeState.finalized, now(), "ab" * 32
    db.session.commit()
    return {"campaign": campaign, "staff": staff, "ideas": ideas, "rounds": rounds, "final": final,
            "first": first, "second": second, "third": third}


def _text(html):
    return re.sub(r"\s+", " ", html)


def test_report_page_has_every_section(client, auth, finished):
    auth.login(finished["staff"])
    response = client.get("/reports/")
    assert response.status_code == 200
    page = _text(response.get_data(as_text=True))
    # Submissions: 12 accepted + rejected + pending + merged, the draft left out.
    assert "提交的建议</dt><dd>15 条" in page
    assert "各主题建议数" in page and "各地区建议数" in page and "每日提交数" in page
    assert "<svg" in page and "打通科技成果转化" in page
    for label, n in (("已采纳（含入围、入选）", 12), ("未采纳", 1), ("已合并", 1), ("待筛选", 1)):
        assert f"<dt>{label}</dt><dd>{n} 条" in page
    assert "科技成果、转化" in page and "科技成果 转化 高校" in page
    # The funnel: 12 → 6 → 3 → 2.
    for name, pool, advanced in (("初审", 12, 6), ("复审", 6, 3), ("终审", 3, 2)):
        row = rf"<td>{name}</td>.*?<td>{pool}</td><td>{pool}</td><td>\d+</td><td>{advanced}</td>"
        assert re.search(row, page)
    for round_ in finished["rounds"]:
        assert f"α = {round_.agreement_alpha:.3f}" in page
        assert round_.digest in page
        assert f"/voting/rounds/{round_.id}/table.txt" in page
    # Votes: first has 5 live votes, 2 of them voided; third's void was restored.
    first, third = finished["first"], finished["third"]
    assert re.search(rf"{first.tracking_code}</code></td><td>[^<]+</td><td>3</td><td>5</td>", page)
    assert re.search(rf"{third.tracking_code}</code></td><td>[^<]+</td><td>2</td><td>2</td>", page)
    assert "有效票 <strong>9</strong>（6 人）；含作废票共 11（6 人）" in page
    assert "同一网段集中投票" in page and "已恢复" in page and "核实为真实用户" in page
    assert ("异议成立 1" in page and "异议不成立 1" in page and "与已实施的政策雷同" in page
            and "查无抄袭" in page)
    winners = page[page.index('id="winners"'):page.index('id="digests"')]
    assert str(escape(first.title)) in winners and "张三" in winners
    assert str(escape(finished["second"].title)) not in winners


def test_report_page_says_what_has_not_happened_yet(client, auth, make):
    make.campaign()
    staff = make.user(Role.staff)
    auth.login(staff)
    page = client.get("/reports/").get_data(as_text=True)
    for message in ("尚无提交的建议", "尚未进行聚类分析", "尚未设置评审轮次", "尚未开始公众投票",
                    "尚未公示，没有异议", "尚未公布十大金点子", "尚无截止的评审轮次"):
        assert message in page, message


def test_public_vote_not_yet_open_is_said_so(client, auth, finished):
    final = finished["final"]
    final.vote_opens_at, final.vote_closes_at = now() + timedelta(days=1), now() + timedelta(days=3)
    db.session.commit()
    auth.login(finished["staff"])
    assert "公众投票尚未开始" in client.get("/reports/").get_data(as_text=True)


def test_without_any_campaign_the_page_says_so(client, auth, make):
    auth.login(make.user(Role.admin))
    assert "还没有征集活动" in client.get("/reports/").get_data(as_text=True)
    assert client.get("/reports/2024.xlsx").status_code == 404


def test_campaign_selector(client, auth, make):
    make.campaign(year=2023, current=False, opens=now() - timedelta(days=500),
                  closes=now() - timedelta(days=400))
    current = make.campaign()
    auth.login(make.user(Role.staff))
    page = client.get("/reports/").get_data(as_text=True)
    assert f'selected value="{current.year}"' in page and f"/reports/{current.year}.xlsx" in page
    page = client.get("/reports/?year=2023").get_data(as_text=True)
    assert 'selected value="2023"' in page and "/reports/2023.pdf" in page
    for bad in ("abc", "1999"):
        response = client.get(f"/reports/?year={bad}")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "没有这一年的征集活动，请从列表中选择。" in page and f"/reports/{current.year}.xlsx" in page


def test_only_staff_and_admin_see_reports(client, auth, make):
    campaign = make.campaign()
    assert_staff_only(client, auth, make, "/reports/", f"/reports/{campaign.year}.xlsx",
                      f"/reports/{campaign.year}.pdf")
    auth.login(make.user(Role.staff))
    assert 'href="/reports/"' in client.get("/").get_data(as_text=True)


def _workbook(client, year):
    return downloaded_workbook(client, f"/reports/{year}.xlsx")


def test_xlsx_has_every_table_and_the_numbers_match(client, auth, finished):
    auth.login(finished["staff"])
    campaign, first = finished["campaign"], finished["first"]
    book = _workbook(client, campaign.year)
    assert book.sheetnames == ["概况", "各主题建议数", "各地区建议数", "每日提交数", "筛选结果", "聚类",
                               "评审漏斗", "评审一致性", "公众投票", "作废投票", "异议", "十大金点子",
                               "评分表摘要"]
    assert ([c.value for c in book["评审漏斗"][1]]
            == ["轮次", "状态", "评审池", "已有评分的建议", "已提交评分", "晋级"])
    assert all(cell.font.bold for cell in book["公众投票"][1])
    summary = dict(data_rows(book["概况"]))
    assert summary["提交的建议"] == 15 and summary["十大金点子"] == 2 and summary["异议"] == 2
    themes = dict(data_rows(book["各主题建议数"]))
    assert themes["打通科技成果转化"] == 5 and themes["理顺产业园区运行机制"] == 2 and themes["其他"] == 1
    regions = dict(data_rows(book["各地区建议数"]))
    assert regions["长沙市"] == 6 and regions["省外"] == 1 and regions["张家界市"] == 0
    assert sum(n for _, n in data_rows(book["每日提交数"])) == 15 and len(data_rows(book["每日提交数"])) == 3
    assert dict(data_rows(book["筛选结果"])) == {"已采纳（含入围、入选）": 12, "未采纳": 1, "已合并": 1,
                                             "待筛选": 1}
    assert ([(r[0], r[2], r[5]) for r in data_rows(book["评审漏斗"])]
            == [("初审", 12, 6), ("复审", 6, 3), ("终审", 3, 2)])
    alphas = {r[0]: r[1] for r in data_rows(book["评审一致性"])}
    for round_ in finished["rounds"]:
        assert alphas[round_.name] == pytest.approx(round_.agreement_alpha, abs=1e-3)
    votes = {r[1]: r[3:] for r in data_rows(book["公众投票"])}
    assert votes[first.tracking_code] == [3, 5, 2] and votes[finished["second"].tracking_code] == [4, 4, 0]
    voids = data_rows(book["作废投票"])
    assert (sorted((v[3], v[5], v[6]) for v in voids)
            == [("同一网段集中投票", 2, "否"), ("疑似新注册账号", 1, "是")])
    assert sorted(r[3] for r in data_rows(book["异议"])) == ["异议不成立", "异议成立"]
    winners = data_rows(book["十大金点子"])
    assert [(w[0], w[1]) for w in winners] == [(1, neutralize(first.title)), (2, finished["third"].title)]
    digests = {r[0]: (r[3], r[5]) for r in data_rows(book["评分表摘要"])}
    for round_ in finished["rounds"]:
        table_url = f"http://localhost/voting/rounds/{round_.id}/table.txt"
        assert digests[round_.name] == (round_.digest, table_url)


def test_xlsx_neutralises_formulas(client, auth, finished):
    auth.login(finished["staff"])
    book = _workbook(client, finished["campaign"].year)
    cells = [c for row in book.worksheets for line in row.iter_rows() for c in line]
    assert not any(c.data_type == "f" for c in cells)
    injected = [c.value for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert injected and all(value == "'" + INJECTED for value in injected)


def _pdf_text(client, year):
    response = client.get(f"/reports/{year}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def test_pdf_text_has_the_key_figures_and_the_winners(client, auth, finished):
    auth.login(finished["staff"])
    text = _pdf_text(client, finished["campaign"].year)
    assert "活动报告" in text and "提交的建议15" in text and "十大金点子2" in text
    assert finished["first"].title in text and finished["third"].title in text
    for round_ in finished["rounds"]:
        assert round_.digest in text
    assert "同一网段集中投票" in text and "经核实与现行政策重复，取消入选" in text


def test_pdf_every_character_drawn_has_a_glyph(client, auth, finished):
    """Every table, chart label and axis figure is drawn in the shipped font, which has all their
    characters."""
    auth.login(finished["staff"])
    drawn = assert_every_character_has_a_glyph(client.get(f"/reports/{finished['campaign'].year}.pdf").data)
    flat = re.sub(r"\s+", "", drawn)
    assert "献策湖南·金点子征集（测试）·活动报告" in flat and INJECTED.replace(" ", "") in flat
    assert MISSING not in flat


def test_empty_campaign_files_render(client, auth, make):
    campaign = make.campaign()
    auth.login(make.user(Role.staff))
    book = _workbook(client, campaign.year)
    assert data_rows(book["公众投票"]) == [["尚未开始公众投票", None, None, None, None, None]]
    assert data_rows(book["十大金点子"])[0][0].startswith("尚未公布十大金点子")
    text = _pdf_text(client, campaign.year)
    assert "尚无提交的建议" in text and "尚未开始公众投票" in text


def test_hostile_titles_are_escaped(client, auth, finished):
    finished["second"].title = "<script>alert(1)</script>&<b>"
    db.session.commit()
    auth.login(finished["staff"])
    page = client.get("/reports/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<script>alert(1)</script>&<b>" in _pdf_text(client, finished["campaign"].year)


@pytest.fixture
def signed_in_staff(make, auth):
    make.campaign()
    auth.login(make.user(Role.staff))


@pytest.mark.parametrize("page", ["/reports/", "/reports/proposals"])
@FUZZ
@given(year=TEXT)
def test_any_year_parameter(client, signed_in_staff, page, year):
    assert_no_crash(client.get(page, query_string={"year": year}))
