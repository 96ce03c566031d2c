"""Which estimator should rank each kind of judging round? A simulation that decides on
one set of seeds and reports on another.

    python bench/judging_estimators.py                      # 5–8 minutes on 2 shared cores
    python bench/judging_estimators.py --ideas 1000 --reviewers 30 --selection-seeds 0 --report-seeds 10

Each campaign (default 500 ideas and 25 reviewers, as the dry run in the README —
smaller than a real campaign, to keep the run short; the second line checks the
published rule on a larger one) goes through the default rounds, all → 100 → 30 → 10 with 3 /
5 / all reviewers per idea and same-region avoidance in every round, assigned by
the real `assign_reviewers` and ranked by the real tie-break order. Reviews come
from `voting.judging.reviewer_models` under each reviewer model.

Per round every estimator is scored on the same reviews: round 1 on the whole
pool; rounds 2 and 3 on the pools today's rule (offset calibration throughout)
selects. Per round type the estimator with the best Kendall τ against true
quality, averaged over the reviewer models with equal weight, is chosen on the
selection seeds only. The report seeds, never used for choosing, then give per
model and estimator the τ of each round, P(a true top-ten idea is lost in round
1), the number of ideas that pass round 1 from outside the true top 100, and —
running the whole selection with each rule — the overlap of the ten winners with
the true top ten. Prints one JSON line.
"""
import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from scipy.stats import kendalltau

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from voting.judging.assignment import assign_reviewers  # noqa: E402
from voting.judging.estimators import ESTIMATORS, estimator_for_round  # noqa: E402
from voting.judging.reviewer_models import DEFAULT_NOISE, JUDGING_RUBRIC, REVIEWER_MODELS, make_panel  # noqa: E402
from voting.judging.scoring import Review, rank_ideas, tie_break_keys  # noqa: E402
from voting.judging.simulation import conflict_pairs, make_synthetic_campaign  # noqa: E402

# (advance, reviewers per idea; None = every reviewer without a conflict), as voting.services.DEFAULT_ROUNDS.
ROUNDS = ((100, 3), (30, 5), (10, None))
ROUND_NAMES = ("初审", "复审", "终审")
TODAY = ("offset", "offset", "offset")


class Campaign:
    """One synthetic campaign under one reviewer model; reviews are cached per
    (round, pool), and each sheet's randomness depends only on (seed, round,
    reviewer, idea), so two rules that reach the same pair see the same sheet."""

    def __init__(self, model, seed, n_ideas, n_reviewers, noise):
        self.seed = seed
        self.synthetic = make_synthetic_campaign(n_ideas, n_reviewers, seed, rubric=JUDGING_RUBRIC)
        self.truth = {idea.idea_id: idea.true_quality for idea in self.synthetic.ideas}
        self.themes = {idea.idea_id: idea.theme for idea in self.synthetic.ideas}
        self.reviewer_ids = [r.reviewer_id for r in self.synthetic.reviewers]
        self.panel = make_panel(model, self.synthetic.reviewers, list(self.truth), noise=noise, seed=seed)
        by_quality = sorted(self.truth, key=self.truth.get, reverse=True)
        self.top10, self.top100 = set(by_quality[:10]), set(by_quality[:100])
        self._reviews = {}

    def reviews(self, number, pool):
        key = (number, pool)
        if key not in self._reviews:
            _, k = ROUNDS[number - 1]
            forbidden = conflict_pairs(self.synthetic, pool, same_region=True)
            if k is None:
                pairs = [(r, i) for r in self.reviewer_ids for i in pool if (r, i) not in forbidden]
            else:
                pairs = sorted(assign_reviewers(
                    list(pool), self.reviewer_ids, k, forbidden=forbidden,
                    idea_themes={i: self.themes[i] for i in pool}, seed=self.seed + number,
                ).pairs())
            reviews = [Review(i, r, self.panel.sheet(r, i, self.truth[i], JUDGING_RUBRIC,
                                                     np.random.default_rng([self.seed, number, r, i])))
                       for r, i in pairs]
            totals = [(rv.reviewer_id, rv.idea_id, JUDGING_RUBRIC.total(rv.scores)) for rv in reviews]
            self._reviews[key] = (reviews, totals)
        return self._reviews[key]

    def judge(self, number, pool, estimator):
        """Scores and the advancing pool of one round ranked by one estimator."""
        reviews, totals = self.reviews(number, pool)
        scores = ESTIMATORS[estimator](totals)
        ranking = rank_ideas(tie_break_keys(reviews, JUDGING_RUBRIC, scores), ROUNDS[number - 1][0],
                             seed=self.seed * 1000 + number)
        return scores, tuple(sorted(ranking.advancing))

    def tau(self, pool, scores):
        return float(kendalltau([scores[i] for i in pool], [self.truth[i] for i in pool]).statistic)

    def winners(self, rule):
        pool = tuple(sorted(self.truth))
        for number, estimator in enumerate(rule, start=1):
            _, pool = self.judge(number, pool, estimator)
        return pool


