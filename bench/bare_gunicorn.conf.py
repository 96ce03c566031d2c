"""The framework floor for ``make load --capacity``: deploy/gunicorn.conf.py's
settings unchanged, serving a Flask app with one page that does nothing."""
from pathlib import Path

exec((Path(__file__).resolve().parents[1] / "deploy" / "gunicorn.conf.py").read_text(encoding="utf-8"))
wsgi_app = "bench.bare_app:app"
del post_fork  # noqa: F821 - defined by the file above; it disposes the site's database pool
