"""Wires the ``nlp`` library into the app: one jieba segmenter per process and
the similar-ideas index of each campaign, read from the artifact store every
web node shares (``NLP_ARTIFACT_DIR``; the instance folder when there is one node)."""
import os
import threading

from app.artifacts import ArtifactStore


class SimilarIndex:
    """A fitted ``SimilarIdeas`` plus the highest idea id it has seen, so ideas
    submitted since the last rebuild (by any worker) are added, never refitted."""

    def __init__(self, index, watermark):
        self.index, self.watermark = index, watermark
        self.lock = threading.Lock()


class NlpExtension:
    def __init__(self):
        self._segmenter = None
        self._indexes = {}
        self._lock = threading.Lock()
        self.cache_dir = None
        self.artifacts = None

    def init_app(self, app):
        app.extensions["nlp"] = self
        self.cache_dir = os.path.join(app.instance_path, "nlp")
        self.artifacts = ArtifactStore(app.config.get("NLP_ARTIFACT_DIR") or self.cache_dir)
        if app.config.get("NLP_PRELOAD"):
            # gunicorn --preload: load jieba before forking so workers share it.
            self.segmenter

    @property
    def segmenter(self):
        """Built once per process (jieba's dictionary takes about a second), then read-only."""
        if self._segmenter is None:
            with self._lock:
                if self._segmenter is None:
                    from nlp.segmenter import Segmenter, set_default_segmenter

                    segmenter = Segmenter(cache_dir=self.cache_dir)
                    set_default_segmenter(segmenter)
                    self._segmenter = segmenter
        return self._segmenter

    def similar_index(self, campaign_id):
        """The campaign's index as the last rebuild published it, or None before any rebuild;
        reloaded when any node's worker publishes a newer version."""
        name = f"similar-{campaign_id}"
        version = self.artifacts.newest(name)
        if version is None:
            return None
        cached = self._indexes.get(campaign_id)
        if cached is None or cached[0] != version:
            with self._lock:
                index, watermark = self.artifacts.load(name, version)
                cached = (version, SimilarIndex(index, watermark))
                self._indexes[campaign_id] = cached
        return cached[1]

    def save_index(self, campaign_id, index, watermark):
        self.artifacts.publish(f"similar-{campaign_id}", (index, watermark))
