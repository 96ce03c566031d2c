"""Workflow states, one way for every stateful concept (idea, round, public vote,
announcement, finalist entry, objection, text-analysis job).

A concept's states are a ``WorkflowState`` enum made by ``workflow`` from its one
table: each state's label and the states it may become. Services change a state only through ``move``, which
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


def workflow(name, module, table, text=False):
    """The enum ``name`` of ``module`` from its table: stored value → (label, values it may
    become); a final state lists none. ``text`` makes the members strs whose str() is the value."""
    states = WorkflowState(name, [(value, value) for value in table], module=module, qualname=name,
                           type=str if text else None)
    if text:
        states.__str__ = str.__str__
    states._labels = {states(value): label for value, (label, _) in table.items()}
    states._moves = {states(value): frozenset(map(states, targets)) for value, (_, targets) in table.items()}
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
