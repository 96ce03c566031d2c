"""What every theme assigner shares: the theme file, a theme's document and
prior, :class:`ThemeResult`, and :class:`ThemeClassifier` — the thresholded,
gated, multi-label output of :mod:`nlp.zero_shot`, :mod:`nlp.supervised` and
:class:`nlp.themes.ThemeAssigner`."""
import json
from dataclasses import asdict, dataclass, field

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from nlp.background import load_priors
from nlp.features import as_corpus, single_native_thread
from nlp.segmenter import segment


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


def label_indices(y, classes):
    """Index into ``classes`` of each label: -1 for None, -2 for another label."""
    position = {code: i for i, code in enumerate(classes)}
    return np.array([-1 if label is None else position.get(label, -2) for label in y])


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


class ThemeClassifier(ClassifierMixin, BaseEstimator):
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


class DelegatingThemeClassifier(ThemeClassifier):
    """A classifier that answers through a fitted ``estimator_``, with the gate and
    evidence of its ``zero_shot_`` model."""

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
