"""Assign ideas to the campaign's themes, with a confidence for every idea.

Themes are dicts ``{"code", "name", "description", "keywords"}`` (plus
``"is_other": True`` for the catch-all theme).  Documents are segmented
token strings (see :mod:`nlp.segmenter`).

* :class:`ZeroShotThemeAssigner` needs no labelled ideas and no corpus: it
  compares each idea with the themes' own words in a term space whose
  weights come from outside the campaign (:mod:`nlp.background`), so an
  idea gets the same theme whether the campaign has ten ideas or ten
  thousand.  Staff-confirmed ideas, from the first one, move their theme's
  profile towards them.
* :class:`SupervisedThemeAssigner` learns from staff-confirmed ideas only.
* :class:`ThemeAssigner` picks one of the two from the label counts
  (:func:`choose_strategy`), which is what the app fits on every rebuild.

Before the themes, a gate (:mod:`nlp.gate`) asks whether the text is a
proposal for this campaign at all.  :meth:`analyse` gives each idea a
:class:`ThemeResult`: primary theme, secondary theme where it applies, a
calibrated confidence (:mod:`nlp.calibration`) and, for off-topic texts, a
reason and a suggested reply.  Below ``threshold`` the primary theme is
``None`` (shown as :data:`UNASSIGNED_LABEL`): such ideas go to staff.
"""
import json
from collections import Counter
from dataclasses import asdict, dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as normalize_rows
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from .background import TermSpace, load_priors, terms_vector
from .calibration import PlattCalibrator, load_calibration
from .features import TokenTfidf, as_corpus, single_native_thread
from .gate import decide, evidence, load_service_topics
from .segmenter import normalize, segment

UNASSIGNED_LABEL = "待人工确认"
OFF_TOPIC_LABEL = "不属于本次征集"

# Rows transformed at once by the supervised model: bounds the memory of the
# character n-grams (about 600 per idea).
PREDICT_CHUNK = 5000


def zero_shot_targets(themes):
    """The themes a model may predict without examples (all but the catch-all)."""
    return [theme for theme in themes if not theme.get("is_other")]


def theme_keywords(themes):
    """Every theme keyword, for ``Segmenter(user_words=...)``."""
    return [word for theme in themes for word in theme.get("keywords", ())]


def load_themes(path):
    """Themes from a JSON file, in either format.

    The app's own format (``ideas/data/default_themes.json``) is a list of
    theme dicts; the older evaluation format is ``{label: {"description",
    "keywords"}}``, where the label is both code and name.
    """
    with open(path, encoding="utf-8") as handle:
        spec = json.load(handle)
    if isinstance(spec, list):
        return [{"code": t["code"], "name": t.get("name", t["code"]),
                 "description": t.get("description", ""), "keywords": list(t.get("keywords", ())),
                 "is_other": bool(t.get("is_other"))} for t in spec]
    return [{"code": label, "name": label, "description": value.get("description", ""),
             "keywords": value.get("keywords", []), "is_other": bool(value.get("is_other"))}
            for label, value in spec.items()]


def theme_document(theme, keyword_weight=3):
    """A theme as one segmented document: name, description and keywords.

    The name and keywords are repeated ``keyword_weight`` times because they
    are the most specific words a theme has; the description gives context.
    """
    parts = [segment(theme["name"])] * keyword_weight + [segment(theme.get("description", ""))]
    parts += [segment(word) for word in theme.get("keywords", ())] * keyword_weight
    return " ".join(part for part in parts if part)


def theme_prior(theme, priors=None):
    """Shipped vocabulary of a default theme, or None.

    Only a theme with the default code *and* name inherits it: a theme staff
    renamed or added is described by its own words alone.
    """
    entry = (priors if priors is not None else load_priors())["themes"].get(theme["code"])
    return entry["terms"] if entry and entry.get("name") == theme["name"] else None


def _label_indices(y, classes):
    """Index into ``classes`` of each label: -1 for None, -2 for another label."""
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


