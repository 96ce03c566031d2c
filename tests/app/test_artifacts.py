"""Fitted indexes in a directory every web node reads: published whole, read
newest-first, reloaded by the other nodes when a new version appears."""
import os

import joblib
import pytest
from flask import Flask

from app import artifacts
from app.artifacts import ArtifactStore
from app.nlp_ext import NlpExtension
from nlp.similar import SimilarIdeas

DOCS = ["园区 招商 政区 分设", "农村 电商 物流 快递", "长株潭 一体化 交通 地铁", "园区 管委会 招商 服务"]


def node(directory):
    """One web node: its own extension (its own loaded indexes), the shared directory."""
    site = Flask(__name__, instance_path=str(directory.parent / f"instance-{id(directory)}"))
    site.config["NLP_ARTIFACT_DIR"] = str(directory)
    extension = NlpExtension()
    extension.init_app(site)
    return extension


def test_a_version_published_by_one_node_is_read_by_the_other(tmp_path):
    shared = tmp_path / "artifacts"
    writer, reader = node(shared), node(shared)
    assert reader.similar_index(1) is None
    writer.save_index(1, SimilarIdeas(min_score=0.0).fit(DOCS[:2], [10, 11]), watermark=11)
    first = reader.similar_index(1)
    assert first.watermark == 11 and first.index.query(DOCS[0])[0][0] == 10
    assert reader.similar_index(1) is first  # unchanged: not loaded again
    writer.save_index(1, SimilarIdeas(min_score=0.0).fit(DOCS, [10, 11, 12, 13]), watermark=13)
    second = reader.similar_index(1)
    assert second is not first and second.watermark == 13
    assert second.index.query(DOCS[2])[0][0] == 12


def test_a_half_written_version_is_never_read(tmp_path):
    store = ArtifactStore(str(tmp_path))
    done = store.publish("similar-1", ("complete", 1))
    # A writer that died mid-file leaves a hidden temporary of a later version.
    (tmp_path / ".similar-1.99999999999999999999-00000000.tmp").write_bytes(b"\x80\x04 truncated")
    assert store.newest("similar-1") == done
    assert store.load("similar-1", done) == ("complete", 1)


def test_a_failed_write_leaves_nothing_behind(tmp_path, monkeypatch):
    store = ArtifactStore(str(tmp_path))
    store.publish("similar-1", "old")

    def interrupted(value, handle):
        handle.write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(artifacts.joblib, "dump", interrupted)
    with pytest.raises(OSError):
        store.publish("similar-1", "new")
    assert store.load("similar-1", store.newest("similar-1")) == "old"
    assert [name for name in os.listdir(tmp_path) if name.startswith(".")] == []


def test_versions_sort_by_age_and_only_the_last_few_are_kept(tmp_path):
    store = ArtifactStore(str(tmp_path))
    versions = [store.publish("similar-1", n) for n in range(artifacts.KEEP_VERSIONS + 2)]
    assert versions == sorted(versions)
    assert store.load("similar-1", store.newest("similar-1")) == artifacts.KEEP_VERSIONS + 1
    kept = sorted(name for name in os.listdir(tmp_path) if name.startswith("similar-1."))
    assert kept == [f"similar-1.{v}.joblib" for v in versions[-artifacts.KEEP_VERSIONS:]]
    assert joblib.load(tmp_path / kept[0]) == 2
    assert store.newest("similar-2") is None
