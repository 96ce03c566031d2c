"""Reads for the public vote."""
import hashlib
import random
from dataclasses import dataclass

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.campaigns.models import Campaign
from app.extensions import db
from app.timeutil import now
from ideas.models import Idea
from voting.ballots import fraud
from voting.ballots.models import PublicVote, VoidedVote, VoteVoid
from voting.judging.models import Round, RoundEntry, RoundState

# How many votes the screen lists for one selection: enough to pick from,
# small enough for a phone.
VOTE_LIST_LIMIT = 200
BALLOT_PAGE_SIZE = 50


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


def vote_version(round_):
    """Changes whenever the votes that count change: cast, withdrawn, voided or restored."""
    votes = db.session.execute(
        select(func.count(PublicVote.id), func.max(PublicVote.id), func.count(PublicVote.withdrawn_at),
               func.max(PublicVote.withdrawn_at)).where(PublicVote.round_id == round_.id)).one()
    voids = db.session.execute(
        select(func.count(VoteVoid.id), func.max(VoteVoid.id), func.count(VoteVoid.restored_at),
               func.max(VoteVoid.restored_at)).where(VoteVoid.round_id == round_.id)).one()
    return tuple(votes) + tuple(voids)


# --- The public pages ----------------------------------------------------------------------

def _votable(at):
    return (Round.public_vote, Round.blend_published_at.is_not(None), Round.vote_opens_at <= at,
            Round.vote_closes_at > at, Round.state.in_((RoundState.draft, RoundState.open)))


def any_vote_open():
    """For the navigation link: is a public vote of the current campaign open right now?"""
    current = select(Campaign.id).where(Campaign.is_current)
    return db.session.scalar(select(exists().where(Round.campaign_id.in_(current), *_votable(now()))))


def published_votes(campaign):
    """Rounds of the campaign whose public vote has been announced, in order."""
    return db.session.scalars(
        select(Round).where(Round.campaign_id == campaign.id, Round.public_vote,
                            Round.blend_published_at.is_not(None)).order_by(Round.position)).all()


def ballot_seed(round_, voter_key):
    """The seed of one voter's order in one round: the same voter sees the same order
    on every visit and page, and the order can be rebuilt from (round, voter) alone."""
    return int.from_bytes(hashlib.sha256(f"ballot:{round_.id}:{voter_key}".encode()).digest()[:8], "big")


def ballot_order(round_, voter_key):
    """The round's idea ids in this voter's order: the first cards must not always
    be the same ideas (they get the votes)."""
    ids = sorted(db.session.scalars(select(RoundEntry.idea_id).where(RoundEntry.round_id == round_.id)))
    random.Random(ballot_seed(round_, voter_key)).shuffle(ids)
    return ids


def ballot_page(round_, page, voter_key, per_page=BALLOT_PAGE_SIZE):
    order = ballot_order(round_, voter_key)
    positions = {idea_id: n for n, idea_id in enumerate(order)}
    position = case(positions, value=Idea.id, else_=len(order)) if positions else Idea.id
    stmt = (select(Idea).join(RoundEntry, RoundEntry.idea_id == Idea.id)
            .where(RoundEntry.round_id == round_.id)
            .options(selectinload(Idea.theme)).order_by(position, Idea.id))
    # Clamped: an absurd page number in the address must not overflow the OFFSET.
    return db.paginate(stmt, page=min(max(page or 1, 1), 100000), per_page=per_page, error_out=False)


def in_ballot(round_, idea):
    return db.session.scalar(select(exists().where(RoundEntry.round_id == round_.id,
                                                   RoundEntry.idea_id == idea.id)))


def voted_idea_ids(round_, user):
    """Ideas the user's active votes in this round are for."""
    if not user.is_authenticated:
        return set()
    return set(db.session.scalars(select(PublicVote.idea_id).where(
        PublicVote.round_id == round_.id, PublicVote.user_id == user.id, PublicVote.withdrawn_at.is_(None))))


def vote_of(round_, idea, user):
    return db.session.scalar(select(PublicVote).where(
        PublicVote.round_id == round_.id, PublicVote.idea_id == idea.id, PublicVote.user_id == user.id))


# --- The fraud screen ---------------------------------------------------------------------

def _active_votes(round_):
    return (select(PublicVote, User.created_at, is_voided().label("voided"))
            .join(User, User.id == PublicVote.user_id)
            .where(PublicVote.round_id == round_.id, PublicVote.withdrawn_at.is_(None)))


