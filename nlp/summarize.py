"""Extractive summaries of a topic: its most representative ideas and sentences.

No language model writes anything: every line shown is one a citizen wrote.
Items (ideas, or sentences of them) become TF-IDF vectors of their jieba
tokens; an item's *centrality* is its cosine with the topic's centroid (the
mean of all items, each weighted, e.g. by 1 + its supporters); items are then
picked by maximal marginal relevance (Carbonell & Goldstein 1998)::

    next = argmax  (1 − λ) · centrality(i) − λ · max_{j picked} cos(i, j)

so the second pick says something the first did not, instead of repeating it
in other words. λ (``diversity``) = 0 is plain centrality, the medoid first.
Ties fall to the earlier item: the same input always gives the same summary.
"""
import re

import numpy as np

from .features import TokenTfidf

# A sentence ends at 。！？；, their half-width forms, or a line break.
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|\n+")


def split_sentences(text, min_chars=8):
    """The sentences of ``text`` in order, stripped, those shorter than
    ``min_chars`` (fragments such as “建议如下：”) left out."""
    parts = (part.strip(" \t\u3000") for part in _SENTENCE_END.split(text or ""))
    return [part for part in parts if len(part) >= min_chars]


def mmr(vectors, k, weights=None, diversity=0.3):
    """Row indices of ``vectors`` (unit-length rows, sparse or dense) picked by
    maximal marginal relevance against their weighted centroid, at most ``k``.
    All pairwise similarities are computed at once: meant for the few hundred
    items of one topic, not for a whole campaign."""
    n = vectors.shape[0]
    if n == 0 or k <= 0:
        return []
    weights = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    centroid = np.asarray(vectors.T @ weights).ravel()
    norm = np.linalg.norm(centroid)
    if norm == 0:
        return list(range(min(k, n)))
    centrality = np.asarray(vectors @ (centroid / norm)).ravel()
    similarity = vectors @ vectors.T
    similarity = similarity.toarray() if hasattr(similarity, "toarray") else np.asarray(similarity)
    picked, closest = [], np.zeros(n)
    for _ in range(min(k, n)):
        score = (1 - diversity) * centrality - diversity * closest
        score[picked] = -np.inf
        best = int(np.argmax(score))
        picked.append(best)
        closest = np.maximum(closest, similarity[best])
    return picked


def representative(docs, k=3, weights=None, diversity=0.3):
    """Indices of the ``k`` segmented documents (space-joined tokens) that
    best represent them all, by :func:`mmr`. Documents without a token are never picked."""
    docs = list(docs)
    usable = [n for n, doc in enumerate(docs) if doc.split()]
    if not usable:
        return []
    vectors = TokenTfidf().fit_transform([docs[n] for n in usable])
    chosen = mmr(vectors, k, None if weights is None else [weights[n] for n in usable], diversity)
    return [usable[n] for n in chosen]


def representative_sentences(texts, segment, k=3, weights=None, diversity=0.5, min_chars=8):
    """``[(text index, sentence)]``: the ``k`` sentences of ``texts`` that best
    represent them, by :func:`mmr` over the sentences' tokens. ``segment``
    turns a sentence into its space-joined tokens (``Segmenter.segment``);
    ``weights`` weigh each text (and so each of its sentences) in the centroid.
    A sentence repeated word for word is one item, its weights added."""
    items, where, item_weights = {}, [], []
    for n, text in enumerate(texts):
        for sentence in split_sentences(text, min_chars):
            if sentence in items:
                item_weights[items[sentence]] += 1.0 if weights is None else weights[n]
                continue
            items[sentence] = len(where)
            where.append((n, sentence))
            item_weights.append(1.0 if weights is None else float(weights[n]))
    docs = [segment(sentence) for _, sentence in where]
    return [where[n] for n in representative(docs, k, item_weights, diversity)]
