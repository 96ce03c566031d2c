"""gunicorn settings for the production shape (``make serve``, ``make load``).

Every value can be overridden from the environment, so the same file serves a
laptop, the load bench and the province's servers."""
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Workers are processes: the jieba dictionary is loaded once in the master
# (preload) and shared copy-on-write.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# Threads let a worker keep serving while one request waits on the database.
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread"
preload_app = True
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak never becomes an outage.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 5000))
max_requests_jitter = 500
# Empty turns the access log off (gunicorn would take "" for a file name).
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# NLP_PRELOAD builds the jieba segmenter in create_app, so with preload_app the
# master loads the dictionary once, before forking.
wsgi_app = "app:create_app('production', {'NLP_PRELOAD': True})"
# Stopped by signals (deploy/serve.py); the control socket's default path is
# shared by every gunicorn of the user, so two instances would take each other's.
control_socket_disable = True


def post_fork(server, worker):
    # A connection pooled in the master before the fork would be inherited by
    # every worker, all talking over one socket. dispose(close=False) gives the
    # worker an empty pool and leaves the master's sockets alone.
    from app.extensions import db

    app = server.app.wsgi()
    with app.app_context():
        db.engine.dispose(close=False)
