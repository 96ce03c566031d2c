"""Expert judging: rounds, assignment, reviews, outcome."""
