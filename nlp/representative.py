"""The ideas that best show what a cluster is about: the medoid first, then
maximal marginal relevance (each next pick close to the cluster, far from the
picks so far), so staff see its range, not five copies of one message."""
import numpy as np
from sklearn.preprocessing import normalize


def representatives(X, k=5, diversity=0.3):
    """Row indices of ``X`` (TF-IDF rows of one cluster, sparse or dense), most
    representative first. ``diversity`` 0 ranks by closeness to the cluster's
    centroid alone; higher values penalise likeness to earlier picks."""
    n = X.shape[0]
    if n == 0 or k <= 0:
        return []
    X = normalize(X)
    centroid = np.asarray(X.mean(axis=0)).ravel()
    relevance = np.asarray(X @ centroid).ravel()
    chosen = [int(np.argmax(relevance))]  # the medoid by cosine to the centroid
    # The largest likeness of every row to any pick so far.
    closest = _likeness(X, chosen[0])
    while len(chosen) < min(k, n):
        gain = (1 - diversity) * relevance - diversity * closest
        gain[chosen] = -np.inf
        pick = int(np.argmax(gain))
        chosen.append(pick)
        closest = np.maximum(closest, _likeness(X, pick))
    return chosen


def _likeness(X, row):
    """Cosine of every row of the unit-length ``X`` with row ``row``."""
    sims = X @ X[row].T
    return np.asarray(sims.toarray() if hasattr(sims, "toarray") else sims).ravel()
