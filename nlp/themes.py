"""Assign ideas to the campaign's themes, with a confidence for every idea.

Themes are dicts ``{"code", "name", "description", "keywords"}`` (plus
``"is_other": True`` for the catch-all theme).  Documents are segmented
token strings (see :mod:`nlp.segmenter`).

* :class:`ZeroShotThemeAssigner` needs no labelled ideas: it scores ideas
  against the themes' own words, then trains a linear model on its most
  confident guesses (and on any staff-confirmed ideas) and repeats.
* :class:`SupervisedThemeAssigner` learns from staff-confirmed ideas only.
* :class:`ThemeAssigner` picks one of the two from the label counts
  (:func:`choose_strategy`), which is what the app fits on every rebuild.

Below ``threshold`` a prediction is ``None`` (shown as
:data:`UNASSIGNED_LABEL`): such ideas go to staff instead of a wrong theme.
"""
from collections import Counter

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from .features import TokenTfidf, as_corpus, single_native_thread
from .segmenter import segment

UNASSIGNED_LABEL = "待人工确认"

# Rows transformed at once by the supervised model: bounds the memory of the
# character n-grams (about 600 per idea).
PREDICT_CHUNK = 5000


def zero_shot_targets(themes):
    """The themes a model may predict without examples (all but the catch-all)."""
    return [theme for theme in themes if not theme.get("is_other")]


def theme_keywords(themes):
    """Every theme keyword, for ``Segmenter(user_words=...)``."""
    return [word for theme in themes for word in theme.get("keywords", ())]


def theme_document(theme, keyword_weight=3):
    """A theme as one segmented document: name, description and keywords.

    The name and keywords are repeated ``keyword_weight`` times because they
    are the most specific words a theme has; the description gives context.
    """
    parts = [segment(theme["name"])] * keyword_weight + [segment(theme.get("description", ""))]
    parts += [segment(word) for word in theme.get("keywords", ())] * keyword_weight
    return " ".join(part for part in parts if part)


def _label_indices(y, classes):
    """Index into ``classes`` of each label: -1 for None, -2 for another label.

    -2 marks ideas staff filed elsewhere (e.g. under 其他): they must not
    become pseudo-labelled examples of a target theme.
    """
    position = {code: i for i, code in enumerate(classes)}
    return np.array([-1 if label is None else position.get(label, -2) for label in y])


def choose_strategy(labels, themes, min_per_theme=30):
    """``"supervised"`` once every target theme has ``min_per_theme`` labels.

    ``labels`` holds staff-confirmed theme codes (None for unconfirmed).
    Until every theme the zero-shot model covers has enough examples, the
    zero-shot model (which also uses the labels it has) stays in charge.
    """
    counts = Counter(label for label in labels if label is not None)
    enough = all(counts[theme["code"]] >= min_per_theme for theme in zero_shot_targets(themes))
    return "supervised" if enough else "zero_shot"


class _ThemeClassifier(ClassifierMixin, BaseEstimator):
    """Thresholded prediction shared by the assigners (needs ``_proba``)."""

    @single_native_thread
    def predict_proba(self, docs):
        """Probability of each class in ``classes_`` for each document."""
        check_is_fitted(self, "classes_")
        docs = as_corpus(docs)
        if not len(docs):
            return np.zeros((0, len(self.classes_)))
        return self._proba(docs)

    def assign(self, docs):
        """``(codes, confidences)``: code None where confidence < threshold."""
        proba = self.predict_proba(docs)
        best = proba.argmax(axis=1)
        confidence = proba[np.arange(len(best)), best]
        codes = np.where(confidence >= self.threshold, self.classes_[best], None)
        return codes.astype(object), confidence

    def predict(self, docs):
        """Theme codes, None where the model is not confident enough."""
        return self.assign(docs)[0]


