"""The stages that hold personal data register a part here, so the kernel can
copy and erase an account without importing the stages above it (the same
shape as voting.judging.outcome.PublicPart)."""
from abc import ABC, abstractmethod

from flask import current_app

KEY = "privacy_parts"


class PersonalPart(ABC):
    """One stage's share of an account's personal data."""

    @abstractmethod
    def export(self, user):
        """{section title: [rows]} of what this stage holds about ``user``; a row is {label: value}."""

    @abstractmethod
    def erase(self, user):
        """Erase ``user``'s personal fields, keeping what published results need; flush."""

    def finished_campaigns(self, before):
        """Ids of campaigns whose results were announced before ``before`` (the stage that
        announces knows)."""
        return ()

    def expire(self, campaign_ids):
        """Erase the personal data of these finished campaigns that their published
        results do not need; {what (Chinese): rows changed}. Flush."""
        return {}


def register(app, part):
    app.extensions.setdefault(KEY, []).append(part)


def registered():
    return current_app.extensions.get(KEY, [])
