"""Supervised themes, learnt from staff-confirmed ideas only; character n-grams
keep single characters, and those of a text's opening (its title) count again."""
import numpy as np
import scipy.sparse as sp
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from nlp.features import TokenTfidf, as_corpus, single_native_thread
from nlp.segmenter import normalize
from nlp.theme_base import PREDICT_CHUNK, ThemeClassifier


def char_text(text):
    """Raw text as the character n-grams see it: folded, punctuation as spaces.

    Single characters stay (房、车、水 are words of their own in complaints);
    the segmented tokens drop them.
    """
    return normalize(text)


class SupervisedThemeAssigner(ThemeClassifier):
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
    lead_chars : int
        With ``texts``, a third block of character n-grams of the first
        ``lead_chars`` characters (title and opening sentence, where a message
        says what it is about); 0 leaves it out.
    lead_weight : float
        Scale of that block against the word block.

    ``fit(docs, y, texts=None)`` ignores documents whose label is None.
    """

    # Models pickled before the lead block was added have none.
    lead_ = None

    def __init__(self, threshold=0.5, C=0.5, char_ngram_range=(1, 3), min_df=2,
                 calibration_cv=3, char_weight=1.0, lead_chars=50, lead_weight=0.7):
        self.threshold = threshold
        self.C = C
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.calibration_cv = calibration_cv
        self.char_weight = char_weight
        self.lead_chars = lead_chars
        self.lead_weight = lead_weight

    def _features(self, docs, texts, fit=False):
        words = self.words_.fit_transform(docs) if fit else self.words_.transform(docs)
        if self.chars_ is None:
            return words
        # Fitted on raw texts; a caller without them gets the tokens' n-grams.
        chars_in = [char_text(t) for t in texts] if texts is not None else list(docs)
        chars = self.chars_.fit_transform(chars_in) if fit else self.chars_.transform(chars_in)
        blocks = [words, self.char_weight * chars]
        if self.lead_ is not None:
            leads = [text[:self.lead_chars] for text in chars_in]
            lead = self.lead_.fit_transform(leads) if fit else self.lead_.transform(leads)
            blocks.append(self.lead_weight * lead)
        return sp.hstack(blocks, format="csr")

    def _char_vectorizer(self):
        return TfidfVectorizer(analyzer="char_wb", ngram_range=self.char_ngram_range,
                               min_df=self.min_df, sublinear_tf=True, lowercase=False)

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
            self.chars_ = self.lead_ = None
        else:
            self.words_ = TokenTfidf(min_df=self.min_df)
            self.chars_ = self._char_vectorizer()
            self.lead_ = self._char_vectorizer() if self.lead_chars else None
        X = self._features(docs, texts, fit=True)
        # Balanced weights: staff confirm popular themes far more often.
        svm = LinearSVC(C=self.C, class_weight="balanced")
        # One SVM fitted on every label, its sigmoid fitted on out-of-fold
        # scores: averaging the folds' SVMs instead (each seeing two thirds
        # of the labels) costs about 0.01 macro-F1.
        self.model_ = CalibratedClassifierCV(svm, cv=self.calibration_cv, method="sigmoid",
                                             ensemble=False)
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