def side_by_side(campaign):
    """Every estimator on the same reviews of each round (later rounds: today's pools)."""
    out = {name: {"tau": [], "lost_round1": None, "outside_top100_round1": None} for name in ESTIMATORS}
    pool = tuple(sorted(campaign.truth))
    for number in range(1, len(ROUNDS) + 1):
        next_pool = None
        for name in ESTIMATORS:
            scores, advancing = campaign.judge(number, pool, name)
            out[name]["tau"].append(campaign.tau(pool, scores))
            if number == 1:
                out[name]["lost_round1"] = len(campaign.top10 - set(advancing))
                out[name]["outside_top100_round1"] = len(set(advancing) - campaign.top100)
            if name == TODAY[number - 1]:
                next_pool = advancing
        pool = next_pool
    return out


def run_seeds(models, seeds, args, rules=()):
    """Per model: side-by-side figures per seed, and the top-ten overlap of each rule."""
    results = {}
    for model in models:
        per_seed, overlaps = [], defaultdict(list)
        for seed in seeds:
            campaign = Campaign(model, seed, args.ideas, args.reviewers, args.noise)
            per_seed.append(side_by_side(campaign))
            for label, rule in rules:
                overlaps[label].append(len(campaign.top10 & set(campaign.winners(rule))))
        results[model] = (per_seed, dict(overlaps))
        print(f"{model}: {len(seeds)} seeds done", file=sys.stderr, flush=True)
    return results


def choose(selection):
    """Per round, the estimator of best τ averaged over models (each model's seeds averaged first)."""
    pooled = {}
    for number in range(len(ROUNDS)):
        pooled[ROUND_NAMES[number]] = {
            name: float(np.mean([np.mean([s[name]["tau"][number] for s in per_seed])
                                 for per_seed, _ in selection.values()]))
            for name in ESTIMATORS
        }
    chosen = tuple(max(pooled[r], key=pooled[r].get) for r in ROUND_NAMES)
    return chosen, {r: {k: round(v, 4) for k, v in t.items()} for r, t in pooled.items()}


def mean_sd(values):
    values = np.asarray(values, dtype=float)
    return [round(float(values.mean()), 4), round(float(values.std(ddof=1)) if len(values) > 1 else 0.0, 4)]


def mean_se(values):
    """Mean and its standard error: for paired differences over seeds."""
    mean, sd = mean_sd(values)
    return [mean, round(sd / np.sqrt(len(values)), 4)]


