"""A bare Flask page: what gunicorn and Flask alone serve (``make load --capacity``)."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def page():
    return "ok"
