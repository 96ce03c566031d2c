"""Workflow states, one way for every stateful concept (idea, round, public vote,
announcement, finalist entry, objection, text-analysis job).

A concept's states are a ``WorkflowState`` enum; ``legal_moves`` attaches the one
table of moves it allows. Services change a state only through ``move``, which
refuses anything else with ``IllegalTransition`` and logs what it did."""
import enum
import logging
from functools import cache

from sqlalchemy import Enum

from app.errors import Refused

log = logging.getLogger("xiance.workflow")


class IllegalTransition(Refused):
    """A state change the workflow does not allow, with a message for the user."""


class WorkflowState(enum.Enum):
    """Members' values are what the database stores; ``labels`` gives the Chinese names."""

    @property
    def label(self):
        return type(self)._labels[self]

    def can_become(self, other):
        return other in type(self)._moves[self]


def legal_moves(states, moves, labels):
    """Attach the table of legal moves (state → states it may become) and the labels.
    Every state is listed, a final one with no moves."""
    if set(moves) != set(states) or set(labels) != set(states):
        raise ValueError(f"{states.__name__}: every state needs its moves and its label")
    states._moves = {state: frozenset(targets) for state, targets in moves.items()}
    states._labels = dict(labels)
    return states


@cache
def _refusal(error):
    # A domain's callers catch its own error (VotingError, ScreeningError …);
    # IllegalTransition catches every refused move, whatever the domain.
    if issubclass(error, IllegalTransition):
        return error
    return type(f"Illegal{error.__name__}", (IllegalTransition, error), {})


def move(obj, target, *, attribute="state", error=IllegalTransition, message=None):
    """Set ``obj.<attribute>`` to ``target`` if the current state may become it;
    otherwise raise ``error`` (made an IllegalTransition too) with ``message``."""
    current = getattr(obj, attribute)
    if not current.can_become(target):
        raise _refusal(error)(message or f"当前状态为“{current.label}”，不能变为“{target.label}”")
    setattr(obj, attribute, target)
    log.info("%s %s %s: %s → %s", type(obj).__name__, getattr(obj, "id", None), attribute,
             current.value, target.value)


def enum_column(states, name, length=20, check=True):
    """The column type of every enum: stored as its value in a string column, with a
    named CHECK constraint (SQLite batch migrations need the name)."""
    return Enum(states, native_enum=False, length=length, create_constraint=check, name=name)
