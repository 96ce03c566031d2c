"""Messages that say the same thing: near-duplicates (re-posts, a few
characters edited) and the same issue in other words, grouped so staff decide
once for all of them.

Rows are taken in submission order; a row joins the group of its most similar
earlier row when their cosine reaches ``threshold``, else it starts a group.
Each group is thus led by its earliest message (whose author keeps the credit),
and a row is only ever compared with messages that existed when it came.

Up to ``exact_up_to`` rows every pair is scored (quadratic: 10k rows take
about 2 s, 100k about 140 s). Past it, each row's candidates are its nearest
neighbours in a sparse random projection of the TF-IDF rows (which keeps
cosines on average, where LSA would blur the rare words near-duplicates
share), found by an HNSW graph (faiss), then scored exactly on the TF-IDF
rows; a pair is a candidate when either row is among the other's neighbours.
What that misses against the exact grouping is measured by
``bench/nlp_bench.py`` and tested in ``tests/nlp/test_nlp_funnel.py``.
"""
import numpy as np
from sklearn.preprocessing import normalize
from sklearn.random_projection import SparseRandomProjection

# Pairs scored exactly at a time (bounds the memory of gathering their rows).
_PAIR_BATCH = 500_000


def near_duplicate_groups(X, threshold=0.5, chunk_size=1000, exclude=(), exact_up_to=20_000,
                          n_neighbors=10, n_components=128, random_state=0, n_jobs=None):
    """Groups of row indices (each sorted, led by its first) with at least two
    members, for rows of ``X`` in submission order. ``exclude``: rows that
    must stay alone (staff split them from a group before). ``n_jobs`` (the
    approximate way only): threads building the graph; one makes it
    deterministic."""
    n = X.shape[0]
    X = normalize(X).tocsr().astype(np.float32)
    excluded = np.zeros(n, dtype=bool)
    excluded[list(exclude)] = True
    if n <= exact_up_to:
        best = _best_earlier_exact(X, threshold, excluded, chunk_size)
    else:
        best = _best_earlier_approximate(X, threshold, excluded, n_neighbors, n_components,
                                         random_state, n_jobs)
    leader = np.arange(n)
    for row in np.flatnonzero(best >= 0):  # ascending, so the earlier row's leader is final
        leader[row] = leader[best[row]]
    order = np.argsort(leader, kind="stable")
    starts = np.flatnonzero(np.r_[True, leader[order][1:] != leader[order][:-1]])
    return sorted((members.tolist() for members in np.split(order, starts[1:]) if len(members) > 1),
                  key=lambda members: members[0])


def group_leaders(groups, n_rows):
    """The leader each of ``n_rows`` rows ends under (itself when alone), to
    compare two groupings row by row."""
    leader = np.arange(n_rows)
    for members in groups:
        leader[members] = members[0]
    return leader


def _best_earlier_exact(X, threshold, excluded, chunk_size):
    """For each row, its most similar earlier row reaching ``threshold``, or -1."""
    n = X.shape[0]
    best = np.full(n, -1)
    for start in range(0, n, chunk_size):
        stop = min(n, start + chunk_size)
        sims = (X[start:stop] @ X[:stop].T).toarray()
        for offset in range(stop - start):
            row = start + offset
            if excluded[row] or row == 0:
                continue
            earlier = sims[offset, :row]
            earlier[excluded[:row]] = -1
            found = int(np.argmax(earlier))
            if earlier[found] >= threshold:
                best[row] = found
    return best


def _best_earlier_approximate(X, threshold, excluded, n_neighbors, n_components, random_state,
                              n_jobs):
    """As :func:`_best_earlier_exact`, among the candidate pairs of the graph."""
    import faiss

    n = X.shape[0]
    Z = SparseRandomProjection(n_components, dense_output=True,
                               random_state=random_state).fit_transform(X)
    Z = np.ascontiguousarray(normalize(Z), dtype=np.float32)
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(n_jobs or threads)
    try:
        index = faiss.IndexHNSWFlat(n_components, 12, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 64
        index.hnsw.efSearch = 40
        index.add(Z)
        _, near = index.search(Z, n_neighbors + 1)
    finally:
        faiss.omp_set_num_threads(threads)
    rows = np.repeat(np.arange(n, dtype=np.int64), near.shape[1])
    near = near.ravel().astype(np.int64)
    later, earlier = np.maximum(rows, near), np.minimum(rows, near)
    keep = (near >= 0) & (later != earlier)
    pairs = np.unique(later[keep] * n + earlier[keep])  # sorted: by later row, then earlier
    later, earlier = pairs // n, pairs % n
    keep = ~(excluded[later] | excluded[earlier])
    later, earlier = later[keep], earlier[keep]
    scores = np.concatenate([np.zeros(0, np.float32)] + [
        np.asarray(X[later[s:s + _PAIR_BATCH]].multiply(X[earlier[s:s + _PAIR_BATCH]])
                   .sum(axis=1)).ravel() for s in range(0, len(later), _PAIR_BATCH)])
    keep = scores >= threshold
    later, earlier, scores = later[keep], earlier[keep], scores[keep]
    # Best score first within each later row; a stable sort keeps the earliest row on a tie.
    order = np.lexsort((-scores, later))
    later, earlier = later[order], earlier[order]
    first = np.r_[True, later[1:] != later[:-1]] if len(later) else np.zeros(0, bool)
    best = np.full(n, -1)
    best[later[first]] = earlier[first]
    return best
