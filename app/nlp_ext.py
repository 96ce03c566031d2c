"""Wires the ``nlp`` library into the app: one jieba segmenter per process, the
similar-ideas index of each campaign, read from the artifact store every web node
shares (``NLP_ARTIFACT_DIR``; the instance folder when there is one node), and the
zero-shot theme model that suggests a theme while a citizen types."""
import hashlib
import json
import os
import threading

from app.artifacts import ArtifactStore


class SimilarIndex:
    """A fitted ``SimilarIdeas`` plus the highest idea id it has seen, so ideas
    submitted since the last rebuild (by any worker) are added, never refitted.
    Look-ups only read it; :meth:`catch_up` is the one step that adds."""

    def __init__(self, index, watermark):
        self.index, self.watermark = index, watermark
        self.lock = threading.Lock()

    def catch_up(self, rows):
        """Add ``(idea id, tokens)`` rows past the watermark, in id order."""
        with self.lock:
            rows = [(idea_id, tokens) for idea_id, tokens in rows if idea_id > self.watermark]
            if rows:
                self.index.add_many([idea_id for idea_id, _ in rows], [tokens for _, tokens in rows])
                self.watermark = rows[-1][0]

    def lookup(self, tokens, top_k=5, exclude=None):
        return self.index.lookup(tokens, top_k=top_k, exclude=exclude)

    def query(self, tokens, **kw):
        return self.index.query(tokens, **kw)


class NlpExtension:
    def __init__(self):
        self._segmenter = None
        self._indexes = {}
        self._theme_models = {}
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

    def save_models(self, campaign_id, models):
        self.artifacts.publish(f"models-{campaign_id}", models)

    def rebuild_models(self, campaign_id):
        """What the campaign's last rebuild fitted (``analysis_services.FittedModels``),
        for the updates after it; None before the first."""
        version = self.artifacts.newest(f"models-{campaign_id}")
        return None if version is None else self.artifacts.load(f"models-{campaign_id}", version)

    def theme_model(self, campaign_id, themes, threshold):
        """The campaign's zero-shot theme model, fitted once per process and
        again only when the themes change: it reads the theme texts alone, not
        the ideas, so a request never fits and never waits for a rebuild."""
        key = hashlib.sha256(json.dumps([themes, threshold], sort_keys=True, ensure_ascii=False)
                             .encode("utf-8")).hexdigest()
        cached = self._theme_models.get(campaign_id)
        if cached is None or cached[0] != key:
            self.segmenter  # the theme texts are segmented by the process's segmenter
            with self._lock:
                from nlp.zero_shot import ZeroShotThemeAssigner

                cached = self._theme_models.get(campaign_id)
                if cached is None or cached[0] != key:
                    cached = (key, ZeroShotThemeAssigner(themes, threshold=threshold).fit([]))
                    self._theme_models[campaign_id] = cached
        return cached[1]
