"""Text mining for the ideas platform: segmentation, themes, clusters, duplicates.

A plain library (no Flask).  Import what you need from the submodules:

* :mod:`nlp.segmenter` – ``Segmenter``, ``set_default_segmenter``,
  ``segment_many``, ``tokenize``, ``split_tokens``
* :mod:`nlp.features` – ``TokenCorpus`` (count tokens once for several
  models), ``TokenTfidf``
* :mod:`nlp.themes` – ``ThemeAssigner`` and the two assigners it chooses from
* :mod:`nlp.cluster` – ``IdeaClusterer``
* :mod:`nlp.similar` – ``SimilarIdeas``
* :mod:`nlp.keywords` – ``KeywordExtractor``
* :mod:`nlp.evaluate` – ``python -m nlp.evaluate --help``

Nothing is imported here, so worker processes that only segment text stay light.
"""
