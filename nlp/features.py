"""TF-IDF features of segmented documents.

:class:`TokenTfidf` gives the same numbers as scikit-learn's
``TfidfVectorizer`` on word unigrams (plus, optionally, ``char_wb`` n-grams of
those words).  With words only it is a little faster; with character n-grams
it is several times faster and can work in bounded memory, because a word's
n-grams never depend on the document it occurs in: each distinct token is
analysed once and documents get their n-gram counts through a sparse
token → n-gram matrix.  A :class:`TokenCorpus` lets several models share one
count of the tokens.
"""
import functools
from collections import defaultdict
from collections.abc import Sequence
from itertools import chain, count

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from .segmenter import split_tokens


def single_native_thread(method):
    """Run ``method`` with BLAS and OpenMP limited to one thread.

    On a small host shared with other busy processes, spin-waiting BLAS and
    OpenMP threads made the solvers several times slower than one thread
    (k-means over thirty times); parallelism happens at the process level
    instead (see ``segment_many``).
    """
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with threadpool_limits(limits=1):
            return method(*args, **kwargs)
    return wrapper


def count_tokens(docs, chunk_size=10000):
    """Token counts of segmented documents.

    Returns ``(counts, tokens)``: a CSR matrix (documents × distinct tokens,
    int32) and the tokens in column order (order of first occurrence).
    Documents are split a chunk at a time: a list of every token of a large
    corpus would take several times the memory of the counts.
    """
    vocabulary = defaultdict(count().__next__)
    lengths, columns = [], []
    for start in range(0, len(docs), chunk_size):
        split = [split_tokens(doc) for doc in docs[start:start + chunk_size]]
        lengths.append(np.fromiter(map(len, split), dtype=np.int64, count=len(split)))
        columns.append(np.fromiter(map(vocabulary.__getitem__, chain.from_iterable(split)),
                                   dtype=np.int32, count=int(lengths[-1].sum())))
    lengths = np.concatenate(lengths) if lengths else np.zeros(0, dtype=np.int64)
    columns = np.concatenate(columns) if columns else np.zeros(0, dtype=np.int32)
    indptr = np.concatenate(([0], np.cumsum(lengths)))
    counts = sp.csr_matrix((np.ones(len(columns), dtype=np.int32), columns, indptr),
                           shape=(len(lengths), len(vocabulary)))
    counts.sum_duplicates()
    return counts, list(vocabulary)


class TokenCorpus(Sequence):
    """Segmented documents whose token counts are computed once.

    Every model accepts a plain list of token strings; pass one
    ``TokenCorpus`` instead to several models fitted on the same ideas (a
    rebuild's assigner and clusterer) and the tokens are counted only once.
    Indexing with an int gives a document, with a slice or index array a
    sub-corpus sharing the counts.
    """

    def __init__(self, docs):
        self.docs = list(docs)
        self._counts = None

    def __len__(self):
        return len(self.docs)

    def __getitem__(self, index):
        if isinstance(index, (int, np.integer)):
            return self.docs[index]
        rows = np.arange(len(self.docs))[index]
        subset = TokenCorpus([self.docs[row] for row in rows])
        if self._counts is not None:
            counts, tokens = self._counts
            subset._counts = (counts[rows], tokens)
        return subset

    def counts(self):
        """``(counts, tokens)`` as :func:`count_tokens` returns them."""
        if self._counts is None:
            self._counts = count_tokens(self.docs)
        return self._counts


def as_corpus(docs):
    """``docs`` as a :class:`TokenCorpus` (itself if it already is one)."""
    return docs if isinstance(docs, TokenCorpus) else TokenCorpus(docs)


def _used_counts(docs):
    """Counts and tokens of ``docs``, without tokens it does not contain."""
    counts, tokens = as_corpus(docs).counts()
    used = np.flatnonzero(np.bincount(counts.indices, minlength=len(tokens)))
    if len(used) < len(tokens):
        counts, tokens = counts[:, used], [tokens[i] for i in used]
    return counts, tokens


def _selection(keys, index):
    """Sparse 0/1 matrix sending each key to its column in ``index`` (if any)."""
    rows, cols = [], []
    for row, key in enumerate(keys):
        col = index.get(key)
        if col is not None:
            rows.append(row)
            cols.append(col)
    return sp.csr_matrix((np.ones(len(rows), dtype=np.float64), (rows, cols)),
                         shape=(len(keys), len(index)))


def char_wb_ngrams(token, low, high):
    """Character n-grams of one word, exactly as scikit-learn's ``char_wb``.

    The word is padded with a space on each side; once n reaches the padded
    length the whole padded word is counted once and longer n are skipped.
    """
    padded = " " + token + " "
    size = len(padded)
    grams = []
    for n in range(low, high + 1):
        if n >= size:
            grams.append(padded)
            break
        grams.extend([padded[i:i + n] for i in range(size - n + 1)])
    return grams


def _ngram_matrix(tokens, ngram_range, index, grow=False):
    """Counts of the char n-grams of each token (tokens × n-grams).

    Only n-grams already in ``index`` count, unless ``grow`` adds new ones.
    """
    low, high = ngram_range
    lookup = (lambda gram: index.setdefault(gram, len(index))) if grow else index.get
    rows, cols = [], []
    for row, token in enumerate(tokens):
        found = [col for col in map(lookup, char_wb_ngrams(token, low, high)) if col is not None]
        rows.extend([row] * len(found))
        cols.extend(found)
    matrix = sp.csr_matrix((np.ones(len(rows), dtype=np.float64), (rows, cols)),
                           shape=(len(tokens), len(index)))
    matrix.sum_duplicates()
    return matrix