class ZeroShotThemeAssigner(_ThemeClassifier):
    """Theme assignment from the themes' names, descriptions and keywords.

    Parameters
    ----------
    themes : list of dict
        The campaign's themes; the ``is_other`` one is never predicted.
    threshold : float
        Minimum probability for a prediction (else None).
    keyword_weight : int
        How often names and keywords repeat in a theme's document.
    pseudo_label_fractions : sequence of float
        Self-training rounds: in each, this share of the ideas the current
        model puts in a theme, the most confident first, become that
        theme's training examples for the next model.
    max_train : int
        Largest training set per round; beyond it, a random sample of the
        pseudo-labels (staff labels are always kept).
    C : float
        Inverse regularisation of the logistic regression.
    min_df, max_df : int or float
        Word document-frequency limits.
    random_state : int
        Seed of the training-set sample and of the solver.

    ``fit(docs, y)`` takes optional staff labels (theme code or None per
    document); labelled ideas train every round with their own label.

    Attributes
    ----------
    classes_ : ndarray
        Codes of the target themes.
    theme_docs_ : list of str
        The segmented theme documents.
    vectorizer_, model_ :
        The fitted word TF-IDF and final logistic regression.
    n_pseudo_labels_ : list of int
        Training-set size of each round.
    """

    def __init__(self, themes, threshold=0.5, keyword_weight=3,
                 pseudo_label_fractions=(0.5, 0.8), max_train=20000, C=10.0, min_df=2,
                 max_df=0.5, random_state=0):
        self.themes = themes
        self.threshold = threshold
        self.keyword_weight = keyword_weight
        self.pseudo_label_fractions = pseudo_label_fractions
        self.max_train = max_train
        self.C = C
        self.min_df = min_df
        self.max_df = max_df
        self.random_state = random_state

    @single_native_thread
    def fit(self, docs, y=None):
        targets = zero_shot_targets(self.themes)
        self.classes_ = np.array([theme["code"] for theme in targets], dtype=object)
        self.theme_docs_ = [theme_document(theme, self.keyword_weight) for theme in targets]
        docs = as_corpus(docs)
        self.vectorizer_ = TokenTfidf(min_df=self.min_df, max_df=self.max_df)
        X = self.vectorizer_.fit_transform(docs)
        labelled = _label_indices(y if y is not None else [None] * len(docs), self.classes_)
        scores = (X @ self.vectorizer_.transform(self.theme_docs_).T).toarray()
        self.n_pseudo_labels_ = []
        for round_, fraction in enumerate(self.pseudo_label_fractions):
            # Cosine scores are only comparable as a margin over the runner-up;
            # later rounds rank by the model's own probability.
            rows, targets_ = self._pseudo_labels(scores, fraction, use_margin=round_ == 0,
                                                 labelled=labelled)
            # saga to a loose tolerance: several times faster than lbfgs on
            # large sparse rows, and pseudo-labels are not worth a tight fit.
            self.model_ = LogisticRegression(C=self.C, class_weight="balanced", solver="saga",
                                             tol=1e-3, max_iter=1000,
                                             random_state=self.random_state)
            self.model_.fit(X[rows], targets_)
            scores = self._expand(self.model_.predict_proba(X))
            self.n_pseudo_labels_.append(len(rows))
        return self

    def _pseudo_labels(self, scores, fraction, use_margin, labelled):
        best = scores.argmax(axis=1)
        ranked = np.sort(scores, axis=1)
        confidence = ranked[:, -1] - ranked[:, -2] if use_margin else ranked[:, -1]
        chosen = [np.flatnonzero(labelled >= 0)]
        for k in range(len(self.classes_)):
            # Ideas sharing no word with any theme carry no evidence at all.
            pool = np.flatnonzero((best == k) & (ranked[:, -1] > 0) & (labelled == -1))
            keep = int(np.ceil(fraction * len(pool)))
            chosen.append(pool[np.argsort(-confidence[pool], kind="stable")[:keep]])
        staff, pseudo = chosen[0], np.concatenate(chosen[1:])
        room = max(self.max_train - len(staff), 0)
        if len(pseudo) > room:
            pseudo = np.random.RandomState(self.random_state).choice(pseudo, room, replace=False)
        rows = np.concatenate([staff, pseudo])
        targets = np.where(labelled[rows] >= 0, labelled[rows], best[rows])
        if len(np.unique(targets)) < 2:
            raise ValueError("零样本主题分配至少需要两个主题各有一条相关的意见")
        return rows, targets

    def _expand(self, proba):
        """Probabilities for every class, zero for themes with no examples."""
        full = np.zeros((proba.shape[0], len(self.classes_)))
        full[:, self.model_.classes_] = proba
        return full

    def _proba(self, docs):
        return self._expand(self.model_.predict_proba(self.vectorizer_.transform(docs)))


