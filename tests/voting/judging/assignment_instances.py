"""Random assignment instances, shared by the property test and the
`bench/assignment_random.py` sweep so both search the same space."""
import numpy as np

DENSITIES = (0.0, 0.1, 0.3, 0.6)


def random_instance(n_ideas, n_reviewers, k, density, seed, barred_reviewer, with_keeps, with_themes):
    """(n_ideas, n_reviewers, k, eligible, kept, themes, seed); reviewers are rows."""
    rng = np.random.default_rng(seed)
    eligible = rng.random((n_reviewers, n_ideas)) >= density
    if barred_reviewer:
        # A reviewer barred from nearly everything: the usual way balance breaks.
        eligible[0] &= rng.random(n_ideas) < 0.1
    kept = np.zeros_like(eligible)
    if with_keeps:
        for i in range(n_ideas):
            choices = np.flatnonzero(eligible[:, i])
            take = rng.integers(0, min(k, len(choices)) + 1)
            kept[rng.choice(choices, take, replace=False), i] = True
    themes = rng.integers(0, 3, n_ideas) if with_themes else None
    return n_ideas, n_reviewers, k, eligible, kept, themes, seed
