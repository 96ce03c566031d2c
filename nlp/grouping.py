"""Messages that say the same thing: near-duplicates (re-posts, a few
characters edited) and the same issue in other words, grouped so staff decide
once for all of them.

Rows are taken in submission order; a row joins the group of its most similar
earlier row when their cosine reaches ``threshold``, else it starts a group.
Each group is thus led by its earliest message (whose author keeps the credit),
and a row is only ever compared with messages that existed when it came.
"""
import numpy as np
from sklearn.preprocessing import normalize


def near_duplicate_groups(X, threshold=0.5, chunk_size=1000, exclude=()):
    """Groups of row indices (each sorted, led by its first) with at least two
    members, for rows of ``X`` in submission order. ``exclude``: rows that
    must stay alone (staff split them from a group before)."""
    n = X.shape[0]
    X = normalize(X).tocsr().astype(np.float32)
    leader = np.arange(n)
    excluded = np.zeros(n, dtype=bool)
    excluded[list(exclude)] = True
    for start in range(0, n, chunk_size):
        stop = min(n, start + chunk_size)
        sims = (X[start:stop] @ X[:stop].T).toarray()
        for offset in range(stop - start):
            row = start + offset
            if excluded[row] or row == 0:
                continue
            earlier = sims[offset, :row]
            earlier[excluded[:row]] = -1
            best = int(np.argmax(earlier))
            if earlier[best] >= threshold:
                leader[row] = leader[best]
    groups = {}
    for row, lead in enumerate(leader):
        groups.setdefault(int(lead), []).append(row)
    return [rows for rows in groups.values() if len(rows) > 1]
