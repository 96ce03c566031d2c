"""Reviewer assignment on many random instances from the property test's own
generator: every one must return, valid, well within a second.

    python bench/assignment_random.py --instances 10000

Prints one JSON line: how many instances, how many were infeasible by the
rules, the slowest and the 99th-percentile time, how many ended with more than
one reviewer panel, and any instance over a second (with its parameters, so it
can be replayed).
"""
import argparse
import json
import signal
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from tests.voting.judging.assignment_instances import DENSITIES, random_instance  # noqa: E402
from voting.judging.assignment import AssignmentInfeasible, assign_reviewers  # noqa: E402

SLOW_SECONDS = 1.0
HANG_SECONDS = 30


def parameters(rng):
    return dict(
        n_ideas=int(rng.integers(1, 15)), n_reviewers=int(rng.integers(2, 10)), k=int(rng.integers(1, 4)),
        density=float(rng.choice(DENSITIES)), seed=int(rng.integers(0, 2**31 - 1)),
        barred_reviewer=bool(rng.integers(2)), with_keeps=bool(rng.integers(2)),
        with_themes=bool(rng.integers(2)),
    )


def run_one(params):
    n_ideas, n_reviewers, k, eligible, kept, themes, seed = random_instance(**params)
    ideas, reviewers = list(range(n_ideas)), list(range(n_reviewers))
    forbidden = {(r, i) for r, i in zip(*np.nonzero(~eligible))}
    keep = {(r, i) for r, i in zip(*np.nonzero(kept))}
    themes = None if themes is None else dict(zip(ideas, themes.tolist()))
    return assign_reviewers(ideas, reviewers, k, forbidden=forbidden, keep=keep, idea_themes=themes,
                            seed=seed)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20261201)
    args = parser.parse_args()

    def hang(signum, frame):
        raise TimeoutError

    signal.signal(signal.SIGALRM, hang)
    rng = np.random.default_rng(args.seed)
    times, slow, hung, infeasible, split = [], [], [], 0, 0
    for _ in range(args.instances):
        params = parameters(rng)
        started = time.perf_counter()
        signal.alarm(HANG_SECONDS)
        try:
            result = run_one(params)
            split += result.panels > 1
        except AssignmentInfeasible:
            infeasible += 1
        except TimeoutError:
            hung.append(params)
        finally:
            signal.alarm(0)
        seconds = time.perf_counter() - started
        times.append(seconds)
        if seconds > SLOW_SECONDS:
            slow.append(params | {"seconds": round(seconds, 3)})
    print(json.dumps({
        "instances": args.instances, "infeasible_by_rules": infeasible, "hung": len(hung),
        "over_one_second": len(slow), "max_seconds": round(max(times), 4),
        "p99_seconds": round(float(np.quantile(times, 0.99)), 4),
        "median_seconds": round(float(np.median(times)), 4),
        "results_with_separate_panels": split, "slow_examples": slow[:5], "hung_examples": hung[:5],
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
