"""Zero-shot themes: each idea compared with the themes' own words in a term
space whose weights come from outside the campaign (:mod:`nlp.background`), so
an idea gets the same theme whether the campaign has ten ideas or ten thousand."""
import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize as normalize_rows
from sklearn.utils.validation import check_is_fitted

from nlp.background import TermSpace, terms_vector
from nlp.calibration import PlattCalibrator, load_calibration
from nlp.features import as_corpus, single_native_thread
from nlp.gate import decide, evidence, load_service_topics
from nlp.theme_base import ThemeClassifier, label_indices, theme_document, theme_prior, zero_shot_targets


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


class ZeroShotThemeAssigner(ThemeClassifier):
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
        labelled = label_indices(y if y is not None else [None] * len(docs), self.classes_)
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
