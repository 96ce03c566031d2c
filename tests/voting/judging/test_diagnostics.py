"""Reviewer diagnostics on the round page, a request to revisit, and extra reviews where the cut
is uncertain."""
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notifications.models import Notification
from voting.judging import queries
from voting.judging.diagnostics import diagnostics
from voting.judging.guards import VotingError
from voting.judging.panels import add_reviews_at_cut, forbidden_pairs
from voting.judging.reviews import save_review
from voting.judging.scale_offset import extra_review_count


def score_with_one_careless_reviewer(round_, careless):
    """Everyone follows the ideas' order (1 + id mod 10, criteria a point apart) except
    ``careless``, who gives 10 on every criterion of every sheet."""
    for assignment in queries.active_assignments(round_):
        base = 1 + assignment.idea_id % 10
        values = {c.id: 10 if assignment.reviewer_id == careless.id else max(1, min(10, base + n % 2))
                  for n, c in enumerate(round_.criteria)}
        save_review(assignment, assignment.reviewer, values, "", submit=True)
    db.session.commit()


def test_a_careless_reviewer_is_flagged_with_the_effect_on_the_cut(client, auth, judging, open_round):
    careless = judging["reviewers"][0]
    score_with_one_careless_reviewer(open_round, careless)
    found = diagnostics(open_round)
    by_reviewer = {f.reviewer_id: f for f in found.findings}
    flagged = by_reviewer[careless.id]
    assert flagged.flags == ["压缩分数范围", "多打最高、最低分", "明显偏宽", "各项同分"]
    assert flagged.straight_share == 1 and flagged.scale < 0.01 and flagged.offset > 2
    # The published rule already gives a sheet that follows no idea's quality almost no
    # weight: leaving the reviewer out moves no idea across the cut.
    assert found.findings[0] is flagged and flagged.cut_changes == 0
    assert all("各项同分" not in f.flags for r, f in by_reviewer.items() if r != careless.id)
    # Most uncertain first.
    distances = [row[3] for row in found.uncertain]
    assert distances == sorted(distances) and len(found.uncertain) == len(open_round.entries)

    auth.login(judging["staff"])
    page = client.get(f"/voting/rounds/{open_round.id}").get_data(as_text=True)
    assert "评审专家诊断" in page and "各项同分" in page and "分数线附近最不确定的建议" in page
    # The adaptive step offers the published share of the advancing number by default.
    assert re.search(f'name="count"[^>]*value="{extra_review_count(open_round.advance_count)}"', page)
    client.post(f"/voting/rounds/{open_round.id}/reviewers/{careless.id}/revisit")
    note = db.session.scalars(select(Notification).where(Notification.user_id == careless.id)).one()
    assert open_round.name in note.subject and note.link == "/voting/review"


def test_extra_reviews_go_to_the_ideas_nearest_the_cut_by_the_assignment_rules(client, auth, judging,
                                                                               open_round):
    score_with_one_careless_reviewer(open_round, judging["reviewers"][0])
    before = {(a.reviewer_id, a.idea_id) for a in queries.active_assignments(open_round)}
    loads_before = {r.id: sum(1 for p in before if p[0] == r.id) for r in judging["reviewers"]}
    nearest = [row[0] for row in diagnostics(open_round).uncertain[:2]]
    auth.login(judging["staff"])
    client.post(f"/voting/rounds/{open_round.id}/extra-reviews", data={"count": "2"})
    after = {(a.reviewer_id, a.idea_id) for a in queries.active_assignments(open_round)}
    added = after - before
    assert sorted(idea for _, idea in added) == sorted(nearest)
    ideas = [e.idea for e in open_round.entries]
    assert not added & forbidden_pairs(open_round, ideas, judging["reviewers"])
    # Each went to a least-loaded eligible reviewer.
    first_reviewer = next(r for r, i in added if i == nearest[0])
    eligible = [r.id for r in judging["reviewers"] if (r.id, nearest[0]) not in before]
    assert loads_before[first_reviewer] == min(loads_before[r] for r in eligible)


def test_extra_reviews_wait_until_every_idea_has_a_review(judging, open_round):
    with pytest.raises(VotingError, match="收齐后"):
        add_reviews_at_cut(open_round, 3, judging["staff"])