@dataclass
class ThemeResult:
    """What the assigner says about one idea.

    ``status`` is ``"assigned"`` (primary theme given), ``"needs_review"``
    (on topic but confidence below the threshold: 待人工确认) or
    ``"off_topic"`` (不属于本次征集; see ``reason`` and ``reply``).
    ``best`` is the most likely theme even when it is not assigned, for
    staff to confirm or change.
    """

    primary: object = None
    confidence: float = 0.0
    best: object = None
    secondary: object = None
    secondary_confidence: float = 0.0
    status: str = "assigned"
    on_topic: bool = True
    on_topic_probability: float = 1.0
    kind: str = "proposal"
    reason: str = ""
    reply: str = ""
    probabilities: dict = field(default_factory=dict)

    @property
    def label(self):
        """The primary theme code, or the Chinese label of the queue it goes to."""
        if self.status == "off_topic":
            return OFF_TOPIC_LABEL
        return self.primary if self.primary is not None else UNASSIGNED_LABEL

    def to_dict(self):
        return asdict(self)


class _ThemeClassifier(ClassifierMixin, BaseEstimator):
    """Thresholded, gated, multi-label output shared by the assigners.

    Subclasses provide ``_proba(docs, texts)``; they may override
    ``_evidence`` (raw scores computed once per call), ``_analysis_proba``,
    ``_theme_confidence`` (calibration), ``_gate_decisions`` (the gate) and
    ``_secondary_basis``.
    """

    secondary_ratio = 0.5

    def _evidence(self, docs):
        return None

    def _analysis_proba(self, docs, texts, found):
        return self.predict_proba(docs, texts)

    def _secondary_basis(self, proba, found):
        """``(scores, ratio, floor)``: the runner-up is a secondary theme when
        its score is at least ``ratio`` times the first's and at least ``floor``."""
        return proba, self.secondary_ratio, 0.0

    @single_native_thread
    def predict_proba(self, docs, texts=None):
        """Probability of each class in ``classes_`` for each document."""
        check_is_fitted(self, "classes_")
        docs = as_corpus(docs)
        if not len(docs):
            return np.zeros((0, len(self.classes_)))
        return self._proba(docs, texts)

    def _theme_confidence(self, proba, docs):
        """P(top theme is right | the idea is on topic)."""
        return proba.max(axis=1) if proba.shape[1] else np.zeros(len(proba))

    def _gate_decisions(self, docs, found):
        return None

    def analyse(self, docs, texts=None, threshold=None):
        """A :class:`ThemeResult` per document (``threshold`` defaults to the model's)."""
        threshold = self.threshold if threshold is None else threshold
        check_is_fitted(self, "classes_")
        docs = as_corpus(docs)
        if not len(docs):
            return []
        found = self._evidence(docs)
        proba = self._analysis_proba(docs, texts, found)
        theme_confidence = self._theme_confidence(proba, docs)
        decisions = self._gate_decisions(docs, found)
        basis, ratio, floor = self._secondary_basis(proba, found)
        results = []
        for row in range(len(docs)):
            order = np.argsort(-proba[row], kind="stable")
            decision = decisions[row] if decisions is not None else None
            p_on = decision.probability if decision is not None else 1.0
            confidence = float(p_on * theme_confidence[row])
            best = self.classes_[order[0]] if len(order) else None
            result = ThemeResult(best=best, confidence=confidence, on_topic_probability=p_on,
                                 probabilities={c: round(float(p), 4)
                                                for c, p in zip(self.classes_, proba[row])})
            if decision is not None and not decision.on_topic:
                result.status, result.on_topic = "off_topic", False
                result.kind, result.reason, result.reply = (decision.kind, decision.reason,
                                                            decision.reply)
            elif confidence >= threshold and best is not None:
                result.primary = best
            else:
                result.status = "needs_review"
            if result.on_topic and len(order) > 1:
                first, second = basis[row, order[0]], basis[row, order[1]]
                if first > 0 and second >= ratio * first and second >= floor:
                    result.secondary = self.classes_[order[1]]
                    result.secondary_confidence = float(p_on * proba[row, order[1]])
            results.append(result)
        return results

    def assign(self, docs, texts=None):
        """``(codes, confidences)``: code None where off topic or below threshold."""
        results = self.analyse(docs, texts)
        codes = np.array([r.primary for r in results], dtype=object)
        return codes, np.array([r.confidence for r in results], dtype=float)

    def predict(self, docs, texts=None):
        """Theme codes, None where the model is not confident enough."""
        return self.assign(docs, texts)[0]