def summarise(report, chosen):
    out = {}
    for model, (per_seed, overlaps) in report.items():
        n_seeds = len(per_seed)
        figures = {}
        for name in ESTIMATORS:
            taus = np.array([s[name]["tau"] for s in per_seed])
            figures[name] = {
                "tau": [round(float(v), 4) for v in taus.mean(axis=0)],
                "tau_sd": [round(float(v), 4) for v in taus.std(axis=0, ddof=1)],
                "p_top10_lost_round1": round(sum(s[name]["lost_round1"] for s in per_seed)
                                             / (10 * n_seeds), 4),
                "outside_top100_round1": round(float(np.mean([s[name]["outside_top100_round1"]
                                                              for s in per_seed])), 2),
            }
        # Paired differences of the chosen round-1 estimator against today's and raw.
        gain = {}
        for other in ("offset", "raw"):
            diffs = [s[chosen[0]]["tau"][0] - s[other]["tau"][0] for s in per_seed]
            gain[f"round1_tau_vs_{other}"] = mean_se(diffs)
        out[model] = {"estimators": figures, "chosen_round1_gain": gain,
                      "top10_overlap": {label: mean_sd(v) for label, v in overlaps.items()}}
    pooled = defaultdict(list)
    for _, overlaps in report.values():
        for label, values in overlaps.items():
            pooled[label].extend(values)
    paired = [a - b for a, b in zip(pooled["chosen"], pooled["today"])]
    return out, {label: mean_sd(v) for label, v in pooled.items()}, mean_se(paired)


def pooled_tau(models):
    """Per round and estimator, τ on the report seeds averaged over the reviewer models."""
    return {
        round_name: {name: round(float(np.mean([m["estimators"][name]["tau"][number]
                                                for m in models.values()])), 4)
                     for name in ESTIMATORS}
        for number, round_name in enumerate(ROUND_NAMES)
    }


def targets(models, chosen):
    checks = {}
    for model, figures in models.items():
        est = figures["estimators"]
        tau = est[chosen[0]]["tau"][0]
        checks[model] = {
            "round1_tau_ge_raw": tau >= est["raw"]["tau"][0],
            "round1_tau_ge_today": tau >= est["offset"]["tau"][0],
            "p_top10_lost_round1_le_3pct": est[chosen[0]]["p_top10_lost_round1"] <= 0.03,
        }
        if model in ("scale", "strategic"):
            checks[model]["round1_gain_ge_0.04"] = tau - est["offset"]["tau"][0] >= 0.04
    return checks


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ideas", type=int, default=500)
    parser.add_argument("--reviewers", type=int, default=25)
    parser.add_argument("--noise", type=float, default=DEFAULT_NOISE)
    parser.add_argument("--selection-seeds", type=int, default=10,
                        help="0: skip the choice and report on the published rule (estimator_for_round)")
    parser.add_argument("--report-seeds", type=int, default=20)
    parser.add_argument("--models", default=",".join(REVIEWER_MODELS))
    args = parser.parse_args()
    models = args.models.split(",")
    started = time.perf_counter()
    selection_seeds = list(range(1, args.selection_seeds + 1))
    # Far from the selection seeds, so no campaign is shared.
    report_seeds = list(range(10_001, 10_001 + args.report_seeds))

    if selection_seeds:
        chosen, pooled_selection = choose(run_seeds(models, selection_seeds, args))
    else:
        chosen, pooled_selection = tuple(estimator_for_round(k) for _, k in ROUNDS), None
    rules = [("today", TODAY), ("chosen", chosen)] + [
        (f"{name} everywhere", (name,) * len(ROUNDS)) for name in ESTIMATORS if name != "offset"]
    per_model, pooled_overlap, chosen_vs_today = summarise(run_seeds(models, report_seeds, args, rules),
                                                           chosen)
    print(json.dumps({
        "design": {"ideas": args.ideas, "reviewers": args.reviewers, "noise": args.noise,
                   "rounds": [{"name": n, "advance": a, "reviewers_per_idea": k or "all"}
                              for n, (a, k) in zip(ROUND_NAMES, ROUNDS)],
                   "selection_seeds": selection_seeds, "report_seeds": report_seeds},
        "selection_tau_pooled": pooled_selection,
        "chosen": dict(zip(ROUND_NAMES, chosen)),
        "published_rule": {n: estimator_for_round(k) for n, (_, k) in zip(ROUND_NAMES, ROUNDS)},
        "report_tau_pooled": pooled_tau(per_model),
        "report": per_model,
        "top10_overlap_pooled": pooled_overlap,
        "top10_overlap_chosen_minus_today": chosen_vs_today,
        "targets": targets(per_model, chosen),
        "seconds": round(time.perf_counter() - started, 1),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
