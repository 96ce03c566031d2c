import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.audit.models import ActionLog
from app.auth.models import Role
from app.extensions import db
from app.timeutil import now
from ideas.models import CoProposer, Idea, IdeaEvent, IdeaStatus
from ideas.services import ScreeningError, merge_duplicate
from tests.concurrency import post_at_once


def test_queue_lists_submissions_with_full_phone_for_staff(client, make, staff):
    idea = make.idea(contact_phone="13812345678")
    draft = make.idea(status=IdeaStatus.draft, title="还没提交的草稿")
    page = client.get("/ideas/screening").get_data(as_text=True)
    assert "<title>筛选 · 献策湖南</title>" in page
    assert idea.title in page and "13812345678" in page
    assert draft.title not in page


def test_filters_by_status_theme_region_date_and_text(client, make, staff):
    parks = make.idea(title="园区政区分设", theme="parks", region="株洲市")
    talent = make.idea(title="人才评价去四唯", theme="talent", region="长沙市",
                       problem="职称评审唯论文唯学历问题突出，青年科研人员和一线技术人员上升通道窄，评价标准单一。")
    rejected = make.idea(title="不予采纳的建议", status=IdeaStatus.rejected)
    old = make.idea(title="很久以前的建议")
    old.submitted_at = now() - timedelta(days=10)
    db.session.commit()

    def listed(query):
        page = client.get("/ideas/screening?" + query).get_data(as_text=True)
        return {i.title for i in (parks, talent, rejected, old) if i.title in page}

    assert listed("theme=talent") == {"人才评价去四唯"}
    assert listed("region=株洲市") >= {"园区政区分设"} and "人才评价去四唯" not in listed("region=株洲市")
    assert listed("status=rejected") == {"不予采纳的建议"}
    assert listed("q=唯论文") == {"人才评价去四唯"}
    assert listed(f"q={parks.tracking_code}") == {"园区政区分设"}
    since = (now() - timedelta(days=2)).date().isoformat()
    assert "很久以前的建议" not in listed(f"date_from={since}")
    until = (now() - timedelta(days=5)).date().isoformat()
    assert listed(f"date_to={until}") == {"很久以前的建议"}


def test_bad_filter_values_do_not_break_the_queue(client, make, staff):
    make.idea()
    response = client.get("/ideas/screening?date_from=not-a-date&status=bogus&page=-3")
    assert response.status_code == 200
    for blank in ("%0D", "%20", "%09"):
        assert client.get(f"/ideas/screening?status={blank}&theme={blank}&region={blank}").status_code == 200


