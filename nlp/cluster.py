"""Group ideas into clusters, name each cluster and map it to a theme.

TF-IDF of the words → LSA (TruncatedSVD, then unit length) → k-means.  LSA
merges words used for the same thing (拖欠 / 欠薪 / 讨薪), which k-means on raw
TF-IDF cannot; on large corpora the SVD is fitted on a sample and
MiniBatchKMeans replaces KMeans, so a rebuild stays fast.

Clusters staff can trust:

* a cluster is named by the terms that set it apart from the rest of the
  campaign (its share of ideas using a term against the others' share,
  weighted by the background weight of :mod:`nlp.background`, so 省里、很多、
  每个 do not name anything);
* its theme is the theme most of its members have (staff-confirmed or
  assigned), never a cosine that may contradict them;
* :func:`match_clusters` carries ids and names over a rebuild by member
  overlap and says which clusters are new, merged or split.
"""
from collections import Counter

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from .background import TermWeights
from .features import TokenTfidf, as_corpus, count_tokens, single_native_thread
from .theme_base import zero_shot_targets
from .zero_shot import ZeroShotThemeAssigner


def _sample(n, size, random_state):
    """Sorted row indices of a reproducible sample (all rows if n <= size)."""
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.RandomState(random_state).choice(n, size, replace=False))


def _silhouette(Z, labels):
    # Rows of Z have unit length, so Euclidean distance ranks pairs as cosine
    # does, and it is what k-means itself minimises.
    return float(silhouette_score(Z, labels, metric="euclidean"))


