"""Find ideas similar to a given one, fast enough to run on every submission.

:class:`SimilarIdeas` is fitted once on the corpus (vocabulary and idf) and
stores the TF-IDF rows column by column, so a query only reads the postings
of its own words.  New ideas go to a small append buffer (no refit); the
buffer merges into the column store when it grows past ``max_pending``.
Words first seen after the fit carry no weight until the next fit.
"""
import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .features import TokenTfidf


class SimilarIdeas(BaseEstimator):
    """Cosine-similarity index over segmented ideas.

    Parameters
    ----------
    top_k : int
        Default number of results of :meth:`query`.
    min_score : float
        Default cosine floor of :meth:`query`; exact duplicates score 1.
    min_df, max_df : int or float
        Word document-frequency limits of the TF-IDF.
    max_pending : int
        Added ideas kept in the append buffer before it is merged.

    Use ``fit(docs, ids)``, then :meth:`add`, :meth:`remove` and
    :meth:`query`; the fitted index pickles with joblib.
    """

    def __init__(self, top_k=5, min_score=0.5, min_df=1, max_df=1.0, max_pending=5000):
        self.top_k = top_k
        self.min_score = min_score
        self.min_df = min_df
        self.max_df = max_df
        self.max_pending = max_pending

    def fit(self, docs, ids):
        docs, ids = list(docs), list(ids)
        if len(docs) != len(ids):
            raise ValueError("docs 与 ids 的数量不一致")
        self.vectorizer_ = TokenTfidf(min_df=self.min_df, max_df=self.max_df)
        X = self.vectorizer_.fit_transform(docs).astype(np.float32)
        self.ids_ = ids
        # A repeated id keeps its last document, as if re-added.
        self.positions_ = {id_: position for position, id_ in enumerate(ids)}
        self.alive_ = np.zeros(len(ids), dtype=bool)
        self.alive_[list(self.positions_.values())] = True
        self._store(X)
        return self

    def _store(self, X):
        """Keep ``X`` column-wise and empty the append buffer."""
        self.columns_ = sp.csc_matrix(X)
        self.columns_.sort_indices()
        self.n_stored_ = X.shape[0]
        self.pending_rows_ = []

    def __len__(self):
        check_is_fitted(self, "columns_")
        return len(self.positions_)

    def _vector(self, doc):
        row = self.vectorizer_.transform([doc])
        return row.indices, row.data.astype(np.float32)

    def add(self, id_, doc):
        """Index (or re-index) one segmented idea without refitting."""
        check_is_fitted(self, "columns_")
        if id_ in self.positions_:
            self.alive_[self.positions_[id_]] = False
        self.positions_[id_] = len(self.ids_)
        self.ids_.append(id_)
        self.alive_ = np.append(self.alive_, True)
        self.pending_rows_.append(self._vector(doc))
        if len(self.pending_rows_) > self.max_pending:
            self.compact()
        return self

    def remove(self, id_):
        """Forget an idea; unknown ids are ignored."""
        check_is_fitted(self, "columns_")
        position = self.positions_.pop(id_, None)
        if position is not None:
            self.alive_[position] = False
        return self

    def _pending_matrix(self):
        """The append buffer as a CSR matrix (one row per added idea)."""
        rows = self.pending_rows_
        return sp.csr_matrix(
            (np.concatenate([v for _, v in rows] + [np.zeros(0, np.float32)]),
             np.concatenate([c for c, _ in rows] + [np.zeros(0, np.int32)]),
             np.concatenate(([0], np.cumsum([len(c) for c, _ in rows], dtype=np.int64)))),
            shape=(len(rows), self.columns_.shape[1]))

    def compact(self):
        """Merge the append buffer and drop removed ideas from storage."""
        check_is_fitted(self, "columns_")
        X = sp.vstack([self.columns_.tocsr(), self._pending_matrix()], format="csr")
        keep = np.flatnonzero(self.alive_)
        self.ids_ = [self.ids_[p] for p in keep]
        self.positions_ = {id_: p for p, id_ in enumerate(self.ids_)}
        self.alive_ = np.ones(len(keep), dtype=bool)
        self._store(X[keep])
        return self

    def query(self, doc, top_k=None, min_score=None, exclude=None):
        """The most similar indexed ideas to a segmented document.

        Returns up to ``top_k`` ``(id, score)`` pairs with score at least
        ``min_score``, best first; ``exclude`` drops one id (the idea itself).
        """
        check_is_fitted(self, "columns_")
        top_k = self.top_k if top_k is None else top_k
        min_score = self.min_score if min_score is None else min_score
        terms, weights = self._vector(doc)
        scores = np.zeros(len(self.ids_))
        if len(terms):
            indptr = self.columns_.indptr
            starts, lengths = indptr[terms], indptr[terms + 1] - indptr[terms]
            # Positions of all postings of the query's terms, in one array.
            offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
            postings = offsets + np.arange(lengths.sum())
            scores[:self.n_stored_] = np.bincount(
                self.columns_.indices[postings],
                weights=self.columns_.data[postings] * np.repeat(weights, lengths),
                minlength=self.n_stored_)
            if self.pending_rows_:
                dense = np.zeros(self.columns_.shape[1])
                dense[terms] = weights
                scores[self.n_stored_:] = self._pending_matrix() @ dense
        scores[~self.alive_] = 0.0
        if exclude is not None and exclude in self.positions_:
            scores[self.positions_[exclude]] = 0.0
        # Float32 storage: a duplicate may score 1 - 1e-7, so scores are
        # compared to 6 decimals and equal ones keep the older idea first.
        candidates = np.flatnonzero((scores > 0) & (scores >= min_score - 1e-6))
        best = candidates[np.argsort(-np.round(scores[candidates], 6), kind="stable")[:top_k]]
        return [(self.ids_[p], float(min(scores[p], 1.0))) for p in best]
