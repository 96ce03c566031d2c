"""Reviewer diagnostics and the ideas whose side of the cut is least certain, read
from an open round's submitted reviews (nothing is written). Staff act on them from
the round page: an extra review (`panels.add_extra_reviews`) or a request to
revisit (`reviews.ask_to_revisit`)."""
from collections import Counter
from dataclasses import dataclass, field

from voting.judging import queries
from voting.judging.estimators import ESTIMATORS
from voting.judging.guards import VotingError
from voting.judging.outcome import cached, expert_scores
from voting.judging.scale_offset import CUT_UNCERTAINTY, cut_uncertainty, fit_scale_offset

# A reviewer is flagged when their fitted scale is below this (they use a narrow band
# of the scale), more than this share of their marks sit at the scale's two ends,
# their leniency exceeds this many points, or more than this share of their sheets
# give one mark on every criterion.
COMPRESSED_SCALE = 0.6
EXTREME_SHARE = 0.6
OFFSET_POINTS = 2.0
STRAIGHT_LINE_SHARE = 0.5


@dataclass
class ReviewerFinding:
    reviewer_id: int
    sheets: int
    scale: float
    offset: float
    extreme_share: float
    straight_share: float
    flags: list = field(default_factory=list)
    # Ideas that would change sides of the cut if this reviewer's sheets were left out.
    cut_changes: int = 0


@dataclass
class Diagnostics:
    findings: list
    """Flagged reviewers first, each with the effect on the cut."""
    uncertain: list
    """(idea id, score, SD, distance to the cut in SDs), most uncertain first."""
    cut: float


def diagnostics(round_, stamp=None, stale_ok=False):
    """None until every idea of the pool has a submitted review. Kept until the
    round's reviews change, like the provisional ranking (and, like it, the earlier
    result for a page while the new one is computed, with ``stale_ok``)."""
    return cached(round_, "diagnostics", _diagnostics, stamp, stale_ok)


def _diagnostics(round_):
    try:
        scores = expert_scores(round_)
    except VotingError:
        return None
    n_advance = min(round_.advance_count, len(scores.quality))
    advancing = _top(scores.quality, n_advance)
    fit = fit_scale_offset(scores.totals)
    at_cut = cut_uncertainty(scores.totals, n_advance, method=CUT_UNCERTAINTY, fit=fit, seed=round_.id)

    low, high = _scale_ends(scores.rubric)
    marks, extremes, sheets, straight = Counter(), Counter(), Counter(), Counter()
    for review in scores.reviews:
        if not isinstance(review.reviewer_id, int):
            continue  # carried over from the previous round: diagnosed there
        values = list(review.scores.values())
        sheets[review.reviewer_id] += 1
        marks[review.reviewer_id] += len(values)
        extremes[review.reviewer_id] += sum(1 for n, v in review.scores.items() if v in (low[n], high[n]))
        straight[review.reviewer_id] += len(values) > 1 and len(set(values)) == 1
    findings = []
    for reviewer in sheets:
        finding = ReviewerFinding(reviewer, sheets[reviewer], fit.scale[reviewer], fit.offset[reviewer],
                                  extremes[reviewer] / marks[reviewer], straight[reviewer] / sheets[reviewer])
        if finding.scale < COMPRESSED_SCALE:
            finding.flags.append("压缩分数范围")
        if finding.extreme_share > EXTREME_SHARE:
            finding.flags.append("多打最高、最低分")
        if abs(finding.offset) > OFFSET_POINTS:
            finding.flags.append("明显偏宽" if finding.offset > 0 else "明显偏严")
        if finding.straight_share > STRAIGHT_LINE_SHARE:
            finding.flags.append("各项同分")
        if finding.flags:
            finding.cut_changes = _cut_changes(scores, reviewer, advancing, n_advance)
        findings.append(finding)
    findings.sort(key=lambda f: (not f.flags, -f.cut_changes, f.reviewer_id))
    return Diagnostics(findings, at_cut.rows, at_cut.cut)


def _scale_ends(rubric):
    return ({c.name: c.min_score for c in rubric.criteria}, {c.name: c.max_score for c in rubric.criteria})


def _top(quality, n):
    return set(sorted(quality, key=lambda idea: (-quality[idea], idea))[:n])


def _cut_changes(scores, reviewer, advancing, n_advance):
    """Rank again by the published rule without the reviewer; ideas left with no review are left out."""
    rest = [t for t in scores.totals if t[0] != reviewer]
    if not rest:
        return 0
    quality = ESTIMATORS[scores.estimator](rest)
    kept = set(quality)
    return len((advancing & kept) ^ _top(quality, min(n_advance, len(quality))))


# The round page lists this many of the ideas whose side of the cut is least certain.
UNCERTAIN_SHOWN = 10


def most_uncertain(found):
    """The first ``UNCERTAIN_SHOWN`` of ``found.uncertain``, each idea id replaced by
    its (id, tracking code, title)."""
    rows = found.uncertain[:UNCERTAIN_SHOWN]
    ideas = queries.idea_labels(idea_id for idea_id, *_ in rows)
    return [(ideas[idea_id], *rest) for idea_id, *rest in rows]