class IdeaClusterer(ClusterMixin, BaseEstimator):
    """LSA + k-means clustering of segmented ideas.

    Parameters
    ----------
    n_clusters : int or None
        Number of clusters; None chooses it from ``k_range`` by silhouette.
    k_range : (int, int)
        Smallest and largest k tried when ``n_clusters`` is None.
    n_components : int
        LSA dimensions (fewer when the corpus is small).
    min_df, max_df : int or float
        Word document-frequency limits.
    themes : list of dict or None
        When given, each cluster gets the theme most of its members have.
    min_theme_score : float
        Share of members the majority theme needs; below it the cluster maps
        to the catch-all theme (or None).
    n_top_terms : int
        Terms kept to describe each cluster.
    min_term_ideas : int
        Ideas of a cluster that must use a term before it can name it.
    sample_size : int
        Rows used for choosing k and for the silhouette figures.
    svd_sample_size : int
        Rows the SVD is fitted on; all rows are then projected.
    minibatch_above : int
        Above this many ideas MiniBatchKMeans replaces KMeans.
    random_state : int
        Same input and same seed give the same clusters.

    Attributes
    ----------
    labels_ : ndarray of int
    n_clusters_ : int
    cluster_terms_ : list of list of str
        Terms most distinctive of each cluster against the other ideas.
    cluster_names_ : list of str
        The first three terms joined by "、".
    cluster_themes_ : list of str or None
        Majority theme of each cluster's members (None without themes).
    cluster_theme_scores_ : ndarray
        Share of the members that have that theme.
    sizes_ : ndarray of int
    inertia_ : float
    silhouette_ : float or None
        Silhouette on a sample of the LSA vectors (None with one cluster).
    k_scores_ : dict
        Silhouette of each k tried (empty when ``n_clusters`` was given).
    """

    def __init__(self, n_clusters=None, k_range=(4, 16), n_components=100, min_df=2,
                 max_df=0.5, themes=None, min_theme_score=0.5, n_top_terms=8,
                 min_term_ideas=2, sample_size=2000, svd_sample_size=10000,
                 minibatch_above=10000, random_state=0):
        self.n_clusters = n_clusters
        self.k_range = k_range
        self.n_components = n_components
        self.min_df = min_df
        self.max_df = max_df
        self.themes = themes
        self.min_theme_score = min_theme_score
        self.n_top_terms = n_top_terms
        self.min_term_ideas = min_term_ideas
        self.sample_size = sample_size
        self.svd_sample_size = svd_sample_size
        self.minibatch_above = minibatch_above
        self.random_state = random_state

    @single_native_thread
    def fit(self, docs, y=None, rest=None):
        """Cluster ``docs``.

        ``y``: each idea's theme code (staff-confirmed or assigned; None if
        unknown), from which each cluster takes its majority theme; without
        it, the zero-shot model assigns the members.  ``rest``: the
        campaign's other ideas (segmented), so names contrast a cluster with
        the whole campaign, not only with the other clusters fitted here.
        """
        docs = as_corpus(docs)
        n = len(docs)
        if n < 2:
            raise ValueError("聚类至少需要两条意见")
        self.vectorizer_ = TokenTfidf(min_df=self.min_df, max_df=self.max_df)
        X = self.vectorizer_.fit_transform(docs)
        if X.shape[1] < 2:
            raise ValueError("意见的有效词太少，无法聚类")
        n_components = max(1, min(self.n_components, X.shape[1] - 1, n - 1))
        self.svd_ = TruncatedSVD(n_components, random_state=self.random_state)
        self.svd_.fit(X[_sample(n, self.svd_sample_size, self.random_state)])
        Z = normalize(self.svd_.transform(X))

        sample = _sample(n, self.sample_size, self.random_state)
        self.k_scores_ = {}
        if self.n_clusters is not None:
            k = min(self.n_clusters, n)
        else:
            k = self._choose_k(Z[sample])
        self.model_ = self._kmeans(k, n).fit(Z)
        self.labels_ = self.model_.labels_
        self.n_clusters_ = k
        self.inertia_ = float(self.model_.inertia_)
        self.sizes_ = np.bincount(self.labels_, minlength=k)
        sample_labels = self.labels_[sample]
        self.silhouette_ = (_silhouette(Z[sample], sample_labels)
                            if 1 < len(np.unique(sample_labels)) < len(sample) else None)
        self._describe(docs, y, rest)
        return self

    def _kmeans(self, k, n):
        if n > self.minibatch_above:
            return MiniBatchKMeans(k, batch_size=4096, n_init=3,
                                   random_state=self.random_state)
        return KMeans(k, n_init=5, random_state=self.random_state)

    def _choose_k(self, Z):
        low, high = max(self.k_range[0], 2), min(self.k_range[1], len(Z) - 1)
        if high < low:  # too few ideas for the range: the most silhouette allows
            return max(1, high)
        for k in range(low, high + 1):
            labels = KMeans(k, n_init=1, random_state=self.random_state).fit_predict(Z)
            self.k_scores_[k] = _silhouette(Z, labels) if len(np.unique(labels)) > 1 else -1.0
        # Ties go to the smaller k: fewer clusters are easier to review.
        return max(self.k_scores_, key=lambda k: (self.k_scores_[k], -k))

    def _describe(self, docs, y, rest):
        self.cluster_terms_ = distinctive_terms(docs, self.labels_, self.n_clusters_, rest,
                                                self.n_top_terms, self.min_term_ideas)
        self.cluster_names_ = ["、".join(words[:3]) for words in self.cluster_terms_]
        k = self.n_clusters_
        self.cluster_themes_ = [None] * k
        self.cluster_theme_scores_ = np.zeros(k)
        targets = zero_shot_targets(self.themes or [])
        if not targets:
            return
        if y is None:
            y = ZeroShotThemeAssigner(self.themes).fit([]).predict(docs)
        other = next((t["code"] for t in self.themes if t.get("is_other")), None)
        for cluster in range(k):
            members = [y[row] for row in np.flatnonzero(self.labels_ == cluster)]
            votes = Counter(code for code in members if code is not None)
            if votes:
                code, count = min(votes.items(), key=lambda item: (-item[1], str(item[0])))
                share = count / len(members)
            else:
                code, share = None, 0.0
            self.cluster_theme_scores_[cluster] = share
            self.cluster_themes_[cluster] = code if share >= self.min_theme_score else other

    @single_native_thread
    def predict(self, docs):
        """Nearest cluster of each (segmented) document."""
        check_is_fitted(self, "model_")
        return self.model_.predict(normalize(self.svd_.transform(self.vectorizer_.transform(
            docs))))

    def summary(self):
        """Parameters and quality figures as plain JSON-ready values."""
        check_is_fitted(self, "model_")
        return {
            "params": {k: v for k, v in self.get_params().items() if k != "themes"},
            "n_clusters": self.n_clusters_,
            "silhouette": self.silhouette_,
            "inertia": self.inertia_,
            "sizes": self.sizes_.tolist(),
            "k_scores": {str(k): v for k, v in self.k_scores_.items()},
            "clusters": [
                {"name": name, "terms": terms, "theme": theme, "theme_score": float(score),
                 "size": int(size)}
                for name, terms, theme, score, size in zip(
                    self.cluster_names_, self.cluster_terms_, self.cluster_themes_,
                    self.cluster_theme_scores_, self.sizes_)
            ],
        }


