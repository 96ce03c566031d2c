"""The update after a rebuild: only the ideas submitted since are read, with the
rebuild's models; they get themes, the gate's decision and keywords, and join the
near-duplicate groups as a rebuild would put them; nothing else changes."""
from sqlalchemy import select

from app.campaigns.queries import current_campaign
from app.extensions import db
from ideas import analysis_queries, analysis_services
from ideas.group_models import IdeaGroup
from ideas.models import ClusterRun, IdeaAnalysis, JobState, NlpJob
from ideas.services import store_tokens
from tests.ideas.test_analysis import make_topic_ideas
from tests.ideas.test_groups import OTHERS, TEXT

COMPLAINT = {"title": "楼下烧烤店噪音扰民",
             "problem": "我家楼下的烧烤店每天营业到凌晨两点，油烟和噪音太大，"
                        "老人孩子都睡不着，打了好多次电话都没人管。",
             "suggestion": "请有关部门尽快派人来处理，还我们安静。", "benefit": "能睡个好觉。"}


def _groups():
    """{lead id: member ids} of every group."""
    return {g.lead_id: {m.idea_id for m in g.members} for g in db.session.scalars(select(IdeaGroup))}


def _analysis_rows():
    return {a.idea_id: (a.theme_status, a.suggested_theme_id, a.confidence, a.keywords, a.cluster_id,
                        a.updated_at) for a in db.session.scalars(select(IdeaAnalysis))}


def _seed(make):
    campaign = make.campaign()
    make_topic_ideas(make)
    first = make.idea(title="园区审批提速", **TEXT)
    make.idea(title="园区审批提速", **TEXT)
    alone = [make.idea(title=title, problem=problem, suggestion="", benefit="") for title, problem in OTHERS]
    return campaign, first, alone


def test_an_update_reads_only_what_came_in_since_the_rebuild(make):
    campaign, first, alone = _seed(make)
    analysis_services.rebuild(campaign)
    db.session.commit()
    before, groups_before = _analysis_rows(), _groups()
    assert analysis_queries.unanalysed_count(campaign) == 0
    copy = make.idea(title="园区审批提速", **TEXT)
    echo = make.idea(title=OTHERS[0][0], problem=OTHERS[0][1], suggestion="", benefit="")
    complaint = make.idea(**COMPLAINT)
    assert analysis_queries.unanalysed_count(campaign) == 3

    assert analysis_services.update(campaign) == 3
    db.session.commit()
    assert analysis_queries.unanalysed_count(campaign) == 0
    after = _analysis_rows()
    assert {k: v for k, v in after.items() if k in before} == before  # nothing else touched
    for idea in (copy, echo, complaint):
        assert idea.analysis.analysed_hash == idea.analysis.text_hash and idea.analysis.keywords
        assert idea.analysis.cluster_id is None  # clusters wait for the next rebuild
    assert complaint.analysis.theme_status == "off_topic" and complaint.analysis.gate_kind
    assert copy.analysis.theme_status != "off_topic"
    groups = _groups()
    # The copy joins the group its earlier twins formed; the echo starts one with its original.
    assert groups[first.id] == groups_before[first.id] | {copy.id}
    assert groups[alone[0].id] == {alone[0].id, echo.id}
    assert len(groups) == len(groups_before) + 1
    lead_scores = {m.idea_id: m.score for g in db.session.scalars(select(IdeaGroup)) for m in g.members}
    assert lead_scores[alone[0].id] == 1.0 and 0.5 <= lead_scores[echo.id] <= 1.0
    # Nothing new: the next update reads nothing and changes nothing.
    assert analysis_services.update(campaign) == 0
    assert _groups() == groups
    # A text that changes is read again.
    store_tokens(alone[1], "园区 审批 提速 清单", "another-hash")
    db.session.commit()
    assert analysis_queries.unanalysed_ideas(campaign) == [alone[1]]


def test_the_groups_of_an_update_are_those_a_rebuild_forms(make):
    campaign, first, alone = _seed(make)
    analysis_services.rebuild(campaign)
    db.session.commit()
    before = _groups()
    for _ in range(2):
        make.idea(title="园区审批提速", **TEXT)
    for title, problem in OTHERS[:3]:
        make.idea(title=title, problem=problem, suggestion="", benefit="")
    analysis_services.update(campaign)
    db.session.commit()
    updated = _groups()
    analysis_services.rebuild(campaign)
    db.session.commit()
    assert updated == _groups()
    assert len(updated[first.id]) == len(before[first.id]) + 2 and len(updated) == len(before) + 3


def test_an_update_with_nothing_to_go_on_is_a_rebuild(make, staff, client):
    campaign = current_campaign()
    make_topic_ideas(make, per_topic=3)
    assert analysis_services.update(campaign) is None
    response = client.post("/analysis/update")  # the testing config runs jobs inline
    assert response.status_code == 302
    job = db.session.scalars(select(NlpJob)).one()
    assert job.kind == "update" and job.state is JobState.done, job.message
    assert db.session.scalars(select(ClusterRun)).one()  # it rebuilt
    assert analysis_services.update(campaign) == 0
    # Themes changed since: the rebuild's models no longer fit, so again only a rebuild will do.
    campaign.themes[0].description += "，另含园区用地"
    db.session.commit()
    assert analysis_services.update(campaign) is None


def test_the_update_command(runner, make):
    campaign = make.campaign()
    make_topic_ideas(make, per_topic=3)
    result = runner.invoke(args=["nlp", "update"])
    assert result.exit_code != 0 and "flask nlp rebuild" in result.output
    analysis_services.rebuild(campaign)
    db.session.commit()
    make.idea(**COMPLAINT)
    result = runner.invoke(args=["nlp", "update"])
    assert result.exit_code == 0 and "增量分析了 1 条建议" in result.output, result.output


def test_the_dashboard_offers_the_update_for_what_came_in(make, staff, client):
    campaign = current_campaign()
    make_topic_ideas(make, per_topic=3)
    assert "增量分析新增" not in client.get("/analysis/").get_data(as_text=True)  # no rebuild yet
    analysis_services.rebuild(campaign)
    db.session.commit()
    make.idea(**COMPLAINT)
    make.idea(title="园区审批提速", **TEXT)
    page = client.get("/analysis/").get_data(as_text=True)
    assert "尚未归类的建议：2 条" in page and "增量分析新增的 2 条" in page


def test_one_analysis_at_a_time(make, staff, client):
    campaign = current_campaign()
    make_topic_ideas(make, per_topic=3)
    db.session.add(NlpJob(campaign_id=campaign.id, state=JobState.running))
    db.session.commit()
    for path in ("/analysis/update", "/analysis/rebuild"):
        page = client.post(path, follow_redirects=True).get_data(as_text=True)
        assert "重新分析正在进行，完成后再开始新的分析" in page
    assert len(db.session.scalars(select(NlpJob)).all()) == 1
