"""Find ideas similar to a given one, fast enough to run on every submission.

:class:`SimilarIdeas` is fitted once on the corpus (vocabulary and idf) and
keeps the TF-IDF rows twice: column by column (the postings of each word) and
row by row (to score one idea exactly).  A query reads only part of the
postings, in the max-score way.  Each word's bound is its query weight times
its largest weight in any idea; words are read most bound per posting first
(rare, heavy words), and once the words left could add less, together, than
the k-th best score found so far, their postings are not read.  The ideas met
are then scored exactly from their rows, best upper bound first, until none
left can reach the k-th best.  Common words thus cost little however many
ideas contain them.  Two budgets cap the work of one query (``max_postings``,
``max_rescored``): within them the answer is exact, past them (the commonest
words of a long text against a large index) it may miss an idea; recall@5 at
a million ideas is measured by ``bench/similar_1m.py``.

New ideas go to an append buffer (no refit) that queries score in full;
:meth:`SimilarIdeas.compact` merges it into the postings, in a background job,
never by itself.  A query never changes the index, so queries may run while
another thread adds or removes ideas.  Words first seen after the fit carry no
weight until the next fit.
"""
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .features import TokenTfidf

# Scores are float32: equal ones are compared to 6 decimals.
_EPS = 1e-6
# Postings read before the first estimate of the k-th best score.
_PROBE_POSTINGS = 4096
# Candidates scored exactly at a time, best upper bound first.
_BATCH = 512


class Lookup(NamedTuple):
    """Two answers to a new text: 可能重复 and 相关建议, each [(id, score)] best first."""
    duplicates: list
    related: list


class _Rows(NamedTuple):
    """The append buffer: CSR arrays with spare room at the end, and the rows in use.

    Replaced whole by :meth:`SimilarIdeas.add`, so a query that read it once
    sees a consistent buffer whatever other threads add meanwhile.
    """
    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    n_rows: int


def _empty_rows():
    return _Rows(np.zeros(1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32), 0)


def _grown(array, size):
    """``array`` if it holds ``size`` items, else a copy with twice the room."""
    if len(array) >= size:
        return array
    bigger = np.zeros(max(size, 2 * len(array)), dtype=array.dtype)
    bigger[:len(array)] = array
    return bigger


def _best(values, n):
    """Indices of the ``n`` largest ``values``, largest first (ties: lowest index first)."""
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    if n >= len(values):
        return np.argsort(-values, kind="stable")
    # Everything tied with the n-th largest, so that ties go to the lowest index.
    chosen = np.flatnonzero(values >= -np.partition(-values, int(n) - 1)[int(n) - 1])
    return chosen[np.lexsort((chosen, -values[chosen]))][:int(n)]


def _gather(indptr, indices, data, slices):
    """Entries of the given rows of a CSR (or columns of a CSC), concatenated,
    with each entry's slice number."""
    starts, lengths = indptr[slices], indptr[slices + 1] - indptr[slices]
    total = int(lengths.sum())
    which = np.repeat(np.arange(len(slices)), lengths)
    at = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths) + np.repeat(starts, lengths)
    return indices[at], data[at], which


def _sum_by_doc(docs, values, n_docs):
    """Distinct ``docs`` (sorted) and the sum of ``values`` of each."""
    if not len(docs):
        return docs, values
    if 4 * len(docs) > n_docs:
        # Postings of a good part of the index: one pass beats a sort.
        totals = np.bincount(docs, weights=values, minlength=n_docs)
        positions = np.flatnonzero(totals)
        return positions, totals[positions]
    order = np.argsort(docs)
    docs = docs[order]
    starts = np.flatnonzero(np.concatenate(([True], docs[1:] != docs[:-1])))
    return docs[starts], np.add.reduceat(values[order], starts)


