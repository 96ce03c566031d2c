"""Term weights that do not depend on the campaign's own ideas.

A zero-shot model whose idf comes from the campaign falls apart when the
campaign has ten ideas, which is exactly when staff look first.  Here every
weight comes from outside the campaign:

* jieba's own dictionary ships a frequency for each of its 349,000 words;
  ``log(total / frequency)`` is a background idf (rare words weigh more);
* ``nlp/data/theme_priors.json`` (built by :mod:`nlp.priors` from the demo
  ideas and the seed notice) marks words that proposals use for every theme
  alike (企业、问题、建议 ...) and holds vocabulary for the default themes.

Words kept whole by the user dictionary (拖欠账款, 承诺不兑现) are matched both
whole and through their parts that jieba's dictionary knows (拖欠, 账款).
Documents are segmented token strings, as everywhere in :mod:`nlp`.
"""
import functools
import json
import math
import os
from collections import defaultdict

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from .features import as_corpus
from .segmenter import DATA_DIR

PRIORS_PATH = DATA_DIR / "theme_priors.json"

# Background idf below this is treated as zero: the few hundred most common
# words of the language (我们、发展、问题) say nothing about a theme.
IDF_OFFSET = 2.0
# A part of a compound counts this much of a word of its own.
PART_WEIGHT = 0.5


@functools.lru_cache(maxsize=1)
def dictionary_frequencies():
    """``({word: frequency}, total)`` from jieba's bundled ``dict.txt``.

    Read once per process, lazily (about half a second).
    """
    import jieba

    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    frequencies = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            word, freq, *_ = line.split(" ")
            frequencies[word] = int(freq)
    return frequencies, sum(frequencies.values())


@functools.lru_cache(maxsize=4)
def load_priors(path=PRIORS_PATH):
    """The shipped priors: ``{"generic": {term: factor}, "themes": {...}}``."""
    if not os.path.exists(path):
        return {"generic": {}, "themes": {}}
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


@functools.lru_cache(maxsize=100000)
def term_parts(term):
    """Dictionary words inside a compound of three or more characters."""
    frequencies, _ = dictionary_frequencies()
    n = len(term)
    if n < 3:
        return ()
    return tuple(term[i:i + size] for size in range(2, n) for i in range(n - size + 1)
                 if frequencies.get(term[i:i + size], 0) > 0)


class TermWeights:
    """Weight of a term: background idf, less for campaign-generic words.

    Parameters
    ----------
    idf_offset : float
        Subtracted from the background idf (floored at zero).
    generic : dict or None
        ``{term: factor in (0, 1]}``; None reads ``theme_priors.json``.
    """

    def __init__(self, idf_offset=IDF_OFFSET, generic=None):
        self.idf_offset = idf_offset
        self.generic = load_priors()["generic"] if generic is None else generic
        self._cache = {}

    def __call__(self, term):
        weight = self._cache.get(term)
        if weight is None:
            frequencies, total = dictionary_frequencies()
            idf = math.log(total / (frequencies.get(term, 0) + 1))
            weight = max(idf - self.idf_offset, 0.0) * self.generic.get(term, 1.0)
            self._cache[term] = weight
        return weight

    def __getstate__(self):
        return {"idf_offset": self.idf_offset, "generic": self.generic, "_cache": {}}

    def expand(self, token, part_weight=PART_WEIGHT):
        """``[(term, weight)]`` of a token: itself, then its parts."""
        pairs = [(token, self(token))]
        pairs += [(part, part_weight * self(part)) for part in term_parts(token)]
        return [(term, weight) for term, weight in pairs if weight > 0]


class TermSpace:
    """Weighted, unit-length term vectors of segmented documents.

    ``grow=True`` (used while building theme profiles) adds new terms as
    columns; otherwise a document's vector is computed over all its terms
    (so its length is right) and then cut to the known columns, which
    leaves the space unchanged: safe to share between threads, and a
    document's vector never depends on the other documents.
    """

    def __init__(self, weights=None, part_weight=PART_WEIGHT):
        self.weights = weights if weights is not None else TermWeights()
        self.part_weight = part_weight
        self.index = {}

    def _token_matrix(self, tokens, index):
        rows, cols, vals = [], [], []
        for row, token in enumerate(tokens):
            for term, weight in self.weights.expand(token, self.part_weight):
                rows.append(row)
                cols.append(index.setdefault(term, len(index)))
                vals.append(weight)
        return sp.csr_matrix((vals, (rows, cols)), shape=(len(tokens), len(index)))

    def transform(self, docs, grow=False):
        """Sublinear tf × term weight, rows of unit length (documents × known terms)."""
        counts, tokens = as_corpus(docs).counts()
        counts = sp.csr_matrix(counts, dtype=np.float64)
        counts.data = 1 + np.log(counts.data)
        index = self.index if grow else dict(self.index)
        X = counts @ self._token_matrix(tokens, index)
        if X.shape[0]:
            X = normalize(X)
        return X if grow else X[:, :len(self.index)]

    def vector(self, docs):
        """One unit vector summing the unit vectors of ``docs`` (a centroid)."""
        X = self.transform(docs, grow=True)
        return normalize(sp.csr_matrix(X.sum(axis=0)))

    def align(self, matrices):
        """The matrices padded to the current number of columns."""
        width = len(self.index)
        return [sp.csr_matrix((m.data, m.indices, m.indptr), shape=(m.shape[0], width))
                for m in matrices]


def terms_vector(space, weighted_terms):
    """A unit row vector from ``{term: weight}`` (as stored in the priors)."""
    cols = [space.index.setdefault(term, len(space.index)) for term in weighted_terms]
    vector = sp.csr_matrix((list(weighted_terms.values()), ([0] * len(cols), cols)),
                           shape=(1, len(space.index)))
    return normalize(vector)


def top_terms(space, vector, n):
    """``{term: weight}`` of the ``n`` heaviest columns of a row vector."""
    names = {col: term for term, col in space.index.items()}
    row = sp.csr_matrix(vector)
    order = np.argsort(-row.data, kind="stable")[:n]
    return {names[row.indices[i]]: round(float(row.data[i]), 5) for i in order}


def spread(doc_groups):
    """Factor per term: the share of its documents that sit in its main group.

    ``doc_groups`` maps a group (theme) to lists of token lists.  A term
    found in documents of many groups alike is generic for this campaign;
    its factor is the share of the largest group, so a word evenly spread
    over ten themes keeps a tenth of its weight.  Terms in fewer than three
    documents keep their full weight (too little evidence).
    """
    counts = defaultdict(lambda: defaultdict(int))
    for group, docs in doc_groups.items():
        for tokens in docs:
            terms = set(tokens) | {part for token in tokens for part in term_parts(token)}
            for term in terms:
                counts[term][group] += 1
    factors = {}
    for term, by_group in counts.items():
        n = sum(by_group.values())
        if n >= 3:
            share = max(by_group.values()) / n
            if share < 1.0:
                factors[term] = round(share, 4)
    return factors
