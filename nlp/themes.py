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
from collections import Counter

from nlp.features import as_corpus
from nlp.supervised import SupervisedThemeAssigner
from nlp.theme_base import DelegatingThemeClassifier, zero_shot_targets
from nlp.zero_shot import ZeroShotThemeAssigner


def choose_strategy(labels, themes, min_per_theme=30):
    """``"supervised"`` once every target theme has ``min_per_theme`` labels.

    ``labels`` holds staff-confirmed theme codes (None for unconfirmed).
    Until every theme the zero-shot model covers has enough examples, the
    zero-shot model (which also uses the labels it has) stays in charge.
    """
    counts = Counter(label for label in labels if label is not None)
    enough = all(counts[theme["code"]] >= min_per_theme for theme in zero_shot_targets(themes))
    return "supervised" if enough else "zero_shot"


class ThemeAssigner(DelegatingThemeClassifier):
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
