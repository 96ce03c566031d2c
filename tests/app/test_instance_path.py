"""INSTANCE_PATH puts a second site on the same machine (the load bench's)
in a folder of its own: its SQLite file, jieba cache, NLP indexes and secret key."""
import os
import stat

from app import create_app
from app.extensions import nlp
from config import Config


def test_instance_folder_comes_from_the_environment(monkeypatch, tmp_path):
    folder = tmp_path / "site"
    monkeypatch.setenv("INSTANCE_PATH", str(folder))
    # create_app points the shared extension at its folder; the other tests' app gets it back.
    monkeypatch.setattr(nlp, "cache_dir", nlp.cache_dir)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": None})
    assert app.instance_path == str(folder) and folder.is_dir()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{folder / 'xiance.sqlite'}"
    assert app.extensions["nlp"].cache_dir == str(folder / "nlp")


def test_a_site_without_a_secret_key_makes_its_own(monkeypatch, tmp_path):
    """No key that signs sessions lies in the repository: a development site makes
    one on first run, readable by its owner alone, and keeps it."""
    monkeypatch.setattr(nlp, "cache_dir", nlp.cache_dir)

    def site(folder):
        monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / folder))
        return create_app("development", {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": None})

    key = site("one").config["SECRET_KEY"]
    path = tmp_path / "one" / "secret_key"
    assert len(key) == 64 and path.read_text() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list((tmp_path / "one").glob("secret_key.*")) == []
    assert site("one").config["SECRET_KEY"] == key
    assert site("two").config["SECRET_KEY"] not in (key, None)
    assert Config.SECRET_KEY in (None, os.environ.get("SECRET_KEY"))
