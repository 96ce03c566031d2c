"""Group screening: one decision for a group keeps every author's credit and
logs every member's move; a split puts every member back; a cluster's bulk
decision covers one page of it, in one transaction; only staff may do any of it."""
import re

import pytest
from sqlalchemy import select

from app.audit.models import ActionLog
from app.audit.queries import first_broken_link
from app.auth.models import Role
from app.extensions import db
from ideas import group_queries, groups
from ideas.analysis_services import rebuild
from ideas.group_models import GroupState, IdeaGroup, IdeaGroupMember
from ideas.models import Cluster, ClusterRun, IdeaStatus
from ideas.services import ScreeningError, accept_idea

TEXT = {"problem": "园区企业反映审批环节多、材料重复提交，项目落地慢。",
        "suggestion": "建议由省发展改革委牵头，建立园区审批事项清单，30 个工作日内办结。",
        "benefit": "缩短项目落地周期。"}


OTHERS = [("人才公寓", "高校毕业生留湘租房贵，建议建设人才公寓并给予三年租金补贴。"),
          ("拖欠账款", "政府部门拖欠民营企业工程款，建议建立清欠台账并按月公示进度。"),
          ("科技成果转化", "高校专利沉睡，建议设立概念验证中心，允许科研人员持股。"),
          ("国企改革", "国有企业决策链条长，建议推行经理层任期制和契约化管理。"),
          ("对外开放", "外贸企业通关时间长，建议推广提前申报和两步申报。"),
          ("编外人员", "基层编外人员多，建议开展清理规范并建立总量控制。"),
          ("要素保障", "工业用地供应慢，建议推行标准地出让和弹性年期。"),
          ("市场壁垒", "跨市招标设置本地业绩门槛，建议出台禁止清单。")]


def _group(make, n=3, **fields):
    ideas = [make.idea(title=f"园区审批提速 {i}", **{**TEXT, **fields}) for i in range(n)]
    group = IdeaGroup(campaign_id=ideas[0].campaign_id, lead_id=ideas[0].id,
                      members=[IdeaGroupMember(idea_id=i.id, score=1.0 if n == 0 else 0.9) for i in ideas])
    db.session.add(group)
    db.session.commit()
    return group, ideas


def _actions():
    return [a.action for a in db.session.scalars(select(ActionLog).order_by(ActionLog.id))]


def test_accepting_a_group_keeps_every_author_and_logs_every_member(make):
    staff = make.user(Role.staff)
    group, ideas = _group(make)
    before = len(_actions())
    groups.decide_group(group, "accept", staff, "同一条建议", credit=True)
    db.session.commit()
    lead, *later = ideas
    assert lead.status is IdeaStatus.accepted and lead.author_id == ideas[0].author_id
    assert all(i.status is IdeaStatus.merged and i.merged_into_id == lead.id for i in later)
    assert {c.user_id for c in lead.co_proposers} == {i.author_id for i in later}
    assert group.state is GroupState.accepted and group.people == 3 and group.credited
    assert all(any(e.to_status and "整组处理" in e.reason for e in i.events) for i in ideas)
    assert _actions()[before:].count("idea.merge") == 2 and "idea.accept" in _actions()[before:]
    assert _actions()[-1] == "group.accept"
    assert first_broken_link() is None


def test_without_credit_later_authors_stay_supporters(make):
    staff = make.user(Role.staff)
    group, ideas = _group(make)
    groups.decide_group(group, "accept", staff)
    db.session.commit()
    assert ideas[0].co_proposers == [] and group.people == 3 and not group.credited


def test_rejecting_a_group_needs_a_reason_and_tells_every_author(make):
    staff = make.user(Role.staff)
    group, ideas = _group(make)
    with pytest.raises(ScreeningError, match="理由"):
        groups.decide_group(group, "reject", staff, "")
    groups.decide_group(group, "reject", staff, "属于个人诉求")
    db.session.commit()
    assert all(i.status is IdeaStatus.rejected and "属于个人诉求" in i.events[-1].reason for i in ideas)


