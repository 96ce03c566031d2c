"""Which estimator should rank each kind of judging round? A simulation that decides on
one set of seeds and reports on another.

    nice -n 10 python bench/judging_estimators.py                     # choose on 1–10, report on 10001–10020
    nice -n 10 python bench/judging_estimators.py --selection-seeds 0 --report-seeds 10   # the README's table
    nice -n 10 python bench/judging_estimators.py --ideas 1000 --reviewers 30 \
        --selection-seeds 0 --report-seeds 10

(about 2 CPU-seconds per campaign at 500 ideas; `--jobs` processes share the campaigns)

Each campaign (default 500 ideas and 25 reviewers, as the dry run in the README —
smaller than a real campaign, to keep the run short; the last command checks the
published rule on a larger one) goes through the default rounds, all → 100 → 30 → 10 with 3 /
5 / all reviewers per idea and same-region avoidance in every round, assigned by
the real `assign_reviewers` and ranked by the real tie-break order. Reviews come
from `voting.judging.reviewer_models` under each reviewer model. Before each
partial-panel cut the adaptive step runs as on the round page: the
`--extra-share` × advance most uncertain ideas (`--uncertainty`) get one more
reviewer each; figures are reported with it and, for round-1 losses, without it.

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
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from scipy.stats import kendalltau

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from voting.judging.assignment import assign_reviewers, extra_reviewers  # noqa: E402
from voting.judging.estimators import ESTIMATORS, estimator_for_round  # noqa: E402
from voting.judging.scale_offset import (  # noqa: E402
    CUT_UNCERTAINTY,
    EXTRA_REVIEW_SHARE,
    UNCERTAINTY_METHODS,
    cut_uncertainty,
    extra_review_count,
)
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

    def __init__(self, model, seed, n_ideas, n_reviewers, noise, extra_share=0.0, uncertainty="posterior"):
        self.seed, self.extra_share, self.uncertainty = seed, extra_share, uncertainty
        self.synthetic = make_synthetic_campaign(n_ideas, n_reviewers, seed, rubric=JUDGING_RUBRIC)
        self.truth = {idea.idea_id: idea.true_quality for idea in self.synthetic.ideas}
        self.themes = {idea.idea_id: idea.theme for idea in self.synthetic.ideas}
        self.reviewer_ids = [r.reviewer_id for r in self.synthetic.reviewers]
        self.panel = make_panel(model, self.synthetic.reviewers, list(self.truth), noise=noise, seed=seed)
        by_quality = sorted(self.truth, key=self.truth.get, reverse=True)
        self.top10, self.top100 = set(by_quality[:10]), set(by_quality[:100])
        self._reviews = {}

    def _sheets(self, number, pairs):
        reviews = [Review(i, r, self.panel.sheet(r, i, self.truth[i], JUDGING_RUBRIC,
                                                 np.random.default_rng([self.seed, number, r, i])))
                   for r, i in pairs]
        return reviews, [(rv.reviewer_id, rv.idea_id, JUDGING_RUBRIC.total(rv.scores)) for rv in reviews]

    def reviews(self, number, pool, extra=True):
        """The round's reviews; with `extra`, after the adaptive step as the round page
        runs it (`panels.add_reviews_at_cut`): the most uncertain ideas at the cut, one
        more reviewer each by `extra_reviewers`. Not in the last round, where every
        reviewer without a conflict already reviews every idea."""
        n_advance, k = ROUNDS[number - 1]
        count = extra_review_count(n_advance, self.extra_share) if extra and k is not None else 0
        key = (number, pool, count)
        if key not in self._reviews:
            forbidden = conflict_pairs(self.synthetic, pool, same_region=True)
            if count:
                reviews, totals = self.reviews(number, pool, extra=False)
                at_cut = cut_uncertainty(totals, n_advance, method=self.uncertainty, seed=self.seed + number)
                assigned = {(r, i) for r, i, _ in totals}
                picked = extra_reviewers([row[0] for row in at_cut.rows], self.reviewer_ids,
                                         Counter(r for r, _ in assigned), forbidden | assigned, count=count)
                more, more_totals = self._sheets(number, sorted((r, i) for i, r in picked.items()))
                self._reviews[key] = (reviews + more, totals + more_totals)
            elif k is None:
                self._reviews[key] = self._sheets(
                    number, [(r, i) for r in self.reviewer_ids for i in pool if (r, i) not in forbidden])
            else:
                self._reviews[key] = self._sheets(number, sorted(assign_reviewers(
                    list(pool), self.reviewer_ids, k, forbidden=forbidden,
                    idea_themes={i: self.themes[i] for i in pool}, seed=self.seed + number,
                ).pairs()))
        return self._reviews[key]

    def judge(self, number, pool, estimator, extra=True):
        """Scores and the advancing pool of one round ranked by one estimator."""
        reviews, totals = self.reviews(number, pool, extra)
        scores = ESTIMATORS[estimator](totals)
        ranking = rank_ideas(tie_break_keys(reviews, JUDGING_RUBRIC, scores), ROUNDS[number - 1][0],
                             seed=self.seed * 1000 + number)
        return scores, tuple(sorted(ranking.advancing))

    def tau(self, pool, scores):
        return float(kendalltau([scores[i] for i in pool], [self.truth[i] for i in pool]).statistic)

    def winners(self, rule, extra=True):
        pool = tuple(sorted(self.truth))
        for number, estimator in enumerate(rule, start=1):
            _, pool = self.judge(number, pool, estimator, extra)
        return pool


def side_by_side(campaign):
    """Every estimator on the same reviews of each round (later rounds: today's pools)."""
    out = {name: {"tau": [], "lost_round1": None, "lost_round1_no_extra": None, "outside_top100_round1": None}
           for name in ESTIMATORS}
    pool = tuple(sorted(campaign.truth))
    for number in range(1, len(ROUNDS) + 1):
        next_pool = None
        for name in ESTIMATORS:
            scores, advancing = campaign.judge(number, pool, name)
            out[name]["tau"].append(campaign.tau(pool, scores))
            if number == 1:
                out[name]["lost_round1"] = len(campaign.top10 - set(advancing))
                out[name]["outside_top100_round1"] = len(set(advancing) - campaign.top100)
                _, without = campaign.judge(number, pool, name, extra=False)
                out[name]["lost_round1_no_extra"] = len(campaign.top10 - set(without))
            if name == TODAY[number - 1]:
                next_pool = advancing
        pool = next_pool
    return out


def one_campaign(model, seed, args, rules):
    campaign = Campaign(model, seed, args.ideas, args.reviewers, args.noise, args.extra_share,
                        args.uncertainty)
    overlaps = {label: len(campaign.top10 & set(campaign.winners(rule, extra)))
                for label, rule, extra in rules}
    return side_by_side(campaign), overlaps


def run_seeds(models, seeds, args, rules=()):
    """Per model: side-by-side figures per seed, and the top-ten overlap of each rule.
    Campaigns run in `args.jobs` processes; each depends only on (model, seed)."""
    jobs = [(model, seed) for model in models for seed in seeds]
    with ProcessPoolExecutor(args.jobs) as pool:
        done = list(pool.map(one_campaign, *zip(*jobs), [args] * len(jobs), [rules] * len(jobs)))
    results = {}
    for model in models:
        runs = [result for (m, _), result in zip(jobs, done) if m == model]
        overlaps = defaultdict(list)
        for _, found in runs:
            for label, value in found.items():
                overlaps[label].append(value)
        results[model] = ([figures for figures, _ in runs], dict(overlaps))
    print(f"{len(jobs)} campaigns done", file=sys.stderr, flush=True)
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
                "p_top10_lost_round1_no_extra": round(
                    sum(s[name]["lost_round1_no_extra"] for s in per_seed) / (10 * n_seeds), 4),
                "outside_top100_round1": round(float(np.mean([s[name]["outside_top100_round1"]
                                                              for s in per_seed])), 2),
            }
        # Per round, paired differences of the chosen estimator against today's and raw.
        gain = {f"tau_vs_{other}": [mean_se([s[chosen[n]]["tau"][n] - s[other]["tau"][n] for s in per_seed])
                                    for n in range(len(ROUNDS))]
                for other in ("offset", "raw")}
        out[model] = {"estimators": figures, "chosen_tau_gain": gain,
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
            "p_top10_lost_round1_no_extra_le_3pct": est[chosen[0]]["p_top10_lost_round1_no_extra"] <= 0.03,
        }
        if model in ("scale", "strategic"):
            checks[model]["round1_gain_ge_0.04"] = tau - est["offset"]["tau"][0] >= 0.04
    return checks


