"""Requests sent at the same moment, each by its own client (own session, own
database connection), for the races that only PostgreSQL lets happen."""
import threading

from app.extensions import db
from tests.factories import PASSWORD


def post_at_once(app, requests):
    """``requests`` are (login name, path, form data); returns each response's
    status code, in the order given."""
    statuses, barrier = [None] * len(requests), threading.Barrier(len(requests))

    def send(n, login, path, data):
        with app.test_client() as client:
            client.post("/auth/login", data={"login": login, "password": PASSWORD})
            barrier.wait()
            statuses[n] = client.post(path, data=data).status_code

    threads = [threading.Thread(target=send, args=(n, *request)) for n, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # The threads committed through other connections: read afresh.
    db.session.remove()
    return statuses
