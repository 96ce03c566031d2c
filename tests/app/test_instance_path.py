"""INSTANCE_PATH puts a second site on the same machine (the load bench's)
in a folder of its own: its SQLite file, jieba cache and NLP indexes."""
from app import create_app
from app.extensions import nlp


def test_instance_folder_comes_from_the_environment(monkeypatch, tmp_path):
    folder = tmp_path / "site"
    monkeypatch.setenv("INSTANCE_PATH", str(folder))
    # create_app points the shared extension at its folder; the other tests' app gets it back.
    monkeypatch.setattr(nlp, "cache_dir", nlp.cache_dir)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": None})
    assert app.instance_path == str(folder) and folder.is_dir()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{folder / 'xiance.sqlite'}"
    assert app.extensions["nlp"].cache_dir == str(folder / "nlp")