class ThemeProfiles:
    """Unit term vectors of a list of themes in one :class:`TermSpace`.

    A theme's profile is its own text (name and keywords repeated
    ``keyword_weight`` times, description once), plus the shipped vocabulary
    of a default theme (weight ``prior_weight``), plus the centroid of its
    staff-confirmed ideas (weight ``label_weight``).
    """

    def __init__(self, themes, keyword_weight=2, prior_weight=2.0, use_priors=True):
        self.space = TermSpace()
        self.codes = [theme["code"] for theme in themes]
        vectors = []
        for theme in themes:
            vector = self.space.vector([theme_document(theme, keyword_weight)])
            prior = theme_prior(theme) if use_priors else None
            if prior:
                vector = self._mix(vector, terms_vector(self.space, prior), prior_weight)
            vectors.append(vector)
        self._vectors = vectors
        self._stack()

    def _mix(self, vector, other, weight):
        vector, other = self.space.align([vector, other])
        return normalize_rows(vector + weight * other)

    def _stack(self):
        self.matrix = (sp.vstack(self.space.align(self._vectors), format="csr")
                       if self._vectors else sp.csr_matrix((0, len(self.space.index))))
        self.max_weight = (np.asarray(self.matrix.max(axis=0).todense()).ravel()
                           if self.matrix.shape[0] else np.zeros(self.matrix.shape[1]))

    def add_examples(self, row, docs, weight):
        """Move a theme's profile towards the centroid of ``docs``."""
        self._vectors[row] = self._mix(self._vectors[row], self.space.vector(docs), weight)
        self._stack()

    def scores(self, docs):
        """``(cosines, evidence)``: ideas × themes cosine, and per idea the
        summed profile weight of the theme terms it contains."""
        X = self.space.transform(docs)
        cosines = (X @ self.matrix.T).toarray()
        present = X.copy()
        present.data[:] = 1.0
        return cosines, present @ self.max_weight


