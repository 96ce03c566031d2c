import json

import joblib
import numpy as np
import pytest
from sklearn.svm import LinearSVC

from nlp.features import as_corpus
from nlp.theme_base import UNASSIGNED_LABEL, load_themes, theme_document
from nlp.supervised import SupervisedThemeAssigner
from nlp.themes import ThemeAssigner, choose_strategy
from nlp.zero_shot import ZeroShotThemeAssigner

NEW_IDEAS = {
    "costs": "银行贷款门槛高，小企业融资难，希望多发展融资担保。",
    "staffing": "清理编外人员和临聘人员，减少财政供养。",
    "parks": "园区管委会太多层级，叠床架屋，应当政区分设。",
    "tech": "高校院所专利转化难，需要中试平台和技术经理人。",
    "business": "招商承诺不兑现、拖欠账款，营商环境差。",
}


@pytest.fixture
def new_docs(segmenter):
    return [segmenter.segment(text) for text in NEW_IDEAS.values()]


def test_unassigned_label_is_chinese():
    assert UNASSIGNED_LABEL == "待人工确认"


def test_theme_document_repeats_name_and_keywords(segmenter, themes):
    doc = theme_document(themes[0], keyword_weight=2).split()
    assert doc.count("融资难") >= 2
    assert "多式联运" in doc


def test_zero_shot_assigns_without_labels(themes, docs, labels, new_docs):
    model = ZeroShotThemeAssigner(themes, threshold=0.0).fit(docs)
    assert list(model.classes_) == ["costs", "staffing", "parks", "tech", "business"]
    assert "other" not in model.classes_
    assert np.mean(model.predict(docs) == np.array(labels, dtype=object)) >= 0.8
    assert list(model.predict(new_docs)) == list(NEW_IDEAS)


def test_confidence_threshold_sends_doubtful_ideas_to_staff(themes, docs, new_docs):
    model = ZeroShotThemeAssigner(themes, threshold=0.0).fit(docs)
    codes, confidence = model.assign(new_docs)
    assert all(code is not None for code in codes)
    assert np.all((confidence > 0) & (confidence <= 1))
    np.testing.assert_allclose(model.predict_proba(new_docs).sum(axis=1), 1.0)

    model.threshold = float(np.median(confidence))
    doubtful, _ = model.assign(new_docs)
    assert [code is None for code in doubtful] == list(confidence < model.threshold)
    assert all(code in (None, sure) for code, sure in zip(doubtful, codes))

    model.threshold = 1.01
    assert all(code is None for code in model.predict(new_docs))


def test_staff_labels_steer_the_zero_shot_model(themes, segmenter, docs):
    # 人才公寓 appears in no theme; staff file such ideas under 营商环境.
    extra = [segmenter.segment(text) for text in (
        "人才公寓排队三年还没分到，配套太差。", "人才公寓租金上涨，青年人才住不起。",
        "建议增加人才公寓房源，简化申请。")]
    y = [None] * len(docs) + ["business"] * len(extra)
    model = ZeroShotThemeAssigner(themes, threshold=0.0).fit(docs + extra, y)
    assert model.predict([segmenter.segment("人才公寓申请材料太多")])[0] == "business"


def test_supervised_learns_from_labels_and_keeps_other(segmenter, docs, labels, new_docs):
    other = [segmenter.segment(text) for text in (
        "建议在湘江边多种樱花，打造赏花长廊。", "希望周末延长博物馆开放时间。",
        "公园里的健身器材坏了很久没人修。")]
    y = labels + ["other"] * 3 + [None]
    model = SupervisedThemeAssigner(threshold=0.0).fit(docs + other + ["融资 贷款"], y)
    assert set(model.classes_) == set(labels) | {"other"}
    assert list(model.predict(new_docs)) == list(NEW_IDEAS)
    assert model.predict([segmenter.segment("博物馆和公园樱花")])[0] == "other"


