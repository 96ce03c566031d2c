"""The public vote's part in a judging round: the published blend of expert and
public scores, and the vote's rules on the round's pool, settings and closing.
The judging calls these through ``voting.judging.outcome.PublicPart``; this
package registers them when the app is wired, so the judging never imports the vote."""
from dataclasses import dataclass

from app.timeutil import now
from voting.ballots.blend import BlendedKeys, blend_round, public_parts
from voting.ballots.queries import vote_totals, vote_version
from voting.ballots.services import vote_window_problem
from voting.judging.guards import VotingError
from voting.judging.outcome import PublicPart, expert_scores, outcome_of


class PublicVotePart(PublicPart):
    def blend(self, round_, rubric, calibrated, keys, include_voided):
        if not round_.public_vote:
            return None
        parts = blend_round(calibrated, vote_totals(round_, include_voided), lowest=rubric.min_total,
                            highest=rubric.max_total, expert_weight=round_.expert_weight)
        return parts, {i: BlendedKeys(parts[i].blended, k) for i, k in keys.items()}

    def pool_change_problem(self, round_):
        if round_.blend_published_at is not None:
            return "公众投票的计分办法已经公布，本轮评审池不能再改变"
        return None

    def update_problem(self, round_):
        if round_.blend_published_at is None:
            return None
        problem = vote_window_problem(round_, round_.vote_opens_at, round_.vote_closes_at)
        return f"公众投票时间已公布：{problem[1]}" if problem else None

    def close_problem(self, round_):
        if not round_.public_vote:
            return None
        if round_.blend_published_at is None:
            return "本轮开启了公众投票但计分办法尚未公布：请先公布计分办法，或关闭公众投票"
        if now() < round_.vote_closes_at:
            return f"公众投票尚未结束（{round_.vote_closes_at:%Y-%m-%d %H:%M} 截止），不能截止本轮"
        return None


    def version(self, round_):
        if not round_.public_vote:
            return None
        return vote_version(round_)


def init_app(app):
    app.extensions["public_part"] = PublicVotePart()


@dataclass
class VoteEffect:
    """A round's result with and without the voided votes, for the fraud screen.
    Without complete expert scores only the public side can be shown."""

    rows: list
    expert_ready: bool


def vote_effect(round_):
    """Calibration runs once; only the blend is computed for both vote counts."""
    seed = round_.tie_seed if round_.tie_seed is not None else 0
    pool = [e.idea for e in round_.entries]
    try:
        scores = expert_scores(round_)
    except VotingError:
        outcomes = None
    else:
        outcomes = {flag: outcome_of(round_, scores, seed, include_voided=flag) for flag in (False, True)}
    rows = {idea.id: {"idea": idea} for idea in pool}
    for flag, suffix in ((False, "valid"), (True, "all")):
        if outcomes:
            for idea_id, parts in outcomes[flag].blend.items():
                rows[idea_id].update({f"votes_{suffix}": parts.votes, f"public_{suffix}": parts.public_part,
                                      f"blended_{suffix}": parts.blended,
                                      f"rank_{suffix}": outcomes[flag].ranking.rank[idea_id]})
        else:
            totals = vote_totals(round_, include_voided=flag)
            counts = {idea.id: totals.get(idea.id, 0) for idea in pool}
            for idea_id, public in public_parts(counts).items():
                rows[idea_id].update({f"votes_{suffix}": counts[idea_id], f"public_{suffix}": public})
    key = (lambda row: row["rank_valid"]) if outcomes else (lambda row: (-row["votes_valid"], row["idea"].id))
    return VoteEffect(sorted(rows.values(), key=key), outcomes is not None)
