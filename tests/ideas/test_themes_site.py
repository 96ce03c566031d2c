"""The theme gate, secondary themes, the 待人工确认 dial, the typing hint and
cluster identity, as staff and citizens meet them in the site."""
import pytest
from sqlalchemy import select

from app.audit.models import ActionLog
from app.campaigns.queries import theme_by_code
from app.extensions import db, nlp
from ideas import analysis_queries, analysis_services
from ideas import services as idea_services
from ideas.models import Cluster, IdeaStatus
from tests.ideas.test_analysis import TOPICS, make_topic_ideas
from nlp.calibration import staff_load

COMPLAINTS = (
    ("小区楼下烧烤店噪音扰民", "我家楼下烧烤店每天晚上吵到凌晨两点，油烟也很大，打电话给物业也没人管。",
     "希望有关部门尽快来处理一下。"),
    ("网购的衣服退货商家不理",
     "上个月在网上买了一件衣服质量很差，申请退货商家一直不回复，平台客服也推来推去。",
     "希望帮我维权退款。"),
)
TWO_THEMES = dict(title="园区管委会与融资担保一起改",
                  problem="县域产业园区管委会机构叠床架屋，园区企业融资难融资贵，缺少抵押物。",
                  suggestion="推行政区分设，同时设立园区政府性融资担保基金，降低担保费率，推广应收账款融资。",
                  benefit="")


def complaints(make):
    return [make.idea(title=title, problem=problem, suggestion=suggestion, benefit="")
            for title, problem, suggestion in COMPLAINTS]


def rebuilt(campaign):
    run = analysis_services.rebuild(campaign)
    db.session.commit()
    return run


def test_the_gate_sets_complaints_aside_with_a_reason_and_a_reply(make, staff, client):
    ideas = make_topic_ideas(make, per_topic=3)
    noise = complaints(make)
    rebuilt(ideas[0].campaign)
    for idea in noise:
        assert idea.analysis.theme_status == "off_topic" and idea.analysis.suggested_theme_id is None
        assert idea.analysis.gate_kind == "complaint" and "12345" in idea.analysis.gate_reply
    assert all(i.analysis.theme_status != "off_topic" for i in ideas)
    page = client.get("/analysis/off-topic").get_data(as_text=True)
    assert all(i.title in page for i in noise) and "12345" in page
    assert not any(i.title in page for i in ideas)
    assert "不属于本次征集（2）" in client.get("/analysis/").get_data(as_text=True)


def test_off_topic_bulk_reject_is_one_logged_transaction_keeping_each_reply(make, staff, client):
    make_topic_ideas(make, per_topic=3)
    noise = complaints(make)
    rebuilt(noise[0].campaign)
    response = client.post("/analysis/off-topic", data={
        "idea_ids": [i.id for i in noise], "scope": "selected", "decision": "reject", "reason": "个人诉求"})
    assert response.status_code == 302
    db.session.expire_all()
    for idea in noise:
        assert idea.status is IdeaStatus.rejected
        reason = idea.events[-1].reason
        assert reason.startswith("不属于本次征集。个人诉求") and idea.analysis.gate_reply in reason
        assert "12345" in reason
    logged = db.session.scalars(select(ActionLog).where(ActionLog.action == "idea.reject")).all()
    assert sorted(log.target_id for log in logged) == sorted(i.id for i in noise)
    assert "没有待处理的建议" in client.get("/analysis/off-topic").get_data(as_text=True)


