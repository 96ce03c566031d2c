"""Running judging end to end through the real services: one round (prepare,
open, every assignment scored, close, finalize) for the dry run, and a whole
campaign with deterministic, seeded scores for the demo's finished campaign
and for tests that need a finalized final round."""
import random

from voting.judging import queries as voting_queries
from voting.judging.panels import prepare_round
from voting.judging.reviews import save_review
from voting.judging.rounds import close_round, create_default_rounds, finalize_round, open_round, update_round


def run_round(round_, staff, score, *, assign_seed=0, close_seed=None, before_close=None):
    """Prepare and open the round, submit ``score(assignment)`` ({criterion id: value})
    for every active assignment, run ``before_close(round_)`` if given (a public
    vote, say), then close and finalize it. Returns the closing outcome."""
    prepare_round(round_, staff, seed=assign_seed)
    open_round(round_, staff)
    for assignment in voting_queries.active_assignments(round_):
        save_review(assignment, assignment.reviewer, score(assignment), "", submit=True)
    if before_close is not None:
        before_close(round_)
    outcome = close_round(round_, staff, seed=close_seed)
    finalize_round(round_, staff)
    return outcome


def _score(quality, leniency, rng, low, high):
    return max(low, min(high, round(quality + leniency + rng.gauss(0, 0.7))))


def judge_campaign(campaign, staff, quality, advance, reviewers_per_idea, seed=0, final_vote=None):
    """Create the default rounds with the given advance counts and reviewers
    per idea (None: every reviewer), then run each. Every reviewer scores an
    idea around its ``quality`` (by idea id, on the 1–10 scale) with a leniency
    of their own and some noise. ``final_vote(round_)``, when given, runs a
    public vote in the open final round before it closes."""
    rounds = create_default_rounds(campaign, staff)
    for round_, count, k in zip(rounds, advance, reviewers_per_idea, strict=True):
        update_round(round_, staff, advance_count=count, reviewers_per_idea=k)
    rng = random.Random(seed)
    leniency = {}

    def score(assignment):
        bias = leniency.setdefault(assignment.reviewer_id, rng.uniform(-1.0, 1.0))
        return {c.id: _score(quality[assignment.idea_id], bias, rng, c.scale_min, c.scale_max)
                for c in assignment.round.criteria}

    for round_ in rounds:
        run_round(round_, staff, score, assign_seed=seed, close_seed=seed,
                  before_close=final_vote if round_ is rounds[-1] else None)
    return rounds
