import numpy as np

from nlp.bootstrap import BootstrappedThemeAssigner
from nlp.supervised import SupervisedThemeAssigner
from nlp.zero_shot import ZeroShotThemeAssigner


def test_bootstrap_trains_the_supervised_model_on_confident_zero_shot_labels(themes, docs, texts):
    model = BootstrappedThemeAssigner(themes, threshold=0.0, rounds=1).fit(docs, texts=texts)
    assert isinstance(model.estimator_, SupervisedThemeAssigner)
    assert set(model.classes_) <= {t["code"] for t in themes if not t.get("is_other")}
    # Each theme keeps its most confident share of the zero-shot's labels.
    zero_shot = model.zero_shot_.predict_proba(docs)
    guesses = model.zero_shot_.classes_[zero_shot.argmax(axis=1)]
    used = np.flatnonzero([label is not None for label in model.pseudo_labels_])
    assert 0 < len(used) < len(docs)
    assert list(model.pseudo_labels_[used]) == list(guesses[used])
    for code in set(guesses):
        kept = [row for row in used if guesses[row] == code]
        dropped = [row for row in np.flatnonzero(guesses == code) if row not in used]
        column = list(model.zero_shot_.classes_).index(code)
        if kept and dropped:
            assert zero_shot[kept, column].min() >= zero_shot[dropped, column].max()


def test_bootstrap_keeps_staff_labels(themes, docs, texts, labels):
    staff = [label if i % 5 == 0 else None for i, label in enumerate(labels)]
    model = BootstrappedThemeAssigner(themes, rounds=1).fit(docs, staff, texts)
    for pseudo, given in zip(model.pseudo_labels_, staff):
        if given is not None:
            assert pseudo == given


def test_a_corpus_too_small_to_learn_from_stays_zero_shot(themes, docs, texts):
    model = BootstrappedThemeAssigner(themes, threshold=0.0).fit(docs[:4], texts=texts[:4])
    assert model.estimator_ is model.zero_shot_
    assert isinstance(model.estimator_, ZeroShotThemeAssigner)
    expected = ZeroShotThemeAssigner(themes, threshold=0.0, gate=False).fit([]).predict(docs[:4])
    assert list(model.predict(docs[:4])) == list(expected)
