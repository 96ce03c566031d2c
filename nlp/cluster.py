"""Group ideas into clusters, name each cluster and map it to a theme.

TF-IDF of the words → LSA (TruncatedSVD, then unit length) → k-means.  LSA
merges words used for the same thing (拖欠 / 欠薪 / 讨薪), which k-means on raw
TF-IDF cannot; on large corpora the SVD is fitted on a sample and
MiniBatchKMeans replaces KMeans, so a rebuild stays fast.
"""
import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from .features import TokenTfidf, as_corpus, single_native_thread
from .themes import theme_document, zero_shot_targets


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
        When given, each cluster gets its nearest theme.
    min_theme_score : float
        Below this cosine a cluster maps to the catch-all theme (or None).
    n_top_terms : int
        Terms kept to describe each cluster.
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
        Top terms of each cluster, from its centroid mapped back to words.
    cluster_names_ : list of str
        The first three terms joined by "、".
    cluster_themes_ : list of str or None
        Nearest theme code of each cluster (None without themes).
    cluster_theme_scores_ : ndarray
        Cosine between each cluster and its theme.
    sizes_ : ndarray of int
    inertia_ : float
    silhouette_ : float or None
        Silhouette on a sample of the LSA vectors (None with one cluster).
    k_scores_ : dict
        Silhouette of each k tried (empty when ``n_clusters`` was given).
    """

    def __init__(self, n_clusters=None, k_range=(4, 16), n_components=100, min_df=2,
                 max_df=0.5, themes=None, min_theme_score=0.1, n_top_terms=8,
                 sample_size=2000, svd_sample_size=10000, minibatch_above=10000,
                 random_state=0):
        self.n_clusters = n_clusters
        self.k_range = k_range
        self.n_components = n_components
        self.min_df = min_df
        self.max_df = max_df
        self.themes = themes
        self.min_theme_score = min_theme_score
        self.n_top_terms = n_top_terms
        self.sample_size = sample_size
        self.svd_sample_size = svd_sample_size
        self.minibatch_above = minibatch_above
        self.random_state = random_state

    @single_native_thread
    def fit(self, docs, y=None):
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
        self._describe()
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

    def _describe(self):
        centroids = normalize(self.model_.cluster_centers_)
        term_weights = centroids @ self.svd_.components_
        terms = self.vectorizer_.terms_
        self.cluster_terms_ = [list(terms[np.argsort(-row, kind="stable")[:self.n_top_terms]])
                               for row in term_weights]
        self.cluster_names_ = ["、".join(words[:3]) for words in self.cluster_terms_]
        self.cluster_themes_ = [None] * len(centroids)
        self.cluster_theme_scores_ = np.zeros(len(centroids))
        targets = zero_shot_targets(self.themes or [])
        if not targets:
            return
        theme_vectors = normalize(self.svd_.transform(
            self.vectorizer_.transform([theme_document(theme) for theme in targets])))
        similarity = centroids @ theme_vectors.T
        best = similarity.argmax(axis=1)
        self.cluster_theme_scores_ = similarity[np.arange(len(best)), best]
        other = next((t["code"] for t in self.themes if t.get("is_other")), None)
        self.cluster_themes_ = [targets[b]["code"] if score >= self.min_theme_score else other
                                for b, score in zip(best, self.cluster_theme_scores_)]

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