def test_accept(client, make, staff):
    idea = make.idea()
    response = client.post(f"/ideas/{idea.id}/accept", data={"accept-reason": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert idea.status is IdeaStatus.accepted
    event = idea.events[-1]
    assert (event.from_status, event.to_status, event.actor_id) == (
        IdeaStatus.submitted, IdeaStatus.accepted, staff.id)
    assert db.session.scalar(select(ActionLog).where(ActionLog.action == "idea.accept")).actor_id == staff.id


def test_reject_needs_a_reason_which_the_author_sees(client, make, auth, staff):
    author = make.user()
    idea = make.idea(author=author)
    client.post(f"/ideas/{idea.id}/reject", data={"reject-reason": ""})
    db.session.expire_all()
    assert idea.status is IdeaStatus.submitted
    client.post(f"/ideas/{idea.id}/reject", data={"reject-reason": "与征集主题无关"})
    db.session.expire_all()
    assert idea.status is IdeaStatus.rejected and idea.events[-1].reason == "与征集主题无关"
    auth.logout()
    auth.login(author)
    mine = client.get("/ideas/mine").get_data(as_text=True)
    assert "未采纳" in mine and "与征集主题无关" in mine


def test_illegal_transition_is_refused(client, make, staff):
    idea = make.idea(status=IdeaStatus.rejected)
    client.post(f"/ideas/{idea.id}/accept")
    db.session.expire_all()
    assert idea.status is IdeaStatus.rejected


def test_merge_credits_the_duplicate_author_and_both_see_why(client, make, auth, staff):
    kept_author, dup_author = make.user(real_name="原作者"), make.user(real_name="重复作者")
    kept = make.idea(author=kept_author, status=IdeaStatus.accepted)
    duplicate = make.idea(author=dup_author, title="园区政区分设（重复）")
    response = client.post(f"/ideas/{duplicate.id}/merge",
                           data={"merge-target_code": kept.tracking_code.lower(),
                                 "merge-reason": "内容基本一致", "merge-confirmed": "yes",
                                 "merge-credit": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert duplicate.status is IdeaStatus.merged and duplicate.merged_into_id == kept.id
    assert [c.user_id for c in kept.co_proposers] == [dup_author.id]
    assert kept.status is IdeaStatus.accepted
    assert kept.tracking_code in duplicate.events[-1].reason and "内容基本一致" in duplicate.events[-1].reason
    assert duplicate.tracking_code in kept.events[-1].reason
    auth.logout()
    auth.login(dup_author)
    page = client.get(f"/ideas/{duplicate.id}").get_data(as_text=True)
    assert "已合并" in page and kept.tracking_code in page and "内容基本一致" in page
    # The co-proposer may open the kept idea and sees the credit.
    kept_page = client.get(f"/ideas/{kept.id}").get_data(as_text=True)
    assert "共同提出人" in kept_page and "重复作者" in kept_page
    auth.logout()
    auth.login(kept_author)
    assert "合并了重复建议" in client.get(f"/ideas/{kept.id}").get_data(as_text=True)


def test_a_merge_credits_the_later_author_only_when_staff_choose_so(client, make, staff):
    original = make.idea(author=make.user(real_name="原作者"), status=IdeaStatus.accepted)
    copy = make.idea(author=make.user(real_name="照抄者"), title="照抄已公开的建议")
    response = client.post(f"/ideas/{copy.id}/merge",
                           data={"merge-target_code": original.tracking_code,
                                 "merge-reason": "照抄已公开的建议", "merge-confirmed": "yes"})
    assert response.status_code == 302
    db.session.expire_all()
    assert copy.status is IdeaStatus.merged and original.co_proposers == []
    assert "共同提出人" not in original.events[-1].reason
    log = db.session.scalars(select(ActionLog).where(ActionLog.action == "idea.merge")).one()
    assert log.details["credited"] is False


def test_the_earliest_submitter_keeps_the_credit(client, make, staff):
    earlier, later = make.idea(), make.idea(title="后提交的相同建议")
    with pytest.raises(ScreeningError, match="先提交"):
        merge_duplicate(earlier, later.tracking_code, staff, "重复", credit=True)
    db.session.rollback()
    assert earlier.status is IdeaStatus.submitted and later.co_proposers == []


def test_merge_refuses_bad_targets(make, staff, app):
    kept = make.idea()
    other = make.idea()
    rejected = make.idea(status=IdeaStatus.rejected)
    for code, message in ((other.tracking_code, None), ("XC-1999-000001", "没有编号"),
                          (rejected.tracking_code, "不能作为保留的建议")):
        if message is None:
            continue
        with pytest.raises(ScreeningError, match=message):
            merge_duplicate(kept, code, staff, "重复")
    with pytest.raises(ScreeningError, match="自己"):
        merge_duplicate(kept, kept.tracking_code, staff, "重复")


def test_merging_two_ideas_of_one_author_adds_no_co_proposer(make, staff):
    author = make.user()
    kept, duplicate = make.idea(author=author), make.idea(author=author)
    merge_duplicate(duplicate, kept.tracking_code, staff, "同一人重复提交", credit=True)
    db.session.commit()
    assert db.session.scalars(select(CoProposer)).all() == []


def test_bulk_accept_and_reject(client, make, staff):
    ideas = [make.idea() for _ in range(3)]
    already = make.idea(status=IdeaStatus.rejected)
    ids = [i.id for i in ideas[:2]] + [already.id]
    response = client.post("/ideas/screening/bulk", data={"idea_ids": ids, "action": "accept"})
    assert response.status_code == 302
    db.session.expire_all()
    assert [i.status for i in ideas] == [IdeaStatus.accepted, IdeaStatus.accepted, IdeaStatus.submitted]
    assert already.status is IdeaStatus.rejected
    # Rejecting in bulk needs the reason the authors will read.
    client.post("/ideas/screening/bulk", data={"idea_ids": [ideas[2].id], "action": "reject"})
    db.session.expire_all()
    assert ideas[2].status is IdeaStatus.submitted
    client.post("/ideas/screening/bulk", data={"idea_ids": [ideas[2].id], "action": "reject",
                                               "reason": "建议过于笼统"})
    db.session.expire_all()
    assert ideas[2].status is IdeaStatus.rejected and ideas[2].events[-1].reason == "建议过于笼统"


def test_phone_is_masked_for_everyone_but_staff(client, make, auth, staff):
    author = make.user()
    idea = make.idea(author=author, contact_phone="13812345678")
    assert "13812345678" in client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    auth.logout()
    auth.login(author)
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "13812345678" not in page and "138****5678" in page


def _export_fixture(make):
    return make.idea(title="=HYPERLINK(\"http://evil\")",
                     problem="+SUM(A1:A2) 这是一段足够长的问题描述，用来测试导出",
                     suggestion="-2+3 对策建议也要足够长，至少三十个字才能通过校验，这里再补充几个字。",
                     benefit="@cmd 预期成效说明文字", contact_phone="13812345678")


def test_csv_export_has_a_bom_every_row_and_no_formulas(client, make, staff):
    formula = _export_fixture(make)
    plain = make.idea(title="普通的建议标题")
    response = client.get("/ideas/export.csv")
    assert response.status_code == 200
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[0] == "编号" and len(body) == 2
    by_code = {row[0]: dict(zip(header, row)) for row in body}
    row = by_code[formula.tracking_code]
    assert row["标题"] == "'=HYPERLINK(\"http://evil\")"
    assert (row["问题描述"].startswith("'+") and row["对策建议"].startswith("'-")
            and row["预期成效"].startswith("'@"))
    assert row["联系电话"] == "13812345678"
    assert by_code[plain.tracking_code]["标题"] == "普通的建议标题"
    for cells in body:
        assert all(not c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)


def test_xlsx_export_reads_back_row_by_row_with_no_formulas(client, make, staff):
    formula = _export_fixture(make)
    make.idea(title="普通的建议标题", theme="talent")
    response = client.get("/ideas/export.xlsx?theme=parks")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == 1  # the theme filter applies to the export too
    row = dict(zip(header, body[0]))
    assert row["编号"] == formula.tracking_code and row["针对的瓶颈"] == "理顺产业园区运行机制"
    assert row["标题"] == "'=HYPERLINK(\"http://evil\")"
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            assert cell.data_type != "f"


def test_export_command_writes_the_file(runner, make, tmp_path):
    make.campaign()
    make.idea(title="命令行导出的建议")
    target = tmp_path / "ideas.xlsx"
    result = runner.invoke(args=["ideas", "export", str(target)])
    assert result.exit_code == 0, result.output
    values = [c.value for c in load_workbook(target).active[2]]
    assert "命令行导出的建议" in values


# --- Races (PostgreSQL) --------------------------------------------------------------------

def _screening_actions(idea_ids):
    return db.session.scalars(select(ActionLog.action).where(
        ActionLog.action.in_(("idea.accept", "idea.reject", "idea.merge")),
        ActionLog.target_id.in_(idea_ids))).all()


@pytest.mark.postgres_only
def test_concurrent_opposite_merges_keep_one_of_the_two(app, make):
    make.campaign()
    first, second = make.user(Role.staff), make.user(Role.staff)
    for _ in range(3):
        a, b = make.idea(), make.idea()
        ids, codes = (a.id, b.id), (a.tracking_code, b.tracking_code)
        merges = [(staff.login_name, f"/ideas/{ids[n]}/merge",
                   {"merge-target_code": codes[1 - n], "merge-reason": "内容重复", "merge-confirmed": "yes"})
                  for n, staff in enumerate((first, second))]
        statuses = post_at_once(app, merges)
        assert statuses == [302, 302]
        states = sorted(db.session.get(Idea, i).status.value for i in ids)
        assert states == ["merged", "submitted"]
        assert _screening_actions(ids) == ["idea.merge"]


@pytest.mark.postgres_only
def test_concurrent_accept_and_reject_record_one(app, make):
    make.campaign()
    first, second = make.user(Role.staff), make.user(Role.staff)
    for _ in range(3):
        idea_id = make.idea().id
        statuses = post_at_once(app, [
            (first.login_name, f"/ideas/{idea_id}/accept", {}),
            (second.login_name, f"/ideas/{idea_id}/reject", {"reject-reason": "不符合征集范围"})])
        assert statuses == [302, 302]
        screened = (IdeaStatus.accepted, IdeaStatus.rejected)
        events = db.session.scalars(select(IdeaEvent).where(IdeaEvent.idea_id == idea_id,
                                                            IdeaEvent.to_status.in_(screened))).all()
        assert len(events) == 1 and db.session.get(Idea, idea_id).status is events[0].to_status
        assert len(_screening_actions([idea_id])) == 1
