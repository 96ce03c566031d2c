"""On a 375 px phone: a member of staff works through a cluster — reads its
representative ideas, ticks the good one by keyboard, sets the rest of the page aside
with one reason — and opens a group of alike messages."""
from playwright.sync_api import expect

from app.auth.models import Role
from app.extensions import db
from ideas.group_models import IdeaGroup, IdeaGroupMember
from ideas.models import Cluster, ClusterRun, Idea, IdeaStatus

GOOD = {"title": "园区审批事项清单", "problem": "园区项目审批环节多、材料重复提交。",
        "suggestion": "建议由省发展改革委牵头，建立园区审批事项清单，30 个工作日内办结。",
        "benefit": "项目早落地。"}
VAGUE = {"title": "希望园区更好", "problem": "园区发展还不够好。", "suggestion": "希望越来越好。",
         "benefit": "更好。"}


def test_a_cluster_on_a_phone(phone, make):
    campaign = make.campaign()
    staff = make.user(Role.staff, login="staff@example.com")
    good, vague = make.idea(**GOOD), make.idea(**VAGUE)
    repost = make.idea(**{**VAGUE, "title": "希望园区更好！"})
    group = IdeaGroup(campaign_id=campaign.id, lead_id=vague.id,
                      members=[IdeaGroupMember(idea_id=vague.id),
                               IdeaGroupMember(idea_id=repost.id, score=0.97)])
    run = ClusterRun(campaign_id=campaign.id, strategy="zero_shot")
    cluster = Cluster(run=run, name="园区、审批", terms="园区 审批", size=3,
                      members=[good.id, vague.id, repost.id], representatives=[good.id, vague.id])
    db.session.add_all([group, cluster])
    db.session.flush()
    for idea in (good, vague, repost):
        idea.analysis.cluster_id = cluster.id
    db.session.commit()

    phone.log_in(staff)
    page = phone.page
    phone.goto(f"/analysis/clusters/{cluster.id}")
    expect(page.get_by_role("heading", name="聚类：园区、审批")).to_be_visible()
    expect(page.get_by_text("提出了具体措施、责任部门和具体数字")).to_be_visible()
    expect(page.get_by_text("一组 2 条 · 2 人提出")).to_be_visible()
    expect(page.get_by_text("还有 2 项待筛选")).to_be_visible()  # the good one, and the group by its lead
    assert phone.fits_the_screen()
    phone.shot("cluster")
    box = page.get_by_role("checkbox", name="园区审批事项清单")
    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    # Without a reason the rest cannot be set aside: the message sits at the field, the tick stays.
    page.get_by_role("button", name="采纳勾选的，其余不予采纳").click()
    expect(page.get_by_text("须写一个理由")).to_be_visible()
    expect(page.get_by_role("checkbox", name="园区审批事项清单")).to_be_checked()
    page.get_by_label("其余的不予采纳，理由").fill("内容笼统，没有具体措施")
    page.get_by_role("button", name="采纳勾选的，其余不予采纳").click()
    expect(page.get_by_text("已采纳 1 项，其余 1 项不予采纳")).to_be_visible()
    expect(page.get_by_text("还有 0 项待筛选")).to_be_visible()
    phone.shot("decided")
    assert phone.fits_the_screen()
    db.session.expire_all()
    statuses = {i.id: i.status for i in db.session.scalars(db.select(Idea))}
    assert statuses == {good.id: IdeaStatus.accepted, vague.id: IdeaStatus.rejected,
                        repost.id: IdeaStatus.rejected}

    phone.goto(f"/groups/{group.id}")
    expect(page.get_by_text("2 人提出")).to_be_visible()
    page.get_by_role("button", name="拆分这一组").click()
    expect(page.get_by_text("恢复为分组处理前的状态")).to_be_visible()
    assert phone.fits_the_screen()
    db.session.expire_all()
    assert db.session.get(Idea, repost.id).status is IdeaStatus.submitted
    db.session.remove()