def test_merging_a_group_into_an_earlier_idea(make):
    staff = make.user(Role.staff)
    earlier = make.idea(status=IdeaStatus.accepted, staff=staff, **TEXT)
    group, ideas = _group(make)
    groups.decide_group(group, "merge", staff, into_code=earlier.tracking_code.lower(), credit=True)
    db.session.commit()
    assert all(i.merged_into_id == earlier.id for i in ideas)
    assert {c.user_id for c in earlier.co_proposers} == {i.author_id for i in ideas}


@pytest.mark.parametrize("decision", ["accept", "reject", "merge"])
def test_a_split_restores_every_member(make, decision):
    staff = make.user(Role.staff)
    earlier = make.idea(status=IdeaStatus.accepted, staff=staff, **TEXT)
    group, ideas = _group(make)
    groups.decide_group(group, decision, staff, "分组处理", credit=True, into_code=earlier.tracking_code)
    db.session.commit()
    groups.split_group(group, staff, "说的不是同一件事")
    db.session.commit()
    assert all(i.status is IdeaStatus.submitted and i.merged_into_id is None for i in ideas)
    assert earlier.co_proposers == [] and ideas[0].co_proposers == []
    assert group.state is GroupState.split
    assert _actions()[-1] == "group.split" and _actions().count("idea.regroup") == 3
    assert all("拆分分组" in i.events[-1].reason for i in ideas)
    with pytest.raises(ScreeningError):
        groups.split_group(group, staff)
    assert first_broken_link() is None


def test_a_group_with_a_member_decided_alone_is_refused_whole(make):
    staff = make.user(Role.staff)
    group, ideas = _group(make)
    accept_idea(ideas[2], staff)
    db.session.commit()
    with pytest.raises(ScreeningError, match=ideas[2].tracking_code):
        groups.decide_group(group, "reject", staff, "理由")
    db.session.rollback()
    assert [i.status for i in ideas[:2]] == [IdeaStatus.submitted] * 2 and group.state is GroupState.open


def test_a_rebuild_groups_near_duplicates_led_by_the_earliest(make):
    staff = make.user(Role.staff)
    ideas = [make.idea(title="园区审批提速", **TEXT) for _ in range(3)]
    others = [make.idea(title=title, problem=problem, suggestion="", benefit="") for title, problem in OTHERS]
    rebuild(ideas[0].campaign)
    db.session.commit()
    found = db.session.scalars(select(IdeaGroup)).all()
    assert len(found) == 1 and found[0].lead_id == ideas[0].id
    assert {m.idea_id for m in found[0].members} == {i.id for i in ideas}
    # Split by staff: a rebuild does not group them again.
    groups.split_group(found[0], staff)
    db.session.commit()
    rebuild(ideas[0].campaign)
    db.session.commit()
    assert db.session.scalars(select(IdeaGroup).where(IdeaGroup.state == GroupState.open)).all() == []
    assert others[0].analysis.worth_reason


def _cluster(ideas, order):
    run = ClusterRun(campaign_id=ideas[0].campaign_id, strategy="zero_shot")
    cluster = Cluster(run=run, name="园区审批", terms="园区 审批", size=len(ideas),
                      members=[i.id for i in ideas], representatives=[ideas[n].id for n in order])
    db.session.add(cluster)
    db.session.flush()
    for idea in ideas:
        idea.analysis.cluster_id = cluster.id
    db.session.commit()
    return cluster


def _shown(page):
    """The units a cluster page lists, as its form carries them: lead ids, group ids."""
    return ([int(n) for n in re.findall(r'name="shown" value="(\d+)"', page)],
            [int(n) for n in re.findall(r'name="shown_groups" value="(\d+)"', page)])


def _decide(client, cluster, page, url=None, **data):
    shown, shown_groups = _shown(page)
    return client.post(url or f"/analysis/clusters/{cluster.id}",
                       data={"shown": shown, "shown_groups": shown_groups, **data})


