"""建议综述: what the public proposed, theme by theme — the main proposals
(the hottest clusters), the people behind them, representative ideas and
sentences chosen extractively (``nlp.summarize``), counts and the rise.

The figures come from grouped queries (``ideas.heat_queries``). Picking the
representatives reads at most ``SAMPLE`` ideas of each proposal shown and
segments the sentences of a few, so that part costs the same for a hundred
ideas or a hundred thousand."""
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from app.campaigns.models import Campaign
from app.extensions import db, nlp
from app.timeutil import now
from ideas.analysis_queries import latest_cluster_run
from ideas.heat_queries import (HEATED, HotCluster, HotTheme, heat_by, hot_clusters, hot_themes, rise,
                                supporter_counts)
from ideas.models import ClusterRun, Idea, IdeaAnalysis
from nlp.heat import Heat

TOPICS_PER_THEME = 5
IDEAS_PER_TOPIC = 3
SENTENCES_PER_TOPIC = 3
# Ideas whose sentences compete to represent a proposal: its most central ones.
SENTENCE_SOURCES = 8
SAMPLE = 60
RISE_TOPICS = 5


@dataclass
class Proposal:
    """One main proposal: a cluster, its heat, and what represents it."""
    hot: HotCluster
    # (idea, its supporters) and (idea, sentence); an idea is a row with its
    # id, tracking_code, title, region and texts.
    ideas: list[tuple] = field(default_factory=list)
    sentences: list[tuple] = field(default_factory=list)

    @property
    def cluster(self):
        return self.hot.cluster

    @property
    def heat(self):
        return self.hot.heat


@dataclass
class ThemeSummary:
    theme: HotTheme
    proposals: list[Proposal]
    # Clusters of the theme not among the main proposals.
    more: int = 0

    @property
    def name(self):
        return self.theme.name

    @property
    def heat(self):
        return self.theme.heat


@dataclass
class ProposalReport:
    campaign: Campaign
    generated_at: datetime
    total: Heat
    themes: list[ThemeSummary]
    cluster_run: ClusterRun | None
    days: list[date]
    rise: list[tuple[str, list[int]]]

    @property
    def proposals(self):
        return [p for t in self.themes for p in t.proposals]

    @property
    def by_theme(self):
        return [(t.name, t.heat.size) for t in self.themes]


def proposal_report(campaign):
    at = now()
    themes = hot_themes(campaign, at)
    clusters = hot_clusters(campaign, at)
    total = (next(iter(heat_by(campaign, Idea.campaign_id, at).values()), None)
             or Heat(0, 0, 0, 0, 0, 0, 1.0, 1.0))
    by_scope = {}
    for hot in clusters:
        by_scope.setdefault(hot.cluster.scope_theme_id, []).append(hot)
    summaries = []
    for theme in themes:
        found = by_scope.get(theme.theme_id, [])
        if theme.heat.size or found:
            summaries.append(ThemeSummary(theme, [Proposal(h) for h in found[:TOPICS_PER_THEME]],
                                          max(0, len(found) - TOPICS_PER_THEME)))
    proposals = [p for s in summaries for p in s.proposals]
    _pick_representatives(campaign, proposals)
    top = clusters[:RISE_TOPICS]
    days, series = rise(campaign, [h.cluster for h in top], at)
    return ProposalReport(campaign=campaign, generated_at=at, total=total, themes=summaries,
                          cluster_run=latest_cluster_run(campaign), days=days,
                          rise=[(_label(cluster, series), counts) for cluster, counts in series])


def _label(cluster, series):
    """The cluster's name, with its number when another line has the same name."""
    alike = sum(other.name == cluster.name for other, _ in series)
    return f"{cluster.name}（#{cluster.id}）" if alike > 1 else cluster.name


def _pick_representatives(campaign, proposals):
    """Fill each proposal's representative ideas and sentences. The sample is
    drawn from the member ids the cluster row keeps (evenly spread, the most
    supported always in) and loaded in one query, live ideas only."""
    from nlp.summarize import representative, representative_sentences

    if not proposals:
        return
    support = supporter_counts(campaign)
    backers = dict(db.session.execute(select(support.c.idea_id, support.c.supporters)).all())
    sampled = {p.cluster.id: _spread(p.cluster.members, backers, SAMPLE) for p in proposals}
    wanted = sorted({idea_id for ids in sampled.values() for idea_id in ids})
    # Plain rows, not ORM objects: only what the report shows and the tokens.
    ideas = {row.id: row for row in db.session.execute(
        select(Idea.id, Idea.tracking_code, Idea.title, Idea.region, Idea.problem, Idea.suggestion,
               Idea.benefit, IdeaAnalysis.tokens)
        .join(IdeaAnalysis).where(Idea.id.in_(wanted), Idea.status.in_(HEATED)))}
    for proposal in proposals:
        sample = [(ideas[i], int(backers.get(i, 0))) for i in sampled[proposal.cluster.id] if i in ideas]
        weights = [1 + n for _, n in sample]
        central = representative([i.tokens for i, _ in sample], k=SENTENCE_SOURCES, weights=weights)
        proposal.ideas = [sample[n] for n in central[:IDEAS_PER_TOPIC]]
        sources = [sample[n][0] for n in central]
        picked = representative_sentences([_body(i) for i in sources], nlp.segmenter.segment,
                                          k=SENTENCES_PER_TOPIC,
                                          weights=[weights[n] for n in central])
        proposal.sentences = [(sources[n], sentence) for n, sentence in picked]


def _spread(members, backers, size):
    """At most ``size`` of the ids ``members`` (a few more when the most
    supported are not among them), evenly spaced over them; the most supported
    are always in."""
    members = sorted(members)
    if len(members) <= size:
        return members
    step = len(members) / size
    chosen = {members[int(n * step)] for n in range(size)}
    chosen |= set(sorted(members, key=lambda i: (-backers.get(i, 0), i))[:IDEAS_PER_TOPIC])
    return sorted(chosen)


def _body(idea):
    # The title is a headline, seldom a sentence: the proposal's own words are below it.
    return "\n".join((idea.problem, idea.suggestion, idea.benefit))
