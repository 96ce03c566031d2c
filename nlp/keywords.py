"""Top TF-IDF keywords of each idea, measured against the whole corpus."""
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .features import TokenTfidf, as_corpus


class KeywordExtractor(BaseEstimator):
    """The words that set each idea apart from the others.

    Parameters
    ----------
    top_n : int
        Keywords returned per idea.
    min_df, max_df : int or float
        Word document-frequency limits; ``max_df`` drops words that almost
        every idea uses and so describe none of them.
    """

    def __init__(self, top_n=8, min_df=1, max_df=0.5):
        self.top_n = top_n
        self.min_df = min_df
        self.max_df = max_df

    def fit(self, docs, y=None):
        self.vectorizer_ = TokenTfidf(min_df=self.min_df, max_df=self.max_df)
        self.vectorizer_.fit(docs)
        return self

    def extract(self, docs):
        """For each segmented idea, ``[(word, weight), ...]`` best first."""
        check_is_fitted(self, "vectorizer_")
        X = self.vectorizer_.transform(docs)
        terms = self.vectorizer_.terms_
        keywords = []
        for row in range(X.shape[0]):
            start, end = X.indptr[row], X.indptr[row + 1]
            cols, weights = X.indices[start:end], X.data[start:end]
            # Ties break on the word itself so the output is reproducible.
            order = sorted(range(len(cols)), key=lambda i: (-weights[i], terms[cols[i]]))
            keywords.append([(terms[cols[i]], float(weights[i])) for i in order[:self.top_n]])
        return keywords

    def fit_extract(self, docs):
        docs = as_corpus(docs)
        return self.fit(docs).extract(docs)