def test_supervised_probabilities_come_from_one_svm_fitted_on_every_label(docs, labels, new_docs):
    # The sigmoid is fitted on out-of-fold scores; the SVM itself sees all labels
    # (averaging fold SVMs, each seeing two thirds of them, predicts worse).
    model = SupervisedThemeAssigner(threshold=0.0).fit(docs, labels)
    (calibrated,) = model.model_.calibrated_classifiers_
    X = model._features(as_corpus(docs), None)
    whole = LinearSVC(C=model.C, class_weight="balanced").fit(X, labels)
    Z = model._features(as_corpus(new_docs), None)
    # liblinear shuffles its coordinates: the same solution to a few parts in 10^5.
    np.testing.assert_allclose(calibrated.estimator.decision_function(Z), whole.decision_function(Z),
                               atol=1e-3)


def test_choose_strategy_needs_enough_labels_for_every_target_theme(themes):
    targets = ["costs", "staffing", "parks", "tech", "business"]
    assert choose_strategy([None] * 10, themes, min_per_theme=2) == "zero_shot"
    assert choose_strategy(targets[:4] * 5, themes, min_per_theme=2) == "zero_shot"
    # No idea is labelled 其他: the catch-all theme is never required.
    assert choose_strategy(targets * 2 + [None], themes, min_per_theme=2) == "supervised"


def test_theme_assigner_switches_strategy(themes, docs, labels, new_docs):
    zero = ThemeAssigner(themes, min_per_theme=10, threshold=0.0).fit(docs, labels)
    assert zero.strategy_ == "zero_shot"
    supervised = ThemeAssigner(themes, min_per_theme=5, threshold=0.0).fit(docs, labels)
    assert supervised.strategy_ == "supervised"
    assert isinstance(supervised.estimator_, SupervisedThemeAssigner)
    assert list(supervised.predict(new_docs)) == list(NEW_IDEAS)


def test_rare_staff_classes_are_left_out_of_the_supervised_model(themes, docs, labels):
    model = ThemeAssigner(themes, min_per_theme=5, threshold=0.0)
    model.fit(docs + ["樱花 长廊"], labels + ["other"])
    assert model.strategy_ == "supervised"
    assert "other" not in model.classes_


def test_fitted_assigners_round_trip_through_joblib(themes, tmp_path, docs, labels, new_docs):
    for model in (ZeroShotThemeAssigner(themes).fit(docs),
                  SupervisedThemeAssigner().fit(docs, labels)):
        joblib.dump(model, tmp_path / "model.joblib")
        loaded = joblib.load(tmp_path / "model.joblib")
        np.testing.assert_allclose(loaded.predict_proba(new_docs), model.predict_proba(new_docs))


def test_primary_and_secondary_theme(themes, segmenter):
    both = segmenter.segment("园区管委会机构臃肿，编外人员和借调人员太多，财政供养负担重，"
                             "建议精简开发区管理机构，清理编外人员。")
    one = segmenter.segment("建议赋予科研人员职务科技成果所有权，建设中试平台，培养技术经理人。")
    model = ZeroShotThemeAssigner(themes, threshold=0.0).fit([])
    mixed, single = model.analyse([both, one])
    assert {mixed.primary, mixed.secondary} == {"parks", "staffing"}
    assert 0 < mixed.secondary_confidence <= mixed.confidence
    assert single.primary == "tech" and single.secondary is None
    assert single.to_dict()["probabilities"]["tech"] == max(single.probabilities.values())
    assert json.loads(json.dumps(mixed.to_dict(), ensure_ascii=False))["status"] == "assigned"


