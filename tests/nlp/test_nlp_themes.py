import joblib
import numpy as np
import pytest

from nlp.themes import (UNASSIGNED_LABEL, SupervisedThemeAssigner, ThemeAssigner,
                        ZeroShotThemeAssigner, choose_strategy, theme_document)

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
