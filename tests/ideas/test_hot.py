"""热点: the heat of clusters and themes aggregated in SQL agrees with the
formula on the member records, and only staff see the page."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth.models import Role
from app.extensions import db
from app.timeutil import now
from ideas import analysis_services, heat_queries, public_services
from ideas.models import Idea, IdeaStatus
from ideas.services import accept_idea, merge_duplicate, reject_idea
from nlp.heat import Member, heat_index
from tests.ideas.test_analysis import make_topic_ideas
from tests.access import assert_staff_only

CITIES = ("长沙市", "株洲市", "岳阳市", "怀化市", "长沙市", "长沙市")


@pytest.fixture
def hot(make):
    """24 ideas on three themes, clustered, spread over cities and days; two
    duplicates merged (one from another person), one idea rejected."""
    campaign = make.campaign(opens=now() - timedelta(days=20))
    staff = make.user(Role.staff)
    ideas = make_topic_ideas(make)
    for n, idea in enumerate(ideas):
        idea.region = CITIES[n % len(CITIES)]
        idea.submitted_at = now() - timedelta(days=(n * 7) % 19, hours=n)
    db.session.commit()
    analysis_services.rebuild(campaign)
    db.session.commit()
    kept = ideas[0]
    other = make.idea(title=kept.title, problem=kept.problem, suggestion=kept.suggestion)
    merge_duplicate(other, kept.tracking_code, staff, "重复", credit=True)
    again = make.idea(author=kept.author, title=kept.title, problem=kept.problem, suggestion=kept.suggestion)
    merge_duplicate(again, kept.tracking_code, staff, "本人重复提交")
    reject_idea(ideas[1], staff, "不具体")
    db.session.commit()
    return {"campaign": campaign, "staff": staff, "ideas": ideas, "kept": kept}


def _expected(campaign, ideas, at):
    """{cluster id: heat} from the records, by the pure formula."""
    members = {}
    for idea in ideas:
        db.session.refresh(idea)
        if idea.status is IdeaStatus.rejected or idea.analysis.cluster_id is None:
            continue
        duplicates = db.session.scalars(select(Idea).where(Idea.merged_into_id == idea.id))
        supporters = len({d.author_id for d in duplicates if d.author_id != idea.author_id})
        members.setdefault(idea.analysis.cluster_id, []).append(
            Member(idea.author_id, idea.submitted_at, idea.region, supporters))
    return {key: heat_index(found, at, since=campaign.submit_opens_at) for key, found in members.items()}


def test_cluster_heat_in_sql_is_the_formula_on_the_records(hot):
    campaign, at = hot["campaign"], now()
    found = heat_queries.hot_clusters(campaign, at)
    expected = _expected(campaign, hot["ideas"], at)
    assert {row.cluster.id for row in found} == set(expected)
    for row in found:
        want = expected[row.cluster.id]
        assert ((row.heat.size, row.heat.proposers, row.heat.supporters, row.heat.regions, row.heat.recent)
                == (want.size, want.proposers, want.supporters, want.regions, want.recent))
        assert (row.heat.score, row.heat.growth, row.heat.spread) == pytest.approx((want.score, want.growth,
                                                                                     want.spread))
    assert [row.heat.score for row in found] == sorted((row.heat.score for row in found), reverse=True)
    # The duplicate from another person is a supporter; the author's own re-post is not.
    kept = next(row for row in found if row.cluster.id == hot["kept"].analysis.cluster_id)
    assert kept.heat.supporters == 1
    # The rejected idea no longer speaks for its cluster.
    assert sum(row.heat.size for row in found) == len(hot["ideas"]) - 1


def test_theme_heat_counts_every_live_idea_once(hot):
    themes = heat_queries.hot_themes(hot["campaign"])
    assert sum(row.heat.size for row in themes) == len(hot["ideas"]) - 1
    assert sum(row.heat.supporters for row in themes) == 1
    assert [row.heat.score for row in themes] == sorted((row.heat.score for row in themes), reverse=True)


def test_rise_is_cumulative_and_ends_at_the_cluster_size(hot):
    campaign = hot["campaign"]
    clusters = heat_queries.hot_clusters(campaign)
    days, series = heat_queries.rise(campaign, [row.cluster for row in clusters])
    assert days[0] <= campaign.submit_opens_at.date() and days[-1] == now().date()
    for (cluster, counts), row in zip(series, clusters):
        assert counts == sorted(counts) and counts[-1] == row.heat.size and len(counts) == len(days)


def test_hot_page_ranks_clusters_and_draws_the_rise(client, auth, hot):
    auth.login(hot["staff"])
    page = client.get("/analysis/hot").get_data(as_text=True)
    clusters = heat_queries.hot_clusters(hot["campaign"])
    assert "聚类热度排行" in page and "主题热度" in page and "<polyline" in page
    positions = [page.index(f"/analysis/clusters/{row.cluster.id}\"") for row in clusters]
    assert positions == sorted(positions)
    assert f"{clusters[0].heat.score:.1f}" in page
    assert 'href="/analysis/hot"' in client.get("/analysis/").get_data(as_text=True)


def test_hot_page_before_any_clustering(client, auth, make):
    make.campaign()
    make.idea()
    auth.login(make.user(Role.staff))
    page = client.get("/analysis/hot").get_data(as_text=True)
    assert "尚未进行聚类分析" in page and "主题热度" in page


def test_only_staff_see_hot_topics(client, auth, make):
    make.campaign()
    assert_staff_only(client, auth, make, "/analysis/hot")


def test_citizens_support_adds_to_the_supporters(hot, make):
    kept = hot["kept"]
    kept.public_consent = True
    if kept.status is not IdeaStatus.accepted:
        accept_idea(kept, hot["staff"])
    for _ in range(2):
        assert public_services.support(kept, make.user())
    db.session.commit()
    found = heat_queries.hot_clusters(hot["campaign"], now())
    row = next(row for row in found if row.cluster.id == kept.analysis.cluster_id)
    # The merged duplicate from another person, and two citizens' 附议.
    assert row.heat.supporters == 3
    assert sum(theme.heat.supporters for theme in heat_queries.hot_themes(hot["campaign"])) == 3
