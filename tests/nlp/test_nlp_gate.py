"""The gate before the themes: proposals pass, complaints, adverts and chatter do not."""
import pytest

from nlp.gate import gate_features
from nlp.theme_base import OFF_TOPIC_LABEL
from nlp.themes import ThemeAssigner
from nlp.zero_shot import ZeroShotThemeAssigner

PROPOSALS = [
    "建议扩大政府性融资担保规模，降低担保费率，缓解小微企业融资难融资贵。",
    "清理规范机关事业单位编外人员和借调人员，严控财政供养人员规模。",
    "推进开发区政区分设，精简园区管委会机构，把精力放在服务企业上。",
]
COMPLAINTS = [
    "我家小区楼下的烧烤店每天晚上噪音扰民到凌晨，投诉了好几次也没人管，请问该找哪个部门？",
    "孩子在学校食堂吃坏了肚子，家长找老师和校长都不理，恳请教育局尽快处理。",
    "我在网上买的衣服质量很差，商家不给退款，请问去哪里投诉维权？",
]
ADVERT = "新店开业全场八折，扫码加微信订购，满两百包邮，欢迎咨询！"


@pytest.fixture
def model(themes, segmenter):
    return ZeroShotThemeAssigner(themes).fit([])


def test_proposals_pass_the_gate(model, segmenter):
    decisions = model.gate_decisions([segmenter.segment(t) for t in PROPOSALS])
    assert all(d.on_topic for d in decisions)
    assert all(d.reason == "" and d.reply == "" for d in decisions)


def test_complaints_go_to_the_off_topic_queue_with_a_reply(model, segmenter):
    decisions = model.gate_decisions([segmenter.segment(t) for t in COMPLAINTS])
    assert not any(d.on_topic for d in decisions)
    assert all(d.kind == "complaint" and "12345" in d.reply and d.reason for d in decisions)
    assert all(d.probability < 0.5 for d in decisions)


def test_adverts_and_chatter_are_told_apart(model, segmenter):
    advert, chatter = model.gate_decisions([segmenter.segment(ADVERT), segmenter.segment("你好")])
    assert (advert.on_topic, advert.kind) == (False, "advert")
    assert (chatter.on_topic, chatter.kind) == (False, "empty")
    assert "建议" in chatter.reply


def test_off_topic_ideas_never_get_a_theme(themes, segmenter):
    docs = [segmenter.segment(t) for t in PROPOSALS + COMPLAINTS]
    model = ThemeAssigner(themes, threshold=0.0).fit(docs)
    results = model.analyse(docs)
    assert [r.status for r in results] == ["assigned"] * 3 + ["off_topic"] * 3
    assert all(r.primary is None and r.secondary is None and r.label == OFF_TOPIC_LABEL
               for r in results[3:])
    codes, confidences = model.assign(docs)
    assert list(codes[3:]) == [None] * 3 and all(confidences[3:] < 0.5)
    # The theme a proposal would get is still offered to staff.
    assert all(r.best is not None for r in results)


def test_the_gate_can_be_switched_off(themes, segmenter):
    docs = [segmenter.segment(t) for t in COMPLAINTS]
    results = ZeroShotThemeAssigner(themes, threshold=0.0, gate=False).fit([]).analyse(docs)
    assert all(r.on_topic and r.status == "assigned" for r in results)


def test_gate_features_are_raw_evidence(model, segmenter):
    X = gate_features(model, [segmenter.segment(PROPOSALS[0]), segmenter.segment(COMPLAINTS[0])])
    assert X.shape == (2, 5)
    # More theme similarity and evidence for the proposal, more service-topic
    # similarity and complaint cues for the complaint.
    assert X[0, 0] > X[1, 0] and X[0, 3] > X[1, 3]
    assert X[1, 1] > X[0, 1] and X[1, 2] > X[0, 2]