def test_same_theme_with_ten_or_ten_thousand_ideas(themes, docs, labels, new_docs):
    # A campaign of 10,000 ideas made cheaply from the fixture's sentences.
    rng = np.random.RandomState(0)
    big = [" ".join(docs[i] for i in rng.choice(len(docs), 2)) for _ in range(10000)]
    small = ZeroShotThemeAssigner(themes).fit(docs[:10])
    large = ZeroShotThemeAssigner(themes).fit(big)
    np.testing.assert_allclose(small.predict_proba(new_docs), large.predict_proba(new_docs),
                               atol=1e-9)
    assert list(small.predict(new_docs)) == list(large.predict(new_docs)) == list(NEW_IDEAS)
    # With the same staff labels, too.
    y_small = labels[:10]
    small = ThemeAssigner(themes).fit(docs[:10], y_small)
    large = ThemeAssigner(themes).fit(docs[:10] + big, y_small + [None] * len(big))
    np.testing.assert_allclose(small.predict_proba(new_docs), large.predict_proba(new_docs),
                               atol=1e-9)


def test_compound_keywords_match_through_their_parts(themes, segmenter):
    # 拖欠账款 is kept whole by the dictionary; a citizen writes 拖欠 … 账款.
    assert "拖欠账款" in segmenter.segment("清理拖欠账款")
    doc = segmenter.segment("县里拖欠我们的工程账款三年了，领导换了就不认账。")
    model = ZeroShotThemeAssigner(themes, threshold=0.0).fit([])
    assert model.predict([doc])[0] == "business"


def test_themes_load_from_the_app_file_and_the_label_format(tmp_path):
    app = tmp_path / "app.json"
    app.write_text(json.dumps([{"code": "a", "name": "甲", "description": "说明", "keywords": ["词"]},
                               {"code": "o", "name": "其他", "is_other": True}],
                              ensure_ascii=False), encoding="utf-8")
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps({"甲": {"description": "说明", "keywords": ["词"]}},
                                 ensure_ascii=False), encoding="utf-8")
    assert load_themes(app)[0] == {"code": "a", "name": "甲", "description": "说明",
                                   "keywords": ["词"], "is_other": False}
    assert load_themes(app)[1]["is_other"] is True
    assert load_themes(labels) == [{"code": "甲", "name": "甲", "description": "说明",
                                    "keywords": ["词"], "is_other": False}]


def test_supervised_keeps_single_characters_from_the_raw_text(segmenter):
    texts = ["房子漏水", "房屋漏雨", "买房难", "车被拖走", "停车难", "车位太少"] * 3
    y = ["房", "房", "房", "车", "车", "车"] * 3
    docs = [segmenter.segment(t) for t in texts]
    model = SupervisedThemeAssigner(threshold=0.0, min_df=1).fit(docs, y, texts)
    assert list(model.predict([segmenter.segment("我的车"), segmenter.segment("我的房")],
                              ["我的车", "我的房"])) == ["车", "房"]


def test_supervised_weighs_the_opening_of_the_raw_text_again(segmenter, docs, labels, texts):
    with_lead = SupervisedThemeAssigner(threshold=0.0).fit(docs, labels, texts)
    without = SupervisedThemeAssigner(threshold=0.0, lead_chars=0).fit(docs, labels, texts)
    assert without.lead_ is None
    width = with_lead._features(as_corpus(docs), texts).shape[1]
    assert width == without._features(as_corpus(docs), texts).shape[1] + len(with_lead.lead_.vocabulary_)
    # Only the first lead_chars characters reach the lead block.
    opening, closing = "融资难" + "园" * 60, "园" * 60 + "融资难"
    n_lead = len(with_lead.lead_.vocabulary_)

    def lead_of(text):
        return with_lead._features(as_corpus([segmenter.segment(text)]), [text])[:, -n_lead:]

    np.testing.assert_allclose(lead_of(opening).toarray(),
                               0.7 * with_lead.lead_.transform([opening[:50]]).toarray())
    assert lead_of(opening).nnz > lead_of(closing).nnz


def test_supervised_models_pickled_before_the_lead_block_still_predict(docs, labels, texts, new_docs):
    model = SupervisedThemeAssigner(threshold=0.0, lead_chars=0).fit(docs, labels, texts)
    del model.__dict__["lead_"]
    assert list(model.predict(new_docs, list(NEW_IDEAS.values()))) == list(NEW_IDEAS)