def vote_records(round_):
    return [fraud.VoteRecord(vote.id, vote.idea_id, vote.user_id, created, vote.created_at, vote.network,
                             vote.user_agent, bool(voided))
            for vote, created, voided in db.session.execute(_active_votes(round_).order_by(PublicVote.id))]


@dataclass
class Screen:
    records: list
    timelines: dict
    networks: list
    user_agents: list
    new_accounts: dict
    registration_bursts: list
    quick_votes: list
    rapid_runs: list
    withdrawn: int

    @property
    def voided(self):
        return sum(r.voided for r in self.records)

    @property
    def voters(self):
        return len({r.user_id for r in self.records})


def screen(round_):
    """Everything the fraud screen flags, from the round's active votes."""
    records = vote_records(round_)
    end = min(now(), round_.vote_closes_at)
    withdrawn = db.session.scalar(select(func.count()).select_from(PublicVote).where(
        PublicVote.round_id == round_.id, PublicVote.withdrawn_at.is_not(None)))
    return Screen(
        records=records,
        timelines=fraud.timelines(records, [e.idea_id for e in round_.entries], round_.vote_opens_at, end),
        networks=fraud.crowded(records, "network"),
        user_agents=fraud.crowded(records, "user_agent"),
        new_accounts=_by_size(fraud.new_single_idea_voters(records, round_.vote_opens_at)),
        registration_bursts=fraud.registration_bursts(records),
        quick_votes=_by_size(fraud.quick_votes(records)),
        rapid_runs=fraud.rapid_runs(records),
        withdrawn=withdrawn)


def _by_size(groups):
    return sorted(groups.values(), key=lambda group: (-len(group.accounts), group.key))


def _flagged(records, kind, value):
    """The group a screen rule named ``value``, found among all the round's active votes."""
    if kind == "registration_burst":
        return next((g for g in fraud.registration_bursts(records) if g.key == value), None)
    if kind == "quick_votes":
        return fraud.quick_votes(records).get(value)
    return next((g for g in fraud.rapid_runs(records) if g.key == value), None)


def votes_for_selection(round_, kind, value):
    """Active, not yet voided votes of the round that a selection on the screen
    names: a network, a user agent, an idea's new single-idea accounts, a group
    another rule flagged (registration burst, quick votes, rapid run), or ids."""
    everything = vote_records(round_)
    records = [r for r in everything if not r.voided]
    if kind in ("registration_burst", "quick_votes", "rapid_run"):
        # The group as the screen showed it (voided votes help make a burst), less what is already voided.
        group = _flagged(everything, kind, value)
        open_ids = {r.id for r in records}
        ids = [i for i in group.vote_ids if i in open_ids] if group else []
    elif kind == "network":
        ids = [r.id for r in records if r.network == value]
    elif kind == "user_agent":
        ids = [r.id for r in records if r.user_agent == value]
    elif kind == "new_accounts":
        group = fraud.new_single_idea_voters(records, round_.vote_opens_at).get(value)
        ids = group.vote_ids if group else []
    else:
        wanted = set(value)
        ids = [r.id for r in records if r.id in wanted]
    if not ids:
        return []
    return db.session.scalars(select(PublicVote).where(PublicVote.id.in_(ids)).order_by(PublicVote.id)).all()


def listed_votes(round_, network=None, user_agent=None, idea_id=None):
    """Votes for the screen's detail list, newest first, so staff can pick ids."""
    query = _active_votes(round_).options(selectinload(PublicVote.user)).order_by(PublicVote.id.desc())
    if network:
        query = query.where(PublicVote.network == network)
    if user_agent:
        query = query.where(PublicVote.user_agent == user_agent)
    if idea_id:
        query = query.where(PublicVote.idea_id == idea_id)
    return db.session.execute(query.limit(VOTE_LIST_LIMIT)).all()


def voids_of(round_):
    sizes = dict(db.session.execute(
        select(VoidedVote.void_id, func.count()).join(VoteVoid, VoteVoid.id == VoidedVote.void_id)
        .where(VoteVoid.round_id == round_.id).group_by(VoidedVote.void_id)).all())
    voids = db.session.scalars(
        select(VoteVoid).where(VoteVoid.round_id == round_.id)
        .options(selectinload(VoteVoid.created_by), selectinload(VoteVoid.restored_by))
        .order_by(VoteVoid.id.desc())).all()
    return [(void, sizes.get(void.id, 0)) for void in voids]