class ZeroShotThemeAssigner(_ThemeClassifier):
    """Theme assignment from the themes' own words, independent of corpus size.

    Parameters
    ----------
    themes : list of dict
        The campaign's themes; the ``is_other`` one is never predicted.
    threshold : float
        Minimum confidence for a primary theme (else None, 待人工确认).
    keyword_weight : int
        How often names and keywords repeat in a theme's text.
    prior_weight : float
        Weight of the shipped vocabulary of a default theme.
    label_weight : float
        Weight of the centroid of a theme's staff-confirmed ideas.
    temperature : float
        Softmax temperature over the cosines (the probabilities' sharpness).
    secondary_ratio, secondary_min_score : float
        A second theme is reported when its cosine is at least
        ``secondary_ratio`` times the first's and at least
        ``secondary_min_score`` (chosen on the dev set).
    gate : bool
        Apply the off-topic gate (campaign of proposals); off for data sets
        that are complaints by design.
    calibration : bool
        Map the raw score through the shipped Platt calibration.

    ``fit(docs, y)`` reads only the staff labels (theme code or None per
    document); the documents themselves change nothing.

    Attributes
    ----------
    classes_ : ndarray
        Codes of the target themes.
    profiles_ : ThemeProfiles
    service_profiles_ : ThemeProfiles
        The everyday topics of citizen hotlines, for the gate.
    n_labelled_ : dict
        Staff-confirmed ideas used per theme.
    """

    def __init__(self, themes, threshold=0.4, keyword_weight=2, prior_weight=2.0,
                 label_weight=1.0, temperature=20.0, secondary_ratio=0.35,
                 secondary_min_score=0.05, gate=True, calibration=True):
        self.themes = themes
        self.threshold = threshold
        self.keyword_weight = keyword_weight
        self.prior_weight = prior_weight
        self.label_weight = label_weight
        self.temperature = temperature
        self.secondary_ratio = secondary_ratio
        self.secondary_min_score = secondary_min_score
        self.gate = gate
        self.calibration = calibration

    @single_native_thread
    def fit(self, docs, y=None, texts=None):
        targets = zero_shot_targets(self.themes)
        self.classes_ = np.array([theme["code"] for theme in targets], dtype=object)
        self.profiles_ = ThemeProfiles(targets, self.keyword_weight, self.prior_weight)
        self.service_topics_ = load_service_topics()
        self.service_profiles_ = ThemeProfiles(self.service_topics_, self.keyword_weight,
                                               use_priors=False)
        docs = as_corpus(docs)
        labelled = _label_indices(y if y is not None else [None] * len(docs), self.classes_)
        self.n_labelled_ = {}
        for k, code in enumerate(self.classes_):
            rows = np.flatnonzero(labelled == k)
            if len(rows):
                self.profiles_.add_examples(k, docs[rows], self.label_weight)
                self.n_labelled_[code] = len(rows)
        shipped = load_calibration() if (self.calibration or self.gate) else None
        self.platt_ = (PlattCalibrator(**shipped["platt"])
                       if self.calibration and shipped else None)
        self.gate_ = shipped["gate"] if self.gate and shipped else None
        return self

    def scores(self, docs):
        """Raw cosine of each idea with each theme (ideas × themes)."""
        check_is_fitted(self, "classes_")
        return self.profiles_.scores(as_corpus(docs))[0]

    def _softmax(self, cosines):
        z = self.temperature * cosines
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def _proba(self, docs, texts=None):
        return self._softmax(self.scores(docs))

    def _evidence(self, docs):
        return evidence(self, docs)

    def _analysis_proba(self, docs, texts, found):
        return self._softmax(found["theme_cos"])

    def _secondary_basis(self, proba, found):
        return found["theme_cos"], self.secondary_ratio, self.secondary_min_score

    def raw_confidence(self, docs):
        """The top theme's softmax share, before calibration."""
        return self.predict_proba(docs).max(axis=1)

    def _theme_confidence(self, proba, docs):
        top = proba.max(axis=1)
        return self.platt_(top) if self.platt_ is not None else top

    def _gate_decisions(self, docs, found):
        return decide(self, docs, self.gate_, found=found) if self.gate_ is not None else None

    def gate_decisions(self, docs, threshold=None):
        """The gate's verdict on each document (needs the shipped gate)."""
        check_is_fitted(self, "classes_")
        if self.gate_ is None:
            raise ValueError("没有可用的非征集内容闸门：请先运行 python -m nlp.calibration")
        return decide(self, as_corpus(docs), self.gate_, threshold)


def char_text(text):
    """Raw text as the character n-grams see it: folded, punctuation as spaces.

    Single characters stay (房、车、水 are words of their own in complaints);
    the segmented tokens drop them.
    """
    return normalize(text)


