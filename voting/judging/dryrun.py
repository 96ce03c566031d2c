"""A dry run staff can trust: synthetic ideas with a hidden true quality and
synthetic reviewers who behave as one of `voting.judging.reviewer_models`
(leniency, scale habits, careless sheets, strategy …), pushed through the real
services (accounts, screening, assignment, scoring, the adaptive extra reviews
before each partial-panel cut, closing), then compared
with the truth. Each closed round's reviews are also ranked by every estimator
of `voting.judging.estimators`, so the published rule is seen beside the
others on the same sheets. Run it in a throw-away database: ``flask voting simulate``."""
from collections import Counter
from datetime import timedelta

import numpy as np
from scipy.stats import kendalltau

from app.auth.models import Role
from app.auth.services import create_account
from app.campaigns.services import create_campaign
from app.extensions import db
from app.timeutil import now
from ideas import services as idea_services
from voting.judging import queries
from voting.judging.estimators import ESTIMATORS
from voting.judging.outcome import expert_scores, rubric_of
from voting.judging.panels import add_reviews_at_cut
from voting.judging.reviewer_models import DEFAULT_NOISE, make_panel
from voting.judging.reviews import save_review
from voting.judging.rounds import create_default_rounds
from voting.judging.runs import run_round
from voting.judging.scale_offset import extra_review_count
from voting.judging.scoring import rank_ideas, tie_break_keys
from voting.judging.simulation import is_conflict, make_synthetic_campaign

THEME_CODES = ("market", "factors", "parks", "soe", "tech", "opening", "costs", "business", "staffing",
               "talent")
PASSWORD = "DryRun2024x"