def main():
    global ROUNDS  # set from --advance; the worker processes fork after it is set
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ideas", type=int, default=500)
    parser.add_argument("--reviewers", type=int, default=25)
    parser.add_argument("--noise", type=float, default=DEFAULT_NOISE)
    parser.add_argument("--selection-seeds", type=int, default=10,
                        help="0: skip the choice and report on the published rule (estimator_for_round)")
    parser.add_argument("--report-seeds", type=int, default=20)
    parser.add_argument("--models", default=",".join(REVIEWER_MODELS))
    parser.add_argument("--extra-share", type=float, default=EXTRA_REVIEW_SHARE,
                        help="adaptive step: extra reviews per advancing idea before each partial-panel cut")
    parser.add_argument("--uncertainty", choices=UNCERTAINTY_METHODS, default=CUT_UNCERTAINTY)
    parser.add_argument("--jobs", type=int, default=2, help="processes")
    parser.add_argument("--advance", default=",".join(str(a) for a, _ in ROUNDS),
                        help="ideas advancing from each round, e.g. 200,30,10 for a larger pool")
    parser.add_argument("--all-rules", action="store_true",
                        help="also run the whole selection with every other estimator everywhere (slow)")
    args = parser.parse_args()
    ROUNDS = tuple((int(a), k) for a, (_, k) in zip(args.advance.split(","), ROUNDS, strict=True))
    models = args.models.split(",")
    started = time.perf_counter()
    selection_seeds = list(range(1, args.selection_seeds + 1))
    # Far from the selection seeds, so no campaign is shared.
    report_seeds = list(range(10_001, 10_001 + args.report_seeds))

    if selection_seeds:
        chosen, pooled_selection = choose(run_seeds(models, selection_seeds, args))
    else:
        chosen, pooled_selection = tuple(estimator_for_round(k) for _, k in ROUNDS), None
    # Today's process has no adaptive step; every other rule runs with it.
    rules = [("today", TODAY, False), ("chosen", chosen, True),
             ("chosen without extra reviews", chosen, False), ("offset everywhere", TODAY, True)] + [
        (f"{name} everywhere", (name,) * len(ROUNDS), True) for name in ESTIMATORS
        if name != "offset" and (args.all_rules or name == "raw")]
    per_model, pooled_overlap, chosen_vs_today = summarise(run_seeds(models, report_seeds, args, rules),
                                                           chosen)
    print(json.dumps({
        "design": {"ideas": args.ideas, "reviewers": args.reviewers, "noise": args.noise,
                   "extra_share": args.extra_share, "uncertainty": args.uncertainty,
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
