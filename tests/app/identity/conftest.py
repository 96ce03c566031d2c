"""Fixtures for the identity tests: the console provider's outbox, and a clock."""
import logging
from datetime import datetime

import pytest

from app.identity import sms

T0 = datetime(2026, 9, 1, 10, 0, 0)


class Outbox:
    """The codes the console provider wrote to the log, newest last."""

    def __init__(self, caplog):
        self._caplog = caplog

    def codes(self, phone=None):
        return [r.args[2] for r in self._caplog.records
                if r.name == sms.__name__ and (phone is None or r.args[0] == phone)]

    def last(self, phone=None):
        found = self.codes(phone)
        assert found, f"no code sent to {phone}"
        return found[-1]


@pytest.fixture
def outbox(caplog):
    caplog.set_level(logging.WARNING, logger=sms.__name__)
    return Outbox(caplog)


@pytest.fixture
def limits(app, monkeypatch):
    """Set the send limits for one test; the app's config comes back afterwards."""
    def set_limits(**values):
        for key, value in values.items():
            monkeypatch.setitem(app.config, key, value)
    return set_limits


def signed_in_as(client):
    """The account a session belongs to (its id is "user id.session version.nonce")."""
    with client.session_transaction() as session:
        value = session.get("_user_id")
    return value.split(".")[0] if value else value
