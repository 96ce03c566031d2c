"""Requests sent at the same moment, each by its own client (own session, own
database connection), for the races that only PostgreSQL lets happen."""
import threading

from app.extensions import db
from tests.factories import PASSWORD


def at_once(app, actions):
    """Runs every ``action(client, go)`` in a thread with a client of its own; each
    calls ``go()`` when it is ready (signed in, say), and all then race. Returns
    what each action returned, in the order given."""
    results, barrier = [None] * len(actions), threading.Barrier(len(actions))

    def run(n, action):
        with app.test_client() as client:
            results[n] = action(client, barrier.wait)

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # The threads committed through other connections: read afresh.
    db.session.remove()
    return results


def post_at_once(app, requests):
    """``requests`` are (login name, path, form data); returns each response's
    status code, in the order given."""
    def signed_in_post(login, path, data):
        def action(client, go):
            client.post("/auth/login", data={"login": login, "password": PASSWORD})
            go()
            return client.post(path, data=data).status_code
        return action

    return at_once(app, [signed_in_post(*request) for request in requests])


def in_parallel(app, request, count=4):
    """``request(client)`` sent ``count`` times at once by visitors who have not signed in."""
    def action(client, go):
        go()
        return request(client)

    return at_once(app, [action] * count)
