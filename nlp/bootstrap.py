"""Zero-shot themes refined on the corpus being sorted (dataless bootstrapping).

:class:`BootstrappedThemeAssigner` labels a fixed corpus with the zero-shot
model, keeps each theme's most confident share of those labels, trains the
supervised model on them and relabels the corpus, ``rounds`` times.  The
classifier picks up the corpus's own words for each theme (those the themes'
short texts lack), at the price of depending on the corpus: the same text can
get another theme in another corpus.  It is therefore a separate, explicit
estimator for sorting a whole collection at once (an evaluation set, an
archive of hotline messages), not what the app's ten-theme assigner uses,
which stays corpus-size independent (:mod:`nlp.zero_shot`).
"""
import numpy as np

from nlp.features import as_corpus, single_native_thread
from nlp.supervised import SupervisedThemeAssigner
from nlp.theme_base import DelegatingThemeClassifier
from nlp.zero_shot import ZeroShotThemeAssigner


class BootstrappedThemeAssigner(DelegatingThemeClassifier):
    """Self-training of the supervised model on the zero-shot's confident labels.

    Parameters
    ----------
    themes : list of dict
        As for :class:`ZeroShotThemeAssigner`.
    threshold : float
        Minimum probability for a prediction (else None).
    share : float
        Fraction of the documents each theme is given in a round that are
        kept as its training labels, most confident first (chosen on the
        even-uid half of the 7-category messages).
    rounds : int
        Times the supervised model is trained and the corpus relabelled.
    gate : bool
        The zero-shot's off-topic gate; off for collections of complaints.

    ``fit(docs, y=None, texts=None)`` fits on the corpus to be sorted;
    staff labels in ``y`` (code or None) are always kept as training labels.
    A corpus too small to give two themes the supervised model's
    ``calibration_cv`` examples each is left to the zero-shot model.

    Attributes
    ----------
    zero_shot_ : ZeroShotThemeAssigner
    estimator_ : SupervisedThemeAssigner or ZeroShotThemeAssigner
        The model of the last round.
    pseudo_labels_ : ndarray
        Training label of each document in the last round (None if unused).
    classes_ : ndarray
    """

    def __init__(self, themes, threshold=0.5, share=0.7, rounds=2, gate=False):
        self.themes = themes
        self.threshold = threshold
        self.share = share
        self.rounds = rounds
        self.gate = gate

    @single_native_thread
    def fit(self, docs, y=None, texts=None):
        docs = as_corpus(docs)
        staff = np.array(list(y) if y is not None else [None] * len(docs), dtype=object)
        self.zero_shot_ = ZeroShotThemeAssigner(self.themes, threshold=0.0,
                                                gate=self.gate).fit(docs, staff)
        self.estimator_ = self.zero_shot_
        self.pseudo_labels_ = np.full(len(docs), None, dtype=object)
        for _ in range(self.rounds):
            labels = self._confident_labels(self.estimator_.predict_proba(docs, texts),
                                            self.estimator_.classes_, staff)
            supervised = SupervisedThemeAssigner(threshold=0.0)
            learnable = [code for code in set(labels) - {None}
                         if np.sum(labels == code) >= supervised.calibration_cv]
            if len(learnable) < 2:
                break
            labels[~np.isin(labels, learnable)] = None
            self.estimator_ = supervised.fit(docs, labels, texts)
            self.pseudo_labels_ = labels
        self.classes_ = self.estimator_.classes_
        return self

    def _confident_labels(self, proba, classes, staff):
        best, confidence = proba.argmax(axis=1), proba.max(axis=1)
        labels = np.full(len(proba), None, dtype=object)
        for k, code in enumerate(classes):
            members = np.flatnonzero(best == k)
            keep = members[np.argsort(-confidence[members], kind="stable")]
            labels[keep[:int(self.share * len(members))]] = code
        known = np.array([label is not None for label in staff], dtype=bool)
        labels[known] = staff[known]
        return labels