def run_dry_run(n_ideas, n_reviewers, seed, reviewer_model="additive", noise=DEFAULT_NOISE):
    synthetic = make_synthetic_campaign(n_ideas, n_reviewers, seed)
    panel = make_panel(reviewer_model, synthetic.reviewers, [s.idea_id for s in synthetic.ideas],
                       noise=noise, seed=seed)
    campaign = create_campaign(None, now().year, "评审演练", now() - timedelta(days=1),
                               now() + timedelta(days=30), make_current=True)
    staff = create_account(None, "staff@dryrun.example.com", PASSWORD, Role.staff)
    reviewer_of = {}
    for r in synthetic.reviewers:
        user = create_account(None, f"reviewer{r.reviewer_id}@dryrun.example.com", PASSWORD, Role.reviewer,
                              region=r.region, work_unit=r.work_unit)
        reviewer_of[user.id] = r
    idea_of = {}
    for s in synthetic.ideas:
        author = create_account(None, f"author{s.idea_id}@dryrun.example.com", PASSWORD, Role.citizen,
                                work_unit=s.work_unit)
        fields = {"title": f"演练建议 {s.idea_id:05d}", "problem": "演练用的问题描述。" * 4,
                  "suggestion": "演练用的对策建议。" * 4, "benefit": "演练用的预期成效。" * 2,
                  "region": s.region, "contact_phone": "13800000000", "show_name": False}
        idea, _ = idea_services.save_idea(author, campaign, f"dryrun-{s.idea_id}", fields,
                                          THEME_CODES[s.theme - 1], submit=True)
        idea_services.accept_idea(idea, staff)
        idea_of[idea.id] = s
    db.session.commit()

    load_spread, violations, round_taus, side_by_side, extra = [], 0, [], [], []
    rounds = create_default_rounds(campaign, staff)
    for round_ in rounds:
        rubric = rubric_of(round_)
        criterion_ids = {c.name: c.id for c in round_.criteria}
        loads = Counter()

        def score(a, round_=round_, rubric=rubric, criterion_ids=criterion_ids, loads=loads):
            nonlocal violations
            reviewer, idea = reviewer_of[a.reviewer_id], idea_of[a.idea_id]
            loads[a.reviewer_id] += 1
            violations += is_conflict(reviewer, idea, same_region=round_.avoid_same_region)
            # Each sheet's randomness depends only on (seed, round, reviewer, idea).
            rng = np.random.default_rng([seed, round_.position, reviewer.reviewer_id, idea.idea_id])
            sheet = panel.sheet(reviewer.reviewer_id, idea.idea_id, idea.true_quality, rubric, rng)
            return {criterion_ids[n]: v for n, v in sheet.items()}

        def at_cut(round_, score=score, loads=loads):
            # As staff would on the round page: the adaptive step before the cut, where
            # some reviewers see each idea (in the last round everyone already does).
            # The load spread is the assignment's; extra reviews go where the rules allow.
            load_spread.append(max(loads.values()) - min(loads.values()))
            if round_.reviewers_per_idea is None:
                extra.append(0)
                return
            added = add_reviews_at_cut(round_, extra_review_count(round_.advance_count), staff)
            for a in added:
                save_review(a, a.reviewer, score(a), "", submit=True)
            extra.append(len(added))

        run_round(round_, staff, score, assign_seed=seed * 100 + round_.position,
                  close_seed=seed * 1000 + round_.position, before_close=at_cut)
        db.session.commit()
        round_taus.append(_taus(queries.results(round_), idea_of))
        side_by_side.append(_estimators(round_, idea_of))

    final = queries.results(rounds[-1])
    true_top10 = _true_top10(idea_of)
    winners = [e.idea_id for e in final if e.advanced]
    first_advanced = {e.idea_id for e in queries.results(rounds[0]) if e.advanced}
    return {
        "reviewer_model": reviewer_model, "noise": noise,
        "winners": len(winners),
        "kendall_tau": round_taus[-1][0],
        "kendall_tau_raw": round_taus[-1][1],
        # Per round, over that round's pool: where reviewers see different
        # ideas (k < all), calibration matters most.
        "round_taus": round_taus,
        # Share of the true top ten that the published rule let go in round 1.
        "p_top10_lost_round1": len(true_top10 - first_advanced) / 10,
        # Every estimator on the same reviews of each round (whose pools the published
        # rule chose): τ against true quality per round, and round 1's top-ten losses.
        "estimators": {name: {"tau": [r[name]["tau"] for r in side_by_side],
                              "p_top10_lost_round1": side_by_side[0][name]["lost"]}
                       for name in ESTIMATORS},
        "top10_overlap": len(true_top10 & set(winners)),
        "extra_reviews": extra,
        "conflict_violations": int(violations),
        "load_spread": load_spread,
        "alpha": [round(r.agreement_alpha, 4) if r.agreement_alpha is not None else None for r in rounds],
        "digests": [r.digest for r in rounds],
        "ideas": n_ideas, "reviewers": n_reviewers, "seed": seed,
    }


def _taus(entries, idea_of):
    truth = [idea_of[e.idea_id].true_quality for e in entries]
    return [round(float(kendalltau([getattr(e, name) for e in entries], truth).statistic), 4)
            for name in ("calibrated", "raw_mean")]


def _true_top10(idea_of):
    return set(sorted(idea_of, key=lambda i: idea_of[i].true_quality, reverse=True)[:10])


def _estimators(round_, idea_of):
    """Per estimator: τ over the round's pool, and the share of the campaign's true top
    ten in the pool that it would not have advanced (ranked by the published tie-break)."""
    scores = expert_scores(round_)
    pool = sorted(scores.keys)
    truth = [idea_of[i].true_quality for i in pool]
    top10 = _true_top10(idea_of) & set(pool)
    out = {}
    for name, estimator in ESTIMATORS.items():
        quality = estimator(scores.totals)
        ranking = rank_ideas(tie_break_keys(scores.reviews, scores.rubric, quality), round_.advance_count,
                             seed=round_.tie_seed)
        out[name] = {"tau": round(float(kendalltau([quality[i] for i in pool], truth).statistic), 4),
                     "lost": len(top10 - set(ranking.advancing)) / 10}
    return out