class SupervisedThemeAssigner(_ThemeClassifier):
    """Linear SVM on word and character n-grams with calibrated probabilities.

    Parameters
    ----------
    threshold : float
        Minimum probability for a prediction (else None).
    C : float
        Inverse regularisation of the LinearSVC.
    char_ngram_range : (int, int)
        Character n-grams of the words, added to the words themselves.
    min_df : int or float
        Document-frequency floor for words and n-grams.
    calibration_cv : int
        Folds of the sigmoid calibration; every class needs this many examples.

    ``fit(docs, y)`` ignores documents whose label is None.
    """

    def __init__(self, threshold=0.5, C=1.0, char_ngram_range=(1, 3), min_df=2,
                 calibration_cv=3):
        self.threshold = threshold
        self.C = C
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.calibration_cv = calibration_cv

    @single_native_thread
    def fit(self, docs, y):
        y = list(y)
        rows = [row for row, label in enumerate(y) if label is not None]
        docs = as_corpus(docs)[rows]
        labels = np.array([y[row] for row in rows], dtype=object)
        # Balanced weights: staff confirm popular themes far more often.
        svm = LinearSVC(C=self.C, class_weight="balanced")
        self.pipeline_ = Pipeline([
            ("tfidf", TokenTfidf(min_df=self.min_df, char_ngram_range=self.char_ngram_range)),
            ("model", CalibratedClassifierCV(svm, cv=self.calibration_cv, method="sigmoid")),
        ])
        self.pipeline_.fit(docs, labels)
        self.classes_ = self.pipeline_.classes_
        return self

    def _proba(self, docs):
        model = self.pipeline_.named_steps["model"]
        return np.vstack([model.predict_proba(X) for X in
                          self.pipeline_.named_steps["tfidf"].iter_transform(docs, PREDICT_CHUNK)])


class ThemeAssigner(_ThemeClassifier):
    """The assigner the app rebuilds: zero-shot until staff labels suffice.

    Parameters
    ----------
    themes : list of dict
        The campaign's themes.
    min_per_theme : int
        Confirmed ideas every target theme needs before the supervised model
        takes over (see :func:`choose_strategy`); at least 3, the folds of
        its probability calibration.
    threshold : float
        Minimum probability for a prediction (else None).

    Attributes
    ----------
    strategy_ : str
        ``"zero_shot"`` or ``"supervised"``.
    estimator_ : ZeroShotThemeAssigner or SupervisedThemeAssigner
    classes_ : ndarray
    """

    def __init__(self, themes, min_per_theme=30, threshold=0.5):
        self.themes = themes
        self.min_per_theme = min_per_theme
        self.threshold = threshold

    def fit(self, docs, y=None):
        if self.min_per_theme < 3:
            raise ValueError("min_per_theme 不能小于 3：概率校准需要每个主题至少 3 条意见")
        docs = as_corpus(docs)
        labels = list(y) if y is not None else [None] * len(docs)
        self.strategy_ = choose_strategy(labels, self.themes, self.min_per_theme)
        if self.strategy_ == "supervised":
            # A class the staff rarely use (typically 其他) cannot be learnt yet.
            counts = Counter(label for label in labels if label is not None)
            labels = [label if label is not None and counts[label] >= self.min_per_theme
                      else None for label in labels]
            self.estimator_ = SupervisedThemeAssigner(threshold=self.threshold)
        else:
            self.estimator_ = ZeroShotThemeAssigner(self.themes, threshold=self.threshold)
        self.estimator_.fit(docs, labels)
        self.classes_ = self.estimator_.classes_
        return self

    def _proba(self, docs):
        return self.estimator_.predict_proba(docs)
