"""Is this a proposal for the campaign at all?  The gate before the themes.

A 金点子 intake also receives personal complaints and help requests (the
noise of a 12345 hotline), adverts and chatter.  Such a text must not get a
confident theme: it goes to a 不属于本次征集 queue with a reason and a
suggested reply.  The final theme probability separates the two poorly; the
raw evidence does it well, so the gate is a logistic regression on:

* the best cosine to a campaign theme and the evidence mass of theme terms;
* the same two against the everyday topics of citizen service hotlines
  (``nlp/data/service_topics.json``: housing, wages, schools, hospitals,
  pollution, traffic, shops — written from those topics' names);
* the share of tokens that are complaint or help-request cues.

Its coefficients are fitted on the dev set (:mod:`nlp.calibration`) and
shipped as data.
"""
import json
from dataclasses import dataclass

import numpy as np

from .calibration import sigmoid
from .features import as_corpus
from .segmenter import DATA_DIR

SERVICE_TOPICS_PATH = DATA_DIR / "service_topics.json"

# Words of personal complaints and help requests rather than proposals.
COMPLAINT_CUES = frozenset({
    "投诉", "举报", "请问", "咨询", "求助", "帮忙", "我家", "我妈", "我爸", "老公", "老婆", "孩子",
    "小孩", "小区", "楼下", "楼上", "业主", "物业", "开发商", "噪音", "扰民", "何时", "什么时候",
    "怎么办", "为什么", "能否", "恳请", "恳求", "尽快", "赔偿", "维权", "退款", "退费", "谢谢",
    "欺骗", "黑心", "请求", "市民", "居民", "村民", "村里", "老人", "邻居", "被骗", "不管", "不作为",
    "答复", "回复", "到底", "急需", "麻烦",
})
# Words of adverts: an off-topic text with two or more of them is an advert.
ADVERT_CUES = frozenset({
    "优惠", "打折", "八折", "包邮", "订购", "扫码", "加微信", "微信", "私聊", "出售", "转让", "代办",
    "代理记账", "上门服务", "欢迎咨询", "欢迎光临", "日结", "兼职", "招聘兼职", "价格实惠", "量大从优",
    "电话联系", "联系电话",
})
FEATURES = ("theme_cosine", "service_cosine", "complaint_cues", "theme_evidence",
            "service_evidence")
HOTLINE_REPLY = ("您反映的是需要有关部门办理的具体诉求（{topic}），不属于本次“献策湖南”金点子征集。"
                 "请拨打 12345 政务服务便民热线或登录 12345 网站反映，有关部门会依法受理、限时答复。"
                 "如果您对解决这类问题有制度性的建议，欢迎改写成建议再次提交。")
ADVERT_REPLY = "本平台只征集推动湖南高质量发展的意见建议，不发布广告和商业信息。"
EMPTY_REPLY = ("没有看出您的建议针对哪个方面。欢迎写清楚：发现了什么问题、建议怎么改、"
               "改了有什么好处，再次提交。")


def load_service_topics(path=SERVICE_TOPICS_PATH):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


@dataclass
class GateDecision:
    """Verdict on one idea.  ``reason`` and ``reply`` are empty when on topic."""

    on_topic: bool
    probability: float
    kind: str = "proposal"  # proposal / complaint / advert / empty
    reason: str = ""
    reply: str = ""
    service_topic: str = ""


def cue_counts(docs):
    """Per document: complaint cues, advert cues and tokens (from the shared counts)."""
    counts, tokens = as_corpus(docs).counts()
    complaint = np.array([token in COMPLAINT_CUES for token in tokens], dtype=float)
    advert = np.array([token in ADVERT_CUES for token in tokens], dtype=float)
    return (counts @ complaint, counts @ advert,
            np.asarray(counts.sum(axis=1), dtype=float).ravel())


def evidence(model, docs):
    """Everything the gate reads, computed once: a dict of arrays."""
    docs = as_corpus(docs)
    theme_cos, theme_ev = model.profiles_.scores(docs)
    service_cos, service_ev = model.service_profiles_.scores(docs)
    complaint, advert, lengths = cue_counts(docs)
    return {"theme_cos": theme_cos, "theme_ev": theme_ev, "service_cos": service_cos,
            "service_ev": service_ev, "complaint": complaint, "advert": advert,
            "lengths": lengths}


def gate_features(model, docs, found=None):
    """Feature matrix (ideas × :data:`FEATURES`) from a fitted zero-shot model."""
    found = evidence(model, docs) if found is None else found
    theme_cos = found["theme_cos"]
    n = len(found["lengths"])
    return np.column_stack([
        theme_cos.max(axis=1) if theme_cos.shape[1] else np.zeros(n),
        found["service_cos"].max(axis=1),
        found["complaint"] / np.maximum(found["lengths"], 1),
        np.log1p(10 * found["theme_ev"]), np.log1p(10 * found["service_ev"]),
    ])


def fit_gate(model, on_docs, off_docs, C=1.0):
    """Logistic regression on standardised features; a JSON-ready dict."""
    from sklearn.linear_model import LogisticRegression

    X = np.vstack([gate_features(model, on_docs), gate_features(model, off_docs)])
    y = np.r_[np.ones(len(on_docs)), np.zeros(len(off_docs))]
    mean, scale = X.mean(axis=0), X.std(axis=0) + 1e-9
    # Balanced: the dev set holds far fewer proposals than messages.
    lr = LogisticRegression(C=C, class_weight="balanced", max_iter=1000)
    lr.fit((X - mean) / scale, y)
    return {"features": list(FEATURES), "mean": mean.round(6).tolist(),
            "scale": scale.round(6).tolist(), "coef": lr.coef_[0].round(6).tolist(),
            "intercept": round(float(lr.intercept_[0]), 6), "threshold": 0.5}


def on_topic_probability(gate, X):
    """P(on topic) of each row of a :func:`gate_features` matrix."""
    z = (X - np.asarray(gate["mean"])) / np.asarray(gate["scale"])
    return sigmoid(z @ np.asarray(gate["coef"]) + gate["intercept"])


def decide(model, docs, gate, threshold=None, found=None):
    """A :class:`GateDecision` per document (``found``: its :func:`evidence`)."""
    found = evidence(model, docs) if found is None else found
    threshold = gate["threshold"] if threshold is None else threshold
    X = gate_features(model, docs, found)
    probability = on_topic_probability(gate, X)
    service_cos, advert, lengths = found["service_cos"], found["advert"], found["lengths"]
    names = [topic["name"] for topic in model.service_topics_]
    decisions = []
    for row, p in enumerate(probability):
        if p >= threshold:
            decisions.append(GateDecision(True, float(p)))
        elif advert[row] >= 2:
            decisions.append(GateDecision(False, float(p), "advert", "像是广告或商业信息",
                                          ADVERT_REPLY))
        elif lengths[row] < 3 or X[row, 0] + X[row, 1] == 0:
            decisions.append(GateDecision(False, float(p), "empty",
                                          "内容太少，看不出是什么方面的建议", EMPTY_REPLY))
        else:
            topic = names[int(service_cos[row].argmax())]
            decisions.append(GateDecision(
                False, float(p), "complaint",
                f"像是{topic}方面的个人诉求或求助，不是对本次征集十个方面的建议",
                HOTLINE_REPLY.format(topic=topic), topic))
    return decisions


def describe_features(gate):
    """Readable coefficients, for the README and the report."""
    return {name: round(coef, 3) for name, coef in zip(gate["features"], gate["coef"])}

