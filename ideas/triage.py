"""The screening dry run behind ``flask ideas triage-sim``: messages with a
known truth (a label; optionally a group of messages that say the same thing)
go through the real pipeline in a throw-away database — submission, the
rebuild (gate, themes, clusters, groups) — and then a careful staff member
works the screening the way the pages offer it, counting every click that
changes a state.

What the simulated staff member reads, and so can correct: in the off-topic
queue, the messages marked 可能是建议 (the gate was unsure); in a group, the
lead and the members least like it, which the group page shows first; in a
cluster, the lead of every unit (an ungrouped message, or a group). What they
do not read is decided as the system suggests — that is where proposals can be
set aside wrongly, and the run counts them."""
import csv
import time
from collections import Counter
from datetime import timedelta
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import insert, select

from app.auth.models import Role, User
from app.auth.services import create_account, hash_password
from app.campaigns.services import create_campaign
from app.extensions import db
from app.timeutil import now
from ideas import analysis_queries, group_queries, groups
from ideas import services as idea_services
from ideas.analysis_services import decide_off_topic, rebuild
from ideas.group_models import GroupState, IdeaGroup, IdeaGroupMember
from ideas.models import Idea, IdeaAnalysis, IdeaEvent, IdeaStatus
from ideas.services import text_hash, text_of, tracking_code
from nlp.segmenter import segment_many
from nlp.worth import worth

PASSWORD = "Triage2024x"
# Members of a group a careful staff member reads besides its lead (the least alike, shown first).
CHECKED_MEMBERS = 3
SET_ASIDE = "经阅读，不属于本次征集的建议或内容不具体"