def test_a_cluster_page_is_decided_in_one_step(client, staff, make):
    singles = [make.idea(title=f"单独的建议 {n}", **TEXT) for n in range(2)]
    group, members = _group(make)
    cluster = _cluster(singles + members, [0, 1, 2])
    page = client.get(f"/analysis/clusters/{cluster.id}").get_data(as_text=True)
    assert "代表" in page and "3 人提出" in page and "提出了具体措施" in page and "还有 3 项待筛选" in page
    assert _shown(page) == ([singles[0].id, singles[1].id, members[0].id], [group.id])
    response = _decide(client, cluster, page, idea_ids=[singles[0].id, members[0].id], reason="内容不具体",
                       credit="y")
    assert response.status_code == 302
    assert singles[0].status is IdeaStatus.accepted and singles[1].status is IdeaStatus.rejected
    assert members[0].status is IdeaStatus.accepted and members[1].merged_into_id == members[0].id
    assert {c.user_id for c in members[0].co_proposers} == {m.author_id for m in members[1:]}
    assert "这个聚类里没有待筛选的建议" in client.get(response.location).get_data(as_text=True)


def test_a_cluster_is_paged_and_a_decision_covers_only_the_page_shown(client, staff, make, monkeypatch):
    monkeypatch.setattr(group_queries, "CLUSTER_PAGE_SIZE", 2)
    ideas = [make.idea(title=f"单独的建议 {n}", **TEXT) for n in range(5)]
    group, members = _group(make)
    cluster = _cluster(ideas + members, [3, 5])  # a single idea and the group's lead represent it
    url = f"/analysis/clusters/{cluster.id}"
    first = client.get(url).get_data(as_text=True)
    assert "还有 6 项待筛选" in first and _shown(first) == ([ideas[3].id, members[0].id], [group.id])
    assert f"after={members[0].id}" in first and "下一页" in first and "回到第一页" not in first
    # The next page, in the screening order (here: by number, the ideas being alike).
    second = client.get(f"{url}?after={members[0].id}").get_data(as_text=True)
    assert _shown(second) == ([ideas[0].id, ideas[1].id], []) and "回到第一页" in second
    # A tick on an idea of another page is not the page's to decide.
    response = _decide(client, cluster, first, idea_ids=[ideas[3].id, ideas[0].id], reason="内容笼统")
    assert response.status_code == 302
    assert ideas[3].status is IdeaStatus.accepted and all(m.status is IdeaStatus.rejected for m in members)
    assert [i.status for i in ideas[:3] + ideas[4:]] == [IdeaStatus.submitted] * 4
    # The decided units have left the list: the next ones come first.
    after = client.get(response.location).get_data(as_text=True)
    assert "还有 4 项待筛选" in after and _shown(after) == ([ideas[0].id, ideas[1].id], [])
    # Deciding a later page goes back to the same place in the list.
    response = _decide(client, cluster, second, url=f"{url}?after={members[0].id}", reason="内容笼统")
    assert response.status_code == 302 and f"after={members[0].id}" in response.location
    assert [i.status for i in ideas[:2]] == [IdeaStatus.rejected] * 2
    assert _shown(client.get(response.location).get_data(as_text=True)) == ([ideas[2].id, ideas[4].id], [])


def test_a_cluster_decision_that_fails_changes_nothing(client, staff, make):
    singles = [make.idea(title=f"单独的建议 {n}", **TEXT) for n in range(2)]
    group, members = _group(make)
    # The group comes last, after the singles were already accepted in the same transaction.
    cluster = _cluster(singles + members, [0, 1])
    page = client.get(f"/analysis/clusters/{cluster.id}").get_data(as_text=True)
    accept_idea(members[2], staff)  # someone decided one member alone meanwhile
    db.session.commit()
    before = len(_actions())
    response = _decide(client, cluster, page, idea_ids=[s.id for s in singles], reason="内容不具体")
    assert response.status_code == 200 and members[2].tracking_code in response.get_data(as_text=True)
    db.session.expire_all()
    assert [s.status for s in singles] == [IdeaStatus.submitted] * 2
    assert members[0].status is IdeaStatus.submitted and len(_actions()) == before