def test_a_refused_batch_changes_nothing_and_keeps_the_selection(make, staff, client):
    make_topic_ideas(make, per_topic=3)
    first, second = complaints(make)
    rebuilt(first.campaign)
    # Someone else dealt with one of them meanwhile.
    idea_services.accept_idea(second, staff)
    db.session.commit()
    response = client.post("/analysis/off-topic", data={
        "idea_ids": [first.id, second.id], "scope": "selected", "decision": "reject", "reason": "个人诉求"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"{second.tracking_code} 已不在“不属于本次征集”队列中" in page and "一条也没有处理" in page
    assert f'value="{first.id}" aria-label="选择 {first.tracking_code}"\n                   checked' in page
    db.session.expire_all()
    assert first.status is IdeaStatus.submitted and len(first.events) == 1
    # Without a reason: the message sits at the field, the boxes stay ticked.
    page = client.post("/analysis/off-topic",
                       data={"idea_ids": [first.id], "scope": "selected", "decision": "reject",
                             "reason": ""}).get_data(as_text=True)
    assert "请填写理由" in page and "checked" in page
    page = client.post("/analysis/off-topic", data={"scope": "selected", "decision": "reject",
                                                    "reason": "个人诉求"}).get_data(as_text=True)
    assert "请先勾选要处理的建议" in page


def test_not_off_topic_goes_back_to_screening_and_stays_there(make, staff, client):
    make_topic_ideas(make, per_topic=3)
    noise = complaints(make)
    campaign = noise[0].campaign
    rebuilt(campaign)
    response = client.post("/analysis/off-topic?kind=complaint", data={
        "scope": "all", "decision": "keep", "reason": "其实是对营商环境的意见"})
    assert response.status_code == 302
    db.session.expire_all()
    for idea in noise:
        assert idea.status is IdeaStatus.submitted and idea.analysis.theme_status == "needs_review"
        assert idea.events[-1].reason == "经工作人员确认属于本次征集，退回筛选。其实是对营商环境的意见"
        assert idea.analysis.gate_overruled_by_id == staff.id
    rebuilt(campaign)
    assert all(i.analysis.theme_status == "needs_review" for i in noise)
    assert db.session.scalars(select(ActionLog).where(ActionLog.action == "idea.on_topic")).all()


def test_secondary_theme_is_shown_and_either_theme_can_be_confirmed(make, staff, client):
    make_topic_ideas(make, per_topic=3)
    idea = make.idea(theme=None, **TWO_THEMES)
    rebuilt(idea.campaign)
    analysis = idea.analysis
    assert analysis.suggested_theme.code == "parks" and analysis.secondary_theme.code == "costs"
    assert 0 < analysis.secondary_confidence < analysis.confidence
    page = client.get("/ideas/screening").get_data(as_text=True)
    assert f"次要主题：{analysis.secondary_theme.name}" in page
    assert f'<input type="hidden" name="theme{idea.id}-theme" value="costs">' in page
    assert f'<input type="hidden" name="theme{idea.id}-theme" value="parks">' in page
    response = client.post(f"/analysis/ideas/{idea.id}/theme", data={f"theme{idea.id}-theme": "costs"})
    assert response.status_code == 302
    db.session.expire_all()
    assert idea.theme.code == "costs" and idea.theme_confirmed_by_id == staff.id


def test_the_dial_counts_what_each_threshold_sends_to_staff(make, staff, client, app):
    ideas = make_topic_ideas(make, per_topic=2)
    campaign = ideas[0].campaign
    rebuilt(campaign)
    for idea, confidence in zip(ideas, (0.35, 0.45, 0.55, 0.65, 0.75, 0.85)):
        idea.analysis.theme_status, idea.analysis.confidence = "assigned", confidence
    db.session.commit()
    dial = analysis_queries.theme_dial(campaign, app.config["NLP_DIAL_THRESHOLDS"])
    assert [(row["threshold"], row["to_staff"]) for row in dial] == [
        (0.3, 0), (0.4, 1), (0.5, 2), (0.6, 3), (0.7, 4), (0.8, 5)]
    assert dial[-1]["expected_correct"] == 0.85
    # Counted by the database, the same as the library's dial over the confidences themselves.
    ideas[0].analysis.confidence = None
    db.session.commit()
    assert analysis_queries.theme_dial(campaign, app.config["NLP_DIAL_THRESHOLDS"]) == staff_load(
        [None, 0.45, 0.55, 0.65, 0.75, 0.85], app.config["NLP_DIAL_THRESHOLDS"])
    page = client.get("/analysis/").get_data(as_text=True)
    assert app.config["NLP_THEME_THRESHOLD"] == 0.4 and "0.4（当前）" in page and "待人工确认的门槛" in page


@pytest.mark.postgres_only
def test_the_kept_analysis_tallies_say_what_counting_says(make, staff, app, monkeypatch):
    """The dial and the off-topic counts read tallies that triggers keep; after every
    kind of change they say what counting the analyses says."""
    ideas = make_topic_ideas(make, per_topic=3)
    campaign = ideas[0].campaign
    thresholds = app.config["NLP_DIAL_THRESHOLDS"]

    def read():
        return analysis_queries.theme_dial(campaign, thresholds), analysis_queries.off_topic_kinds(campaign)

    def agree():
        db.session.commit()
        with monkeypatch.context() as counted:
            counted.setattr(analysis_queries, "_tallied", lambda: False)
            direct = read()
        assert read() == direct
        return direct

    rebuilt(campaign)
    agree()
    for idea, confidence in zip(ideas, (0.35, 0.4, None, 0.8, 0.555)):
        idea.analysis.theme_status, idea.analysis.confidence = "assigned", confidence
    for idea, kind in zip(ideas[5:8], ("complaint", "complaint", "advert")):
        idea.analysis.theme_status, idea.analysis.gate_kind = "off_topic", kind
    dial, kinds = agree()
    assert kinds == {"complaint": 2, "advert": 1} and [row["to_staff"] for row in dial][:2] == [
        dial[0]["to_staff"], dial[0]["to_staff"] + 1]  # 0.35 passes 0.3 and stops at 0.4
    idea_services.reject_idea(ideas[5], staff, "不属于本次征集")
    analysis_services.confirm_theme(ideas[1], ideas[1].theme, staff)
    agree()
    alone = make.idea(title="设立省级科技成果转化引导基金", problem="成果转化缺少早期资金。",
                      suggestion="设立引导基金投早投小。", benefit="更多成果落地。")
    alone.analysis.theme_status, alone.analysis.confidence = "assigned", 0.65
    agree()
    db.session.delete(alone)
    db.session.delete(ideas[7].analysis)
    dial, kinds = agree()
    assert kinds == {"complaint": 1}
    rebuilt(campaign)
    agree()


def test_similar_json_has_both_lists_and_the_theme_to_suggest(make, app, client, auth):
    campaign = make.campaign()
    make_topic_ideas(make, per_topic=3)
    # A public idea: the writer is led to its page, to support it or add to it.
    copy = make.idea(theme="tech", title="高校科技成果转化率低", problem=TOPICS["tech"][1],
                     suggestion=TOPICS["tech"][2], benefit="", status=IdeaStatus.accepted,
                     public_consent=True)
    rebuilt(campaign)
    auth.login(make.user())
    data = client.post("/analysis/similar", data={"text": "\n".join(TOPICS["tech"])}).get_json()
    assert [d["title"] for d in data["duplicates"]] == [copy.title]
    duplicate = data["duplicates"][0]
    assert duplicate["score"] >= 0.8 and duplicate["url"] == f"/ideas/{copy.tracking_code}"
    assert data["related"] and all(r["score"] < 0.8 for r in data["related"])
    # Not public, perhaps not even screened: no title.
    assert all(r["title"] == "一条尚未公开的类似建议" and "url" not in r for r in data["related"])
    assert data["theme"]["code"] == "tech" and data["theme"]["name"] == theme_by_code(campaign, "tech").name
    assert 0 < data["theme"]["confidence"] <= 1
    assert data["items"][0]["title"] == copy.title
    noise = client.post("/analysis/similar", data={"text": "\n".join(COMPLAINTS[0])}).get_json()
    assert noise["theme"] is None


def test_a_look_up_only_reads_the_index_and_catching_up_is_its_own_step(make, app, client, auth):
    campaign = make.campaign()
    make_topic_ideas(make, per_topic=3)
    rebuilt(campaign)
    late = make.idea(theme="tech", title="怀化高校科技成果转化难", problem="怀化" + TOPICS["tech"][1],
                     suggestion=TOPICS["tech"][2])
    entry = nlp.similar_index(campaign.id)
    before = (len(entry.index), entry.watermark)
    found = analysis_queries.similar_ideas(campaign, late.analysis.tokens, top_k=20, min_score=0.0)
    duplicates, related = analysis_queries.similar_lookup(campaign, late.analysis.tokens)
    assert (len(entry.index), entry.watermark) == before
    assert late.id not in {i.id for i, _ in found + duplicates + related}
    analysis_services.catch_up_index(campaign)
    assert (len(entry.index), entry.watermark) == (before[0] + 1, late.id)
    duplicates, _ = analysis_queries.similar_lookup(campaign, late.analysis.tokens)
    assert late.id in {i.id for i, _ in duplicates}
    # Again: nothing new, nothing added twice.
    analysis_services.catch_up_index(campaign)
    assert len(entry.index) == before[0] + 1


def test_clusters_keep_their_id_and_name_across_rebuilds(make, staff, client):
    ideas = make_topic_ideas(make, per_topic=8)
    campaign = ideas[0].campaign
    first = rebuilt(campaign)
    before = {c.id: (c.name, sorted(c.members)) for c in first.clusters}
    assert before and all(c.change == "new" for c in first.clusters)
    assert sorted(m for _, members in before.values() for m in members) == sorted(i.id for i in ideas)
    second = rebuilt(campaign)
    after = {c.id: (c.name, sorted(c.members)) for c in second.clusters}
    assert after == before and all(c.change == "same" for c in second.clusters)
    assert second.summary["removed"] == []
    # A new topic: its clusters are new, the others keep their ids and names.
    for n in range(8):
        make.idea(theme="talent", title=f"青年人才住房难留不住{n}",
                  problem=f"引进的青年人才住房难、子女入学难，{('长沙', '株洲')[n % 2]}人才流失严重，"
                          f"第{n}批尤甚。",
                  suggestion="建设人才公寓，落实人才安居补贴，解决子女入学，留住青年人才。", benefit="")
    third = rebuilt(campaign)
    kept = {c.id: c for c in third.clusters if c.id in before}
    assert kept and all(c.name == before[c.id][0] for c in kept.values())
    assert any(c.change == "new" and c.id not in before for c in third.clusters)
    page = client.get("/analysis/").get_data(as_text=True)
    assert "新出现" in page and "与上次相比" in page
    assert db.session.get(Cluster, next(iter(kept))).run_id == third.id