class SimilarIdeas(BaseEstimator):
    """Cosine-similarity index over segmented ideas.

    Parameters
    ----------
    top_k : int
        Default number of results of :meth:`query`, and of each list of
        :meth:`lookup`.
    min_score : float
        Default cosine floor of :meth:`query`; exact duplicates score 1.
    min_df, max_df : int or float
        Word document-frequency limits of the TF-IDF.
    duplicate_score : float
        Floor of 可能重复 in :meth:`lookup`: probably the same proposal.
    related_score : float
        Floor of 相关建议 in :meth:`lookup`.  Ideas on the same issue have a
        median cosine near 0.24, so this floor is low and the list is ranked.
    max_postings : int or None
        Postings a query reads at most; words past it (the commonest) only
        count in the exact scores.  None reads what the exact answer needs.
    max_rescored : int or None
        Ideas a query scores exactly at most, best partial score first.
        With both None the answer is exact, but the bounds of common words
        are loose (their largest weight sits in a short idea), so an exact
        query reads most postings.  The defaults keep a query under 3 ms of
        CPU at a million ideas with recall@5 0.999 (``make bench-similar``);
        at 100,000 ideas every answer matched the exact one.

    Use ``fit(docs, ids)``, then :meth:`add`, :meth:`remove`, :meth:`query`
    and :meth:`lookup`; the fitted index pickles with joblib.
    """

    def __init__(self, top_k=5, min_score=0.5, min_df=1, max_df=1.0, duplicate_score=0.8,
                 related_score=0.1, max_postings=50_000, max_rescored=500):
        self.top_k = top_k
        self.min_score = min_score
        self.min_df = min_df
        self.max_df = max_df
        self.duplicate_score = duplicate_score
        self.related_score = related_score
        self.max_postings = max_postings
        self.max_rescored = max_rescored

    def fit(self, docs, ids):
        docs, ids = list(docs), list(ids)
        if len(docs) != len(ids):
            raise ValueError("docs 与 ids 的数量不一致")
        self.vectorizer_ = TokenTfidf(min_df=self.min_df, max_df=self.max_df)
        X = self.vectorizer_.fit_transform(docs).astype(np.float32)
        self.ids_ = ids
        # A repeated id keeps its last document, as if re-added.
        self.positions_ = {id_: position for position, id_ in enumerate(ids)}
        alive = np.zeros(len(ids), dtype=bool)
        alive[list(self.positions_.values())] = True
        self._store(X, alive)
        return self

    def _store(self, X, alive):
        """Keep ``X`` row- and column-wise and empty the append buffer."""
        self.rows_ = sp.csr_matrix(X, dtype=np.float32)
        self.rows_.sort_indices()
        self.columns_ = self.rows_.tocsc()
        self.columns_.sort_indices()
        # The most any idea holds of each word: a word's contribution to a
        # score is at most its query weight times this.
        self.term_max_ = np.zeros(X.shape[1], dtype=np.float32)
        used = np.flatnonzero(np.diff(self.columns_.indptr))
        if len(used):
            self.term_max_[used] = np.maximum.reduceat(self.columns_.data,
                                                       self.columns_.indptr[used])
        self.n_stored_ = X.shape[0]
        self.alive_ = alive
        self.pending_ = _empty_rows()

    def __setstate__(self, state):
        super().__setstate__(state)
        if "columns_" in state and "rows_" not in state:
            # Saved by the version that kept postings only: rebuild both stores
            # from them and its append buffer, so a saved index keeps working.
            buffered = self.__dict__.pop("pending_rows_")
            del self.max_pending
            defaults = type(self)()
            for name in ("duplicate_score", "related_score", "max_postings", "max_rescored"):
                setattr(self, name, getattr(defaults, name))
            n_terms = self.columns_.shape[1]
            X = sp.vstack([self.columns_.tocsr()] + [
                sp.csr_matrix((weights, terms, [0, len(terms)]), shape=(1, n_terms))
                for terms, weights in buffered], format="csr")
            self._store(X, self.alive_)

    def __len__(self):
        check_is_fitted(self, "columns_")
        return len(self.positions_)

    @property
    def n_pending(self):
        """Ideas added since the last fit or :meth:`compact`."""
        check_is_fitted(self, "columns_")
        return self.pending_.n_rows

    def _vector(self, doc):
        row = self.vectorizer_.transform([doc])
        return row.indices.astype(np.int32), row.data.astype(np.float32)

    def _dense(self, terms, weights):
        dense = np.zeros(self.columns_.shape[1], dtype=np.float32)
        dense[terms] = weights
        return dense

    def add(self, id_, doc):
        """Index (or re-index) one segmented idea without refitting.

        Costs the same however large the index: the idea goes to the append
        buffer, which only :meth:`compact` merges.
        """
        return self.add_many([id_], [doc])

    def add_many(self, ids, docs):
        """:meth:`add` for many ideas, in order, with one transform for all of them."""
        check_is_fitted(self, "columns_")
        ids = list(ids)
        X = sp.csr_matrix(self.vectorizer_.transform(list(docs)), dtype=np.float32)
        if X.shape[0] != len(ids):
            raise ValueError("docs 与 ids 的数量不一致")
        old = self.pending_
        nnz, n = int(old.indptr[old.n_rows]), len(ids)
        indptr = _grown(old.indptr, old.n_rows + n + 1)
        indices = _grown(old.indices, nnz + X.nnz)
        data = _grown(old.data, nnz + X.nnz)
        indices[nnz:nnz + X.nnz] = X.indices
        data[nnz:nnz + X.nnz] = X.data
        indptr[old.n_rows + 1:old.n_rows + n + 1] = nnz + X.indptr[1:]
        first = len(self.ids_)
        alive = _grown(self.alive_, first + n)
        alive[first:first + n] = True
        for position, id_ in enumerate(ids, start=first):
            if id_ in self.positions_:
                alive[self.positions_[id_]] = False
            self.positions_[id_] = position
        self.ids_.extend(ids)
        self.alive_ = alive
        # Published last: a query running meanwhile sees the ideas whole or not at all.
        self.pending_ = _Rows(indptr, indices, data, old.n_rows + n)
        return self

    def remove(self, id_):
        """Forget an idea; unknown ids are ignored."""
        check_is_fitted(self, "columns_")
        position = self.positions_.pop(id_, None)
        if position is not None:
            self.alive_[position] = False
        return self

    def _pending_matrix(self, pending):
        n_terms = self.columns_.shape[1]
        end = int(pending.indptr[pending.n_rows])
        return sp.csr_matrix((pending.data[:end], pending.indices[:end],
                              pending.indptr[:pending.n_rows + 1]),
                             shape=(pending.n_rows, n_terms))

    def compact(self):
        """Merge the append buffer and drop removed ideas from storage.

        Takes seconds on a large index: run it where a refit would run, not
        while queries are served from the same object.
        """
        check_is_fitted(self, "columns_")
        X = sp.vstack([self.rows_, self._pending_matrix(self.pending_)], format="csr")
        keep = np.flatnonzero(self.alive_[:len(self.ids_)])
        self.ids_ = [self.ids_[p] for p in keep]
        self.positions_ = {id_: p for p, id_ in enumerate(self.ids_)}
        self._store(X[keep], np.ones(len(keep), dtype=bool))
        return self

    def similarity(self, doc, id_):
        """The exact cosine of a segmented document and one indexed idea (0 if not indexed)."""
        check_is_fitted(self, "columns_")
        terms, weights = self._vector(doc)
        position = self.positions_.get(id_)
        if position is None or not len(terms):
            return 0.0
        pending = self.pending_
        if position < self.n_stored_:
            row = self.rows_[position]
        else:
            row = self._pending_matrix(pending)[position - self.n_stored_]
        return float(min((row @ self._dense(terms, weights))[0], 1.0))

    def query(self, doc, top_k=None, min_score=None, exclude=None):
        """The most similar indexed ideas to a segmented document.

        Returns up to ``top_k`` ``(id, score)`` pairs with score at least
        ``min_score``, best first; ``exclude`` drops one id (the idea itself).
        Equal scores keep the older idea first.  Reads the index only.
        """
        check_is_fitted(self, "columns_")
        return self._query_vector(*self._vector(doc), top_k, min_score, exclude)

    def query_many(self, docs, top_k=None, min_score=None, excludes=None):
        """``query`` for each of ``docs`` (``excludes``: the id each one drops), their
        vectors computed in one transform: for the thousands of an incremental update."""
        check_is_fitted(self, "columns_")
        docs = list(docs)
        if not docs:
            return []
        X = self.vectorizer_.transform(docs).tocsr()
        excludes = excludes if excludes is not None else [None] * X.shape[0]
        return [self._query_vector(X.indices[X.indptr[n]:X.indptr[n + 1]].astype(np.int32),
                                   X.data[X.indptr[n]:X.indptr[n + 1]].astype(np.float32),
                                   top_k, min_score, exclude)
                for n, exclude in zip(range(X.shape[0]), excludes)]

    def _query_vector(self, terms, weights, top_k, min_score, exclude):
        top_k = self.top_k if top_k is None else top_k
        min_score = self.min_score if min_score is None else min_score
        if not len(terms) or top_k <= 0:
            return []
        # Read once: other threads may add ideas while this query runs.
        pending, alive, ids = self.pending_, self.alive_, self.ids_
        excluded = self.positions_.get(exclude, -1) if exclude is not None else -1
        dense = self._dense(terms, weights)

        # The append buffer is scored in full; its best scores start the bar.
        found_at, found_score = [np.zeros(0, np.int64)], [np.zeros(0, np.float32)]
        if pending.n_rows:
            scores = self._pending_matrix(pending) @ dense
            at = np.flatnonzero(scores > 0) + self.n_stored_
            at = at[alive[at] & (at != excluded)]
            found_at.append(at)
            found_score.append(scores[at - self.n_stored_])
        at, score = self._search_stored(terms, weights, dense, top_k, min_score, alive,
                                        excluded, np.concatenate(found_score))
        found_at.append(at)
        found_score.append(score)
        at, score = np.concatenate(found_at), np.concatenate(found_score)
        keep = alive[at] & (at != excluded) & (score > 0) & (score >= min_score - _EPS)
        at, score = at[keep], score[keep]
        best = np.lexsort((at, -np.round(score, 6)))[:top_k]
        return [(ids[at[i]], float(min(score[i], 1.0))) for i in best]

    def _search_stored(self, terms, weights, dense, top_k, min_score, alive, excluded,
                       known_scores):
        """Positions and exact scores of the stored ideas that may be in the top ``top_k``.

        Without budgets every stored idea missing from the answer scores below
        the k-th best score returned, or below ``min_score``.  With them, the
        words past ``max_postings`` are not read and at most ``max_rescored``
        ideas are scored exactly: the answer may then miss an idea.
        """
        columns, rows = self.columns_, self.rows_
        bounds = weights.astype(np.float64) * self.term_max_[terms]
        lengths = np.diff(columns.indptr)[terms]
        # Most bound per posting first: the words left unread then add up to
        # the least for the postings read (rare, heavy words first).
        order = np.argsort(-bounds / np.maximum(lengths, 1), kind="stable")
        terms, bounds, weights = terms[order], bounds[order], weights[order]
        # rest[i]: the most that words i, i+1, ... can add to any score: their bounds summed,
        # or, tighter when many common words are left, the query's norm over them (the
        # ideas are unit vectors: Cauchy–Schwarz).
        rest = np.minimum(np.concatenate((np.cumsum(bounds[::-1])[::-1], [0.0])), np.sqrt(
            np.concatenate((np.cumsum((weights.astype(np.float64) ** 2)[::-1])[::-1], [0.0]))))
        read_by = np.cumsum(lengths[order])
        budget = len(terms) if self.max_postings is None else max(
            1, int(np.searchsorted(read_by, self.max_postings, side="right")))
        rescored = np.inf if self.max_rescored is None else self.max_rescored

        def bar(scores):
            """The score an idea must reach: the k-th best known, or the floor."""
            floor = max(min_score - _EPS, 0.0)
            if len(scores) < top_k:
                return floor
            return max(floor, float(np.partition(scores, len(scores) - top_k)[len(scores) - top_k]) - _EPS)

        def exact(positions):
            cols, vals, which = _gather(rows.indptr, rows.indices, rows.data, positions)
            return np.bincount(which, weights=vals * dense[cols], minlength=len(positions))

        def partial_scores(n_terms):
            docs, vals, which = _gather(columns.indptr, columns.indices, columns.data, terms[:n_terms])
            positions, partial = _sum_by_doc(docs, vals * weights[which], self.n_stored_)
            usable = alive[positions] & (positions != excluded)
            return positions[usable], partial[usable]

        # A first bar from the postings of the strongest words.
        read = min(budget, max(1, int(np.searchsorted(read_by, _PROBE_POSTINGS, side="right"))))
        positions, partial = partial_scores(read)
        probe = positions[_best(partial, 4 * top_k)]
        theta = bar(np.concatenate((known_scores, exact(probe))))
        # Words whose postings must be read: all but the weakest ones, which
        # together cannot lift an idea that has none of the others to the bar.
        essential = min(budget, int(np.searchsorted(-rest, -theta, side="right")))
        if essential > read:
            # Most postings to read anyway (and the budget allows all): read them all.
            read_all = budget == len(terms) and 2 * read_by[essential - 1] > read_by[-1]
            read = len(terms) if read_all else essential
            positions, partial = partial_scores(read)
        upper = partial + rest[read]
        candidates = np.flatnonzero(upper >= theta)
        if read < len(terms) == budget and min(len(candidates), rescored) * rows.nnz > (
                read_by[-1] - read_by[read - 1]) * max(rows.shape[0], 1):
            # Scoring the candidates one by one would touch more weights than
            # the postings left: read those instead.
            read = len(terms)
            positions, partial = partial_scores(read)
        if read == len(terms):
            # Every word read: the partial sums are the scores.
            best = _best(np.round(partial, 6), top_k)
            return positions[best].astype(np.int64), partial[best].astype(np.float32)
        positions, upper = positions[candidates], upper[candidates]
        by_bound = _best(upper, rescored)
        positions, upper = positions[by_bound], upper[by_bound]
        # Exact scores, best upper bound first, until no candidate left can reach the bar.
        done_at, done_score = [np.zeros(0, np.int64)], [np.zeros(0, np.float32)]
        for start in range(0, len(positions), _BATCH):
            if upper[start] < theta:
                break
            batch = positions[start:start + _BATCH]
            done_at.append(batch.astype(np.int64))
            done_score.append(exact(batch).astype(np.float32))
            theta = max(theta, bar(np.concatenate([known_scores] + done_score)))
        return np.concatenate(done_at), np.concatenate(done_score)

    def lookup(self, doc, top_k=None, exclude=None):
        """Both answers for a new text, from one search.

        ``duplicates`` (可能重复): every idea scoring at least
        ``duplicate_score`` (exact copies score 1); ``related`` (相关建议):
        up to ``top_k`` more, ranked, scoring at least ``related_score``.
        """
        top_k = self.top_k if top_k is None else top_k
        floor, wanted = min(self.related_score, self.duplicate_score), 2 * top_k
        hits = self.query(doc, top_k=wanted, min_score=floor, exclude=exclude)
        while len(hits) == wanted and hits[-1][1] >= self.duplicate_score - _EPS:
            # Every answer is a copy: there may be more of them.
            wanted *= 4
            hits = self.query(doc, top_k=wanted, min_score=floor, exclude=exclude)
        duplicates = [hit for hit in hits if hit[1] >= self.duplicate_score - _EPS]
        return Lookup(duplicates, hits[len(duplicates):len(duplicates) + top_k])