def distinctive_terms(docs, labels, n_clusters, rest=None, n_terms=8, min_ideas=2):
    """Per cluster, the terms that set it apart from every other idea.

    Score of a term: ``p_in · log(p_in / p_out)`` over the share of ideas
    using it inside the cluster and outside it (the other clusters plus
    ``rest``), times the square root of its background weight, which keeps
    common and campaign-generic words (很多、每个、省里) out of the names.
    A term must be used by ``min_ideas`` of the cluster's ideas (fewer when
    the cluster is smaller).
    """
    docs = list(as_corpus(docs))
    rest = list(rest) if rest is not None else []
    counts, tokens = count_tokens(docs + rest)
    present = (counts > 0).astype(np.float64)
    weights = TermWeights()
    root_weight = np.sqrt([weights(token) for token in tokens])
    labels = np.asarray(labels)
    inside_all = np.zeros(len(docs) + len(rest), dtype=bool)
    total = np.asarray(present.sum(axis=0)).ravel()
    n_all = len(docs) + len(rest)
    terms = []
    for cluster in range(n_clusters):
        inside_all[:] = False
        inside_all[:len(docs)] = labels == cluster
        n_in = int(inside_all.sum())
        df_in = np.asarray(present[inside_all].sum(axis=0)).ravel()
        df_out = total - df_in
        p_in = (df_in + 0.5) / (n_in + 1)
        p_out = (df_out + 0.5) / (n_all - n_in + 1)
        score = p_in * np.log(p_in / p_out) * root_weight
        score[df_in < min(min_ideas, max(n_in, 1))] = -np.inf
        order = np.argsort(-score, kind="stable")
        terms.append([tokens[i] for i in order[:n_terms] if np.isfinite(score[i])])
    return terms


def match_clusters(previous, current, min_overlap=0.5):
    """Carry cluster ids and names over a rebuild, by member overlap.

    Parameters
    ----------
    previous : dict
        ``{cluster id: {"name": str, "members": iterable of idea ids}}`` of
        the last rebuild.
    current : list of iterable
        Member idea ids of each new cluster, in the new clusters' order.
    min_overlap : float
        Jaccard overlap at which a new cluster is "essentially the same" as
        an old one and keeps its id and name (each old id goes to at most one
        new cluster: the pairing maximises the total overlap).

    Returns
    -------
    dict
        ``{"clusters": [...], "removed": [old ids]}``; each entry of
        ``clusters`` (same order as ``current``) is ``{"id", "name",
        "status", "from"}``: ``id``/``name`` are the old ones when kept (else
        None: give it a new id and its new name), ``status`` is ``"same"``,
        ``"merged"`` (it holds most of the members of two or more old
        clusters), ``"split"`` (most of its members come from an old cluster
        that now lies in two or more new ones) or ``"new"``; ``from`` lists
        the old ids that contributed most of it.  ``removed`` are old ids
        that neither kept their identity nor went into a new cluster.
    """
    old_ids = list(previous)
    old = [set(previous[i]["members"]) for i in old_ids]
    new = [set(members) for members in current]
    overlap = np.array([[len(o & n) for n in new] for o in old], dtype=float).reshape(
        len(old), len(new))
    sizes_old = np.array([len(o) for o in old], dtype=float)
    sizes_new = np.array([len(n) for n in new], dtype=float)
    union = sizes_old[:, None] + sizes_new[None, :] - overlap
    jaccard = np.divide(overlap, union, out=np.zeros_like(overlap), where=union > 0)
    kept = {}
    if len(old) and len(new):
        rows, cols = linear_sum_assignment(-jaccard)
        kept = {col: row for row, col in zip(rows, cols) if jaccard[row, col] >= min_overlap}
    # An old cluster "went into" a new one when at least half its members did;
    # a new one "comes from" an old one when at least half its members do.
    went_into = overlap >= 0.5 * np.maximum(sizes_old[:, None], 1)
    comes_from = overlap >= 0.5 * np.maximum(sizes_new[None, :], 1)
    pieces = (overlap >= 0.25 * np.maximum(sizes_old[:, None], 1)) & comes_from
    clusters = []
    for col in range(len(new)):
        sources = [old_ids[row] for row in np.flatnonzero(went_into[:, col])]
        parents = np.flatnonzero(comes_from[:, col])
        if len(sources) >= 2:
            status = "merged"
        elif any(pieces[row].sum() >= 2 for row in parents):
            status = "split"
        elif col in kept:
            status = "same"
        else:
            status = "new"
        row = kept.get(col)
        clusters.append({"id": old_ids[row] if row is not None else None,
                         "name": previous[old_ids[row]]["name"] if row is not None else None,
                         "status": status,
                         "from": sorted({*sources, *(old_ids[r] for r in parents)}, key=str)})
    used = {entry_id for entry in clusters for entry_id in entry["from"]}
    used |= {entry["id"] for entry in clusters if entry["id"] is not None}
    return {"clusters": clusters, "removed": [i for i in old_ids if i not in used]}
