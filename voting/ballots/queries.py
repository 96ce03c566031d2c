"""Reads for the public vote."""
from sqlalchemy import exists, func, select

from app.extensions import db
from voting.ballots.models import PublicVote, VoidedVote, VoteVoid


def is_voided():
    """SQL condition: the vote sits in a void that has not been restored."""
    return exists().where(VoidedVote.vote_id == PublicVote.id, VoidedVote.void_id == VoteVoid.id,
                          VoteVoid.restored_at.is_(None))


def vote_totals(round_, include_voided=False):
    """Votes per idea id in a round: withdrawn votes never count; voided ones
    only when asked, so staff can compare the result with and without them."""
    query = (select(PublicVote.idea_id, func.count()).where(PublicVote.round_id == round_.id,
                                                            PublicVote.withdrawn_at.is_(None))
             .group_by(PublicVote.idea_id))
    if not include_voided:
        query = query.where(~is_voided())
    return dict(db.session.execute(query).all())
