"""An idea's status tells the truth after later stages: eliminated in a later round,
removed by an upheld objection — on the idea page, tracking, my ideas and exports."""
import csv
import io

from app.auth.models import Role
from app.extensions import db
from ideas.exports import export_ideas
from ideas.queries import ScreeningFilter
from ideas.models import IdeaStatus
from ideas.queries import standing
from tests.notice_fixtures import finished_judging, uphold_objection
from tests.voting.conftest import score_everything
from voting.judging.panels import prepare_round
from voting.judging.rounds import close_round, open_round, reopen_round

ADVANCED = "入围，进入下一轮评审"


def test_an_idea_eliminated_in_a_later_round_says_so_everywhere(client, auth, judging, make):
    first, second, staff = *judging["rounds"][:2], judging["staff"]
    for round_ in (first, second):
        prepare_round(round_, staff)
        open_round(round_, staff)
        score_everything(round_, lambda a: 1 + a.idea_id % 10)
        close_round(round_, staff, seed=1)
    db.session.commit()
    out_in_two = next(e.idea for e in second.entries if not e.advanced)
    out_in_one = next(e.idea for e in first.entries if not e.advanced)
    through = next(e.idea for e in second.entries if e.advanced)
    # The column stays where the first round put it; the reading derives the rest.
    assert out_in_two.status is IdeaStatus.shortlisted
    assert standing(out_in_two).label == "未入围（第 2 轮）"
    assert standing(out_in_one).label == "未入围（第 1 轮）"
    assert standing(through).label == ADVANCED

    auth.login(out_in_two.author)
    for path in (f"/ideas/{out_in_two.id}", f"/ideas/track/{out_in_two.tracking_code}", "/ideas/mine"):
        page = client.get(path).get_data(as_text=True)
        assert "未入围（第 2 轮）" in page, path
        assert f'badge-shortlisted">{ADVANCED}' not in page, path
    rows = {row[0]: row[3] for row in csv.reader(io.StringIO(export_ideas(
        out_in_two.campaign, ScreeningFilter(), "csv").decode("utf-8-sig")))}
    assert rows[out_in_two.tracking_code] == "未入围（第 2 轮）" and rows[through.tracking_code] == ADVANCED

    # Reopening the round takes the result back, and with it the reading.
    reopen_round(second, make.user(Role.admin), "评分录入有误")
    db.session.commit()
    assert standing(out_in_two).label == ADVANCED


def test_an_idea_removed_by_an_upheld_objection_says_so(make):
    judged = finished_judging(make)
    entry = uphold_objection(make, judged)
    assert entry.idea.status is IdeaStatus.shortlisted
    assert standing(entry.idea).label == "因异议取消"
    exported = export_ideas(entry.idea.campaign, ScreeningFilter(), "csv").decode("utf-8-sig")
    assert exported.count("因异议取消") == 1