@pytest.mark.parametrize("change", ["decided alone", "grouped", "group decided"])
def test_a_cluster_page_that_changed_since_it_was_read_is_refused(client, staff, make, change):
    singles = [make.idea(title=f"单独的建议 {n}", **TEXT) for n in range(2)]
    group, members = _group(make)
    cluster = _cluster(singles + members, [0, 1])
    page = client.get(f"/analysis/clusters/{cluster.id}").get_data(as_text=True)
    if change == "decided alone":
        accept_idea(singles[1], staff)
    elif change == "grouped":  # a rebuild put the single idea into a group since
        db.session.add(IdeaGroup(campaign_id=singles[1].campaign_id, lead_id=singles[1].id,
                                 members=[IdeaGroupMember(idea_id=singles[1].id)]))
    else:
        groups.decide_group(group, "reject", staff, "重复")
    db.session.commit()
    before = len(_actions())
    response = _decide(client, cluster, page, idea_ids=[singles[0].id], reason="内容不具体")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "没有处理" in text and "请刷新" in text
    assert (singles[1] if change != "group decided" else members[0]).tracking_code in text
    db.session.expire_all()
    assert singles[0].status is IdeaStatus.submitted and len(_actions()) == before


def test_the_rest_of_a_cluster_needs_a_reason(client, staff, make):
    ideas = [make.idea(title=f"建议 {n}", **TEXT) for n in range(2)]
    cluster = _cluster(ideas, [0])
    page = client.get(f"/analysis/clusters/{cluster.id}").get_data(as_text=True)
    response = _decide(client, cluster, page, idea_ids=[ideas[0].id])
    assert "须写一个理由" in response.get_data(as_text=True)
    assert ideas[0].status is IdeaStatus.submitted


def test_group_pages_for_staff(client, staff, make):
    group, ideas = _group(make)
    assert "3 人提出" in client.get("/groups/").get_data(as_text=True)
    page = client.get(f"/groups/{group.id}").get_data(as_text=True)
    assert "领衔" in page and "拆分这一组" in page
    response = client.post(f"/groups/{group.id}", data={"decision": "reject", "reason": ""})
    assert "须说明理由" in response.get_data(as_text=True) and ideas[0].status is IdeaStatus.submitted
    assert client.post(f"/groups/{group.id}", data={"decision": "accept"}).status_code == 302
    assert ideas[0].status is IdeaStatus.accepted
    assert client.post(f"/groups/{group.id}/split", data={"split-reason": "分错了"}).status_code == 302
    assert all(i.status is IdeaStatus.submitted for i in ideas)


@pytest.mark.parametrize("role", [Role.citizen, Role.reviewer])
def test_group_and_cluster_screening_is_for_staff(client, auth, make, role):
    group, ideas = _group(make)
    cluster = _cluster(ideas, [0])
    auth.login(make.user(role))
    for method, url in (("GET", "/groups/"), ("GET", f"/groups/{group.id}"), ("POST", f"/groups/{group.id}"),
                        ("POST", f"/groups/{group.id}/split"), ("POST", f"/analysis/clusters/{cluster.id}")):
        assert client.open(url, method=method, data={"decision": "accept"}).status_code == 403, url
    assert group.state is GroupState.open and ideas[0].status is IdeaStatus.submitted


def test_the_queue_shows_the_concrete_first_with_its_reason(client, staff, make):
    vague = make.idea(title="希望更好", problem="园区发展还不够好。", suggestion="希望越来越好。",
                      benefit="更好。")
    concrete = make.idea(title="园区审批清单", **TEXT)
    page = client.get("/ideas/screening?status=submitted").get_data(as_text=True)
    assert page.index(concrete.tracking_code) < page.index(vague.tracking_code)
    assert "排序依据：提出了具体措施" in page
