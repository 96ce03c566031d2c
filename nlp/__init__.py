"""Text mining for the ideas platform: segmentation, themes, clusters, duplicates.

A plain library (no Flask).  Import what you need from the submodules:

* :mod:`nlp.segmenter` – ``Segmenter``, ``set_default_segmenter``,
  ``segment_many``, ``tokenize``, ``split_tokens``
* :mod:`nlp.features` – ``TokenCorpus`` (count tokens once for several
  models), ``TokenTfidf``
* :mod:`nlp.themes` – ``ThemeAssigner`` (``analyse`` → ``ThemeResult``) and the two
  assigners it chooses from
* :mod:`nlp.cluster` – ``IdeaClusterer``, ``match_clusters``, ``distinctive_terms``
* :mod:`nlp.gate` – the off-topic gate; :mod:`nlp.calibration` – ``staff_load``,
  reliability and ECE; :mod:`nlp.background` – term weights from outside the campaign
* :mod:`nlp.similar` – ``SimilarIdeas``
* :mod:`nlp.keywords` – ``KeywordExtractor``
* :mod:`nlp.heat` – ``heat_index`` (热度指数 of a topic); :mod:`nlp.summarize` – representative
  ideas and sentences (centrality + MMR)
* :mod:`nlp.evaluate` – ``python -m nlp.evaluate --help``

Nothing is imported here, so worker processes that only segment text stay light.
"""