def _document_frequency(matrix):
    return np.bincount(matrix.indices, minlength=matrix.shape[1])


def _df_mask(df, n_docs, min_df, max_df):
    max_count = max_df if isinstance(max_df, (int, np.integer)) else max_df * n_docs
    return (df >= min_df) & (df <= max_count)


class TokenTfidf(TransformerMixin, BaseEstimator):
    """TF-IDF of space-joined token strings (a list or a :class:`TokenCorpus`).

    Parameters
    ----------
    min_df, max_df : int or float
        Document-frequency limits for words (and, separately, n-grams), as
        in ``TfidfVectorizer`` (an int is a count, a float a proportion).
    sublinear_tf : bool
        Use ``1 + log(tf)``: long messages repeat themselves.
    char_ngram_range : (int, int) or None
        Add ``char_wb`` n-grams of the words in this range, which lets the
        models match 融资 inside 融资难 and unseen compounds.
    char_weight : float
        Scale of the n-gram block relative to the word block (each block
        is L2-normalised on its own, as in a ``FeatureUnion``).

    Attributes
    ----------
    vocabulary_ : dict
        Word → column.
    terms_ : ndarray of str
        Words in column order.
    idf_ : ndarray
        IDF of every output column (words, then n-grams).
    n_words_ : int
        Number of word columns; the n-gram columns follow.
    """

    def __init__(self, min_df=1, max_df=1.0, sublinear_tf=True, char_ngram_range=None,
                 char_weight=1.0):
        self.min_df = min_df
        self.max_df = max_df
        self.sublinear_tf = sublinear_tf
        self.char_ngram_range = char_ngram_range
        self.char_weight = char_weight

    def fit(self, docs, y=None):
        self.fit_transform(docs)
        return self

    def fit_transform(self, docs, y=None):
        counts, tokens = _used_counts(docs)
        n_docs = counts.shape[0]
        keep = _df_mask(_document_frequency(counts), n_docs, self.min_df, self.max_df)
        if not keep.any():
            # As scikit-learn does: callers may retry with looser limits.
            raise ValueError("没有可用的词：文档为空，或按 min_df/max_df 过滤后一个词也不剩")
        self.terms_ = np.array(tokens, dtype=object)[keep]
        self.vocabulary_ = {term: col for col, term in enumerate(self.terms_)}
        self.n_words_ = len(self.terms_)
        blocks = [counts[:, np.flatnonzero(keep)]]
        if self.char_ngram_range is not None:
            grams = {}
            char_counts = counts @ _ngram_matrix(tokens, self.char_ngram_range, grams, grow=True)
            keep_grams = _df_mask(_document_frequency(char_counts), n_docs,
                                  self.min_df, self.max_df)
            gram_list = np.array(list(grams), dtype=object)[keep_grams]
            self.char_vocabulary_ = {gram: col for col, gram in enumerate(gram_list)}
            blocks.append(char_counts[:, np.flatnonzero(keep_grams)])
        # Smoothed idf exactly as scikit-learn computes it.
        self.idf_ = np.concatenate([
            np.log((1 + n_docs) / (1 + _document_frequency(block))) + 1 for block in blocks
        ])
        return self._weigh(blocks)

    def transform(self, docs):
        return next(self.iter_transform(docs))

    def iter_transform(self, docs, chunk_size=None):
        """Yield the TF-IDF of ``chunk_size`` documents at a time (None: all).

        The token → feature matrices are derived once for all of ``docs``,
        so this transforms a large corpus in bounded memory at the cost of
        a single ``transform``.
        """
        check_is_fitted(self, "vocabulary_")
        counts, tokens = _used_counts(docs)
        token_features = [_selection(tokens, self.vocabulary_)]
        if self.char_ngram_range is not None:
            token_features.append(_ngram_matrix(tokens, self.char_ngram_range,
                                                self.char_vocabulary_))
        n_docs = counts.shape[0]
        step = chunk_size or max(n_docs, 1)
        for start in range(0, max(n_docs, 1), step):
            rows = counts[start:start + step]
            yield self._weigh([rows @ matrix for matrix in token_features])

    def _weigh(self, blocks):
        weighted, start = [], 0
        for i, block in enumerate(blocks):
            block = sp.csr_matrix(block, dtype=np.float64)
            block.eliminate_zeros()
            if self.sublinear_tf:
                np.log(block.data, out=block.data)
                block.data += 1
            block = block @ sp.diags(self.idf_[start:start + block.shape[1]])
            if block.shape[0]:  # normalize() rejects an empty matrix
                block = normalize(block)
            start += block.shape[1]
            weighted.append(block * self.char_weight if i else block)
        return sp.hstack(weighted, format="csr") if len(weighted) > 1 else weighted[0]

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "vocabulary_")
        if self.char_ngram_range is None:
            return self.terms_.copy()
        grams = np.array(["char:" + g for g in self.char_vocabulary_], dtype=object)
        return np.concatenate([self.terms_, grams])