def load_messages(path, text_col, label_col, group_col=None):
    """[(text, label, group)] from a CSV; without a group column each message is its own."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    if rows and (text_col not in rows[0] or label_col not in rows[0]
                 or (group_col and group_col not in rows[0])):
        raise ValueError(f"CSV 缺少列：需要 {text_col}、{label_col}"
                         + (f"、{group_col}" if group_col else ""))
    return [(r[text_col].strip(), r[label_col].strip(), r[group_col].strip() if group_col else f"row-{n}")
            for n, r in enumerate(rows) if r[text_col].strip()]


class Staff:
    """The simulated staff member: truth per idea id, and the clicks made."""

    def __init__(self, user, truth, other_label):
        self.user, self.truth, self.other = user, truth, other_label
        self.decisions = Counter()
        self.moved_in_bulk = set()
        self.read = 0

    def proposal(self, idea_id):
        return self.truth[idea_id][1] != self.other

    def same(self, a, b):
        return self.truth[a][2] == self.truth[b][2] and self.proposal(a) == self.proposal(b)

    def click(self, kind, moved_ids):
        self.decisions[kind] += 1
        if len(moved_ids) > 1:
            self.moved_in_bulk.update(moved_ids)
        db.session.commit()


def _submit_all(campaign, messages):
    """The messages as submitted ideas of as many citizens, written in bulk.

    What a submission leaves behind — the account, the numbered idea, its history
    line, its tokens and screening-order score — made with the same helpers, in a
    few statements: one ORM round of save_idea per message took ≈ 28 ms, most of
    a 10,000-message run. The submission path itself is tested on its own."""
    at, password_hash = now(), hash_password(PASSWORD)
    author_ids = db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), [
        {"email": f"author{n}@triage.example.com", "role": Role.citizen, "password_hash": password_hash,
         "created_at": at} for n in range(len(messages))]).all()
    seq0 = campaign.idea_seq
    rows = [{"campaign_id": campaign.id, "author_id": author_id, "submission_token": f"triage-{n}",
             "status": IdeaStatus.submitted, "title": text[:30], "problem": text, "suggestion": "",
             "benefit": "", "seq": seq0 + n + 1, "tracking_code": tracking_code(campaign.year, seq0 + n + 1),
             "created_at": at, "updated_at": at, "submitted_at": at}
            for n, ((text, _, _), author_id) in enumerate(zip(messages, author_ids))]
    idea_ids = db.session.scalars(insert(Idea).returning(Idea.id, sort_by_parameter_order=True), rows).all()
    campaign.idea_seq = seq0 + len(rows)
    db.session.execute(insert(IdeaEvent), [
        {"idea_id": idea_id, "actor_id": row["author_id"], "from_status": IdeaStatus.draft,
         "to_status": IdeaStatus.submitted, "reason": "", "created_at": at}
        for idea_id, row in zip(idea_ids, rows)])
    texts = [text_of(SimpleNamespace(**row)) for row in rows]
    analyses = []
    for idea_id, text, tokens in zip(idea_ids, texts, segment_many(texts)):
        found = worth(text)
        analyses.append({"idea_id": idea_id, "text_hash": text_hash(text), "tokens": tokens,
                         "worth_score": found.score, "worth_reason": found.reason, "updated_at": at})
    db.session.execute(insert(IdeaAnalysis), analyses)
    db.session.commit()
    return dict(zip(idea_ids, messages))


def _off_topic_queue(campaign, staff, doubt):
    for kind in sorted(analysis_queries.off_topic_kinds(campaign)):
        queue = analysis_queries.off_topic_ideas(campaign, kind)
        doubtful = [i for i in queue if (i.analysis.on_topic_probability or 0) >= doubt]
        staff.read += len(doubtful)
        keep = [i for i in doubtful if staff.proposal(i.id)]
        if keep:
            decide_off_topic(keep, "keep", staff.user, "经阅读属于本次征集")
            staff.click("off_topic_keep", [i.id for i in keep])
        rest = analysis_queries.off_topic_ideas(campaign, kind)
        if rest:
            decide_off_topic(rest, "reject", staff.user, "")
            staff.click("off_topic_reject", [i.id for i in rest])


def _check_groups(campaign, staff):
    for group in group_queries.open_groups(campaign):
        shown = group_queries.members_least_alike_first(group)[1:1 + CHECKED_MEMBERS]
        staff.read += len(shown)
        if any(not staff.same(group.lead_id, m.idea_id) for m in shown):
            groups.split_group(group, staff.user, "成员说的不是同一件事")
            staff.click("group_split", [])


def _members(unit):
    lead, group = unit
    return [m.idea_id for m in group.members] if group is not None else [lead.id]


def _clusters(campaign, staff):
    """Each cluster a page at a time, as the page offers it: a decision covers the
    page, and the next undecided units then come first."""
    run = analysis_queries.latest_cluster_run(campaign)
    for cluster in run.clusters if run else ():
        while units := group_queries.cluster_page(cluster, None, group_queries.CLUSTER_PAGE_SIZE).items:
            staff.read += len(units)
            ticked = [lead.id for lead, _ in units if staff.proposal(lead.id)]
            groups.decide_cluster(cluster, [lead.id for lead, _ in units],
                                  [group.id for _, group in units if group is not None], ticked,
                                  staff.user, SET_ASIDE, credit=True)
            staff.click("cluster", [i for unit in units for i in _members(unit)])


def _leftovers(campaign, staff, page_size):
    """What no cluster holds: open groups one decision each, the rest from the
    screening list a page at a time (ticked ones accepted, then the others set aside)."""
    for group in group_queries.open_groups(campaign):
        decision = "accept" if staff.proposal(group.lead_id) else "reject"
        groups.decide_group(group, decision, staff.user, "" if decision == "accept" else SET_ASIDE,
                            credit=True)
        staff.click("group", [m.idea_id for m in group.members])
    pending = db.session.scalars(select(Idea).where(Idea.campaign_id == campaign.id,
                                                    Idea.status == IdeaStatus.submitted)
                                 .order_by(Idea.seq)).all()
    staff.read += len(pending)
    for start in range(0, len(pending), page_size):
        page = pending[start:start + page_size]
        good = [i for i in page if staff.proposal(i.id)]
        bad = [i for i in page if not staff.proposal(i.id)]
        for ideas, action, reason in ((good, "accept", ""), (bad, "reject", SET_ASIDE)):
            if ideas:
                idea_services.bulk_screen(ideas, action, staff.user, reason)
                staff.click(f"list_{action}", [i.id for i in ideas])


def _figures(campaign, staff, messages, seconds):
    ideas = db.session.scalars(select(Idea).where(Idea.campaign_id == campaign.id)).all()
    proposals = [i for i in ideas if staff.proposal(i.id)]
    other = [i for i in ideas if not staff.proposal(i.id)]
    wrongly = [i for i in proposals if i.status is IdeaStatus.rejected]
    in_group = set(db.session.scalars(select(IdeaGroupMember.idea_id).join(IdeaGroup).where(
        IdeaGroup.campaign_id == campaign.id, IdeaGroup.state == GroupState.rejected)))
    wrongly_by = Counter("off_topic_queue" if i.analysis.gate_kind
                         else "group" if i.id in in_group else "one_by_one" for i in wrongly)
    by_gate = {i.id for i in other if i.analysis.gate_kind}
    accepted_groups = Counter(staff.truth[i.id][2] for i in ideas if i.status is IdeaStatus.accepted)
    formed = db.session.scalars(select(IdeaGroup).where(IdeaGroup.campaign_id == campaign.id)).all()
    decisions = sum(staff.decisions.values())
    return {
        "messages": len(messages), "proposals": len(proposals),
        "staff_decisions": decisions,
        "decisions_per_100_messages": round(100 * decisions / max(len(messages), 1), 2),
        "decisions_by_kind": dict(sorted(staff.decisions.items())),
        "proposals_set_aside_wrongly": len(wrongly),
        "proposals_set_aside_wrongly_share": round(len(wrongly) / max(len(proposals), 1), 4),
        "proposals_set_aside_wrongly_by": dict(sorted(wrongly_by.items())),
        # Messages the staff member read one by one (doubtful ones in the off-topic queue,
        # the leads of cluster units, the least-alike members of groups): reading is work too.
        "messages_read": staff.read,
        "off_topic": len(other),
        # Share of what is not a proposal that the gate's queue took (and staff closed there).
        "off_topic_caught": round(len(by_gate) / max(len(other), 1), 4),
        # Share closed by a decision covering more than one message.
        "off_topic_in_bulk": round(len({i.id for i in other} & staff.moved_in_bulk) / max(len(other), 1), 4),
        "off_topic_accepted": sum(i.status is IdeaStatus.accepted for i in other),
        "groups": len(formed),
        "groups_split": sum(g.state is GroupState.split for g in formed),
        "messages_in_groups": sum(len(g.members) for g in formed),
        # Accepted ideas beyond the first of what is truly one proposal: merges the groups missed.
        "duplicates_accepted": sum(n - 1 for n in accepted_groups.values()),
        "still_pending": sum(i.status is IdeaStatus.submitted for i in ideas),
        "seconds": seconds,
    }


def run_triage(messages, other_label, doubt=0.1):
    """The whole dry run in the current (throw-away) app; returns the figures."""
    started, cpu = time.perf_counter(), time.process_time()
    campaign = create_campaign(None, now().year, "分流演练", now() - timedelta(days=1),
                               now() + timedelta(days=30), make_current=True)
    user = create_account(None, "staff@triage.example.com", PASSWORD, Role.staff)
    truth = _submit_all(campaign, messages)
    loaded = time.perf_counter()
    rebuild(campaign)
    db.session.commit()
    analysed = time.perf_counter()
    staff = Staff(user, truth, other_label)
    _off_topic_queue(campaign, staff, doubt)
    _check_groups(campaign, staff)
    _clusters(campaign, staff)
    _leftovers(campaign, staff, current_app.config["SCREENING_PAGE_SIZE"])
    done = time.perf_counter()
    # CPU time beside the wall clock: on a shared machine the two part ways.
    seconds = {"total": round(done - started, 1), "load": round(loaded - started, 1),
               "analysis": round(analysed - loaded, 1), "screening": round(done - analysed, 1),
               "cpu": round(time.process_time() - cpu, 1)}
    return _figures(campaign, staff, messages, seconds)