class SupervisedThemeAssigner(_ThemeClassifier):
    """Linear SVM on words and character 1–3-grams with calibrated probabilities.

    Parameters
    ----------
    threshold : float
        Minimum probability for a prediction (else None).
    C : float
        Inverse regularisation of the LinearSVC.
    char_ngram_range : (int, int)
        Character n-grams of the raw text when ``fit`` is given ``texts``
        (single characters included); without texts, of the segmented words.
    min_df : int or float
        Document-frequency floor for words and n-grams.
    calibration_cv : int
        Folds of the sigmoid calibration; every class needs this many examples.
    char_weight : float
        Scale of the character block against the word block.

    ``fit(docs, y, texts=None)`` ignores documents whose label is None.
    """

    def __init__(self, threshold=0.5, C=0.5, char_ngram_range=(1, 3), min_df=2,
                 calibration_cv=3, char_weight=1.0):
        self.threshold = threshold
        self.C = C
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.calibration_cv = calibration_cv
        self.char_weight = char_weight

    def _features(self, docs, texts, fit=False):
        words = self.words_.fit_transform(docs) if fit else self.words_.transform(docs)
        if self.chars_ is None:
            return words
        # Fitted on raw texts; a caller without them gets the tokens' n-grams.
        chars_in = [char_text(t) for t in texts] if texts is not None else list(docs)
        chars = self.chars_.fit_transform(chars_in) if fit else self.chars_.transform(chars_in)
        return sp.hstack([words, self.char_weight * chars], format="csr")

    @single_native_thread
    def fit(self, docs, y, texts=None):
        y = list(y)
        rows = [row for row, label in enumerate(y) if label is not None]
        docs = as_corpus(docs)[rows]
        texts = [texts[row] for row in rows] if texts is not None else None
        labels = np.array([y[row] for row in rows], dtype=object)
        if texts is None:
            # Only tokens (single characters already gone): the n-grams of each
            # distinct word are computed once, which keeps 100,000 ideas fast.
            self.words_ = TokenTfidf(min_df=self.min_df, char_ngram_range=self.char_ngram_range,
                                     char_weight=self.char_weight)
            self.chars_ = None
        else:
            self.words_ = TokenTfidf(min_df=self.min_df)
            self.chars_ = TfidfVectorizer(analyzer="char_wb", ngram_range=self.char_ngram_range,
                                          min_df=self.min_df, sublinear_tf=True, lowercase=False)
        X = self._features(docs, texts, fit=True)
        # Balanced weights: staff confirm popular themes far more often.
        svm = LinearSVC(C=self.C, class_weight="balanced")
        self.model_ = CalibratedClassifierCV(svm, cv=self.calibration_cv, method="sigmoid")
        self.model_.fit(X, labels)
        self.classes_ = self.model_.classes_
        return self

    def _proba(self, docs, texts=None):
        out = []
        for start in range(0, len(docs), PREDICT_CHUNK):
            chunk = docs[start:start + PREDICT_CHUNK]
            part = texts[start:start + PREDICT_CHUNK] if texts is not None else None
            out.append(self.model_.predict_proba(self._features(chunk, part)))
        return np.vstack(out)


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
        Minimum confidence for a primary theme (else None).
    gate : bool
        Send off-topic texts to the 不属于本次征集 queue (both strategies;
        the gate always reads the zero-shot evidence).

    Attributes
    ----------
    strategy_ : str
        ``"zero_shot"`` or ``"supervised"``.
    estimator_ : ZeroShotThemeAssigner or SupervisedThemeAssigner
    zero_shot_ : ZeroShotThemeAssigner
        The zero-shot model (the estimator itself when zero-shot), for the gate.
    classes_ : ndarray
    """

    def __init__(self, themes, min_per_theme=30, threshold=0.5, gate=True):
        self.themes = themes
        self.min_per_theme = min_per_theme
        self.threshold = threshold
        self.gate = gate

    def fit(self, docs, y=None, texts=None):
        if self.min_per_theme < 3:
            raise ValueError("min_per_theme 不能小于 3：概率校准需要每个主题至少 3 条意见")
        docs = as_corpus(docs)
        labels = list(y) if y is not None else [None] * len(docs)
        self.strategy_ = choose_strategy(labels, self.themes, self.min_per_theme)
        self.zero_shot_ = ZeroShotThemeAssigner(self.themes, threshold=self.threshold,
                                                gate=self.gate).fit(docs, labels)
        if self.strategy_ == "supervised":
            # A class the staff rarely use (typically 其他) cannot be learnt yet.
            counts = Counter(label for label in labels if label is not None)
            labels = [label if label is not None and counts[label] >= self.min_per_theme
                      else None for label in labels]
            self.estimator_ = SupervisedThemeAssigner(threshold=self.threshold)
            self.estimator_.fit(docs, labels, texts)
        else:
            self.estimator_ = self.zero_shot_
        self.classes_ = self.estimator_.classes_
        return self

    def _proba(self, docs, texts=None):
        return self.estimator_.predict_proba(docs, texts)

    def _theme_confidence(self, proba, docs):
        return self.estimator_._theme_confidence(proba, docs)

    def _evidence(self, docs):
        return self.zero_shot_._evidence(docs)

    def _analysis_proba(self, docs, texts, found):
        return self.estimator_._analysis_proba(docs, texts, found)

    def _secondary_basis(self, proba, found):
        return self.estimator_._secondary_basis(proba, found)

    def _gate_decisions(self, docs, found):
        return self.zero_shot_._gate_decisions(docs, found)
