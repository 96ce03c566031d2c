"""What every judging service starts with: the refusal type, the round's state
check and the row lock that serialises score saving against closing."""
from app.errors import Refused
from app.extensions import db
from app.locks import lock_row
from app.states import move
from voting.judging.models import Round


class VotingError(Refused):
    """A judging action refused, with a message for the user."""


def require_state(round_, *states):
    if round_.state not in states:
        raise VotingError(f"“{round_.name}”当前为{round_.state.label}，不能进行这个操作")


def lock_round(round_):
    """Serialise score saving against closing: both take the round's row lock
    and re-read its state under it."""
    lock_row(Round, round_.id)
    db.session.refresh(round_)


def move_to(round_, state):
    move(round_, state, error=VotingError,
         message=f"“{round_.name}”不能从{round_.state.label}变为{state.label}")
