"""Group screening: messages that say the same thing are decided together.

A rebuild forms the groups (``regroup``); staff accept, reject or merge a
whole group in one decision, or split a wrong one, which puts every member
back where it was. Each member's move goes through the idea services, so its
history, its author's notification and the action log are those of a single
decision. Functions flush; the view or command commits once.
"""
from sqlalchemy import delete, select

from app.audit.services import log_action
from app.extensions import db
from app.locks import lock_row
from app.states import move
from app.timeutil import now
from ideas import group_queries
from ideas import services as idea_services
from ideas.group_models import GroupState, IdeaGroup, IdeaGroupMember
from ideas.models import CoProposer, Idea, IdeaAnalysis, IdeaStatus
from ideas.services import ScreeningError

_DECIDED = {"accept": GroupState.accepted, "reject": GroupState.rejected, "merge": GroupState.merged}
DECISIONS = {"accept": "整组采纳", "reject": "整组不予采纳", "merge": "整组并入已有建议"}


def regroup(campaign, ideas, X, threshold):
    """Form the open groups afresh from ``ideas`` (rows of ``X``, the TF-IDF
    of every analysed idea of the rebuild). Only submitted, on-topic ideas
    outside any decided group are grouped; one split by staff stays alone."""
    from nlp.grouping import near_duplicate_groups

    open_ids = select(IdeaGroup.id).where(IdeaGroup.campaign_id == campaign.id,
                                          IdeaGroup.state == GroupState.open)
    db.session.execute(delete(IdeaGroupMember).where(IdeaGroupMember.group_id.in_(open_ids)))
    db.session.execute(delete(IdeaGroup).where(IdeaGroup.campaign_id == campaign.id,
                                               IdeaGroup.state == GroupState.open))
    taken = set(db.session.scalars(select(IdeaGroupMember.idea_id).join(IdeaGroup)
                                   .where(IdeaGroup.campaign_id == campaign.id)))
    rows = sorted((n for n, idea in enumerate(ideas)
                   if idea.status is IdeaStatus.submitted and idea.analysis.theme_status != "off_topic"
                   and idea.id not in taken), key=lambda n: ideas[n].seq)
    if len(rows) < 2:
        return []
    sub = X[rows]
    groups = []
    for members in near_duplicate_groups(sub, threshold=threshold):
        group = IdeaGroup(campaign_id=campaign.id, lead_id=ideas[rows[members[0]]].id, reason="")
        lead_row = sub[members[0]]
        for m in members:
            score = 1.0 if m == members[0] else float((sub[m] @ lead_row.T).toarray()[0, 0])
            group.members.append(IdeaGroupMember(idea_id=ideas[rows[m]].id, score=round(score, 4)))
        groups.append(group)
    db.session.add_all(groups)
    db.session.flush()
    return groups


def _groupable(idea_status, theme_status):
    return idea_status is IdeaStatus.submitted and theme_status != "off_topic"


def extend(campaign, ideas, index, threshold, n_candidates=10):
    """Add ``ideas`` (new since the last rebuild) to the open groups without
    forming the others afresh: by ``regroup``'s rule, each submitted, on-topic
    one outside any group joins its most similar earlier such idea at or above
    ``threshold``, found among its ``n_candidates`` nearest in ``index`` (the
    similar-ideas index, which already holds them): that idea's open group,
    or a new group the earlier idea leads."""
    newcomers = sorted((i for i in ideas if _groupable(i.status, i.analysis.theme_status)),
                       key=lambda i: i.seq)
    hits = dict(zip((i.id for i in newcomers), index.query_many(
        [i.analysis.tokens for i in newcomers], top_k=n_candidates, min_score=threshold,
        excludes=[i.id for i in newcomers])))
    candidates = {c for found in hits.values() for c, _ in found}
    # Where the newcomers and their candidates stand: their number, whether they may be
    # grouped (submitted, on topic, in no decided group), and their open group if any.
    seq_of, free, decided, group_of = {}, set(), set(), {}
    ids = sorted(candidates | set(hits))
    for start in range(0, len(ids), 5000):
        rows = db.session.execute(
            select(Idea.id, Idea.seq, Idea.status, IdeaAnalysis.theme_status, IdeaGroupMember.group_id,
                   IdeaGroup.state)
            .join(IdeaAnalysis, IdeaAnalysis.idea_id == Idea.id)
            .outerjoin(IdeaGroupMember, IdeaGroupMember.idea_id == Idea.id)
            .outerjoin(IdeaGroup, IdeaGroup.id == IdeaGroupMember.group_id)
            .where(Idea.campaign_id == campaign.id, Idea.id.in_(ids[start:start + 5000])))
        for idea_id, seq, status, theme_status, group_id, state in rows:
            seq_of[idea_id] = seq
            if group_id is not None and state is not GroupState.open:
                decided.add(idea_id)  # decided together with others: not regrouped
            elif _groupable(status, theme_status):
                free.add(idea_id)
                if group_id is not None:
                    group_of[idea_id] = group_id
    free -= decided
    groups, lead_tokens = {}, {}
    for idea in newcomers:
        if idea.id not in free or idea.id in group_of:
            continue  # already in a group: the next rebuild regroups it
        earlier = next((c for c, _ in hits[idea.id] if c in free and seq_of[c] < idea.seq), None)
        if earlier is None:
            continue
        if earlier in group_of:
            group = groups.get(group_of[earlier]) or db.session.get(IdeaGroup, group_of[earlier])
        else:
            group = IdeaGroup(campaign_id=campaign.id, lead_id=earlier, reason="")
            group.members.append(IdeaGroupMember(idea_id=earlier, score=1.0))
            db.session.add(group)
            db.session.flush()
            group_of[earlier] = group.id
        groups[group.id] = group
        if group.lead_id not in lead_tokens:
            lead_tokens[group.lead_id] = db.session.scalar(
                select(IdeaAnalysis.tokens).where(IdeaAnalysis.idea_id == group.lead_id))
        score = index.similarity(lead_tokens[group.lead_id], idea.id)
        group.members.append(IdeaGroupMember(idea_id=idea.id, score=round(score, 4)))
        group_of[idea.id] = group.id
    db.session.flush()
    return list(groups.values())


def _lock(group):
    lock_row(IdeaGroup, group.id)
    db.session.refresh(group)
    idea_services.lock_ideas(*(m.idea for m in group.members))


def decide_group(group, decision, actor, reason="", credit=False, into_code=None):
    """One decision for the whole group, all members or none. ``accept``: the
    lead is accepted and every later member merged into it; ``reject``: all
    rejected with the one reason; ``merge``: all merged into the earlier idea
    ``into_code``. ``credit`` makes the later authors co-proposers; either
    way each stays a member, counted among the people who raised it."""
    if decision not in DECISIONS:
        raise ScreeningError("请选择整组的处理方式")
    reason = reason or ""
    if decision == "reject" and not reason:
        raise ScreeningError("整组不予采纳须说明理由，每位提出人都会看到")
    _lock(group)
    if group.state is not GroupState.open:
        raise ScreeningError(f"这一组已{group.state.label}，请刷新后查看")
    for member in group.members:
        if member.idea.status is not IdeaStatus.submitted:
            raise ScreeningError(f"{member.idea.tracking_code} 已被单独处理（{member.idea.status.label}），"
                                 "整组一条也没有处理；请先把它拆出这一组")
        member.previous_status = member.idea.status
    lead = group.lead
    note = f"整组处理（{len(group.members)} 条）。{reason}".strip()
    if decision == "accept":
        idea_services.accept_locked(lead, actor, note)
        for member in group.members[1:]:
            idea_services.merge_duplicate(member.idea, lead.tracking_code, actor, note, credit=credit)
    elif decision == "reject":
        for member in group.members:
            idea_services.reject_locked(member.idea, actor, note)
    else:
        target = idea_services.idea_by_code((into_code or "").strip().upper())
        if target is None or target.id in {m.idea_id for m in group.members}:
            raise ScreeningError("请填写本组以外、先提交的建议编号")
        for member in group.members:
            idea_services.merge_duplicate(member.idea, target.tracking_code, actor, note, credit=credit)
        group.merged_into = target
    move(group, _DECIDED[decision], error=ScreeningError)
    group.credited, group.reason = bool(credit and decision != "reject"), reason
    group.decided_by_id, group.decided_at = actor.id, now()
    db.session.flush()
    details = {"lead": lead.tracking_code, "members": len(group.members), "reason": reason,
               "credited": group.credited}
    # Literal action names: the log page's labels are checked against them.
    if decision == "accept":
        log_action(actor, "group.accept", group, **details)
    elif decision == "reject":
        log_action(actor, "group.reject", group, **details)
    else:
        log_action(actor, "group.merge", group, **details)
    return group


def split_group(group, actor, reason=""):
    """Undo a wrong group: every member returns to the status it had before
    the group's decision (submitted, for an undecided group), credit given by
    the decision is taken back, and its members are never grouped again."""
    reason = reason or ""
    _lock(group)
    if group.state is GroupState.split:
        raise ScreeningError("这一组已经拆分")
    decided = group.state is not GroupState.open
    expected = {"accepted": IdeaStatus.accepted, "rejected": IdeaStatus.rejected, "merged": IdeaStatus.merged}
    for member in group.members if decided else ():
        now_status = (expected[group.state.value] if group.state is not GroupState.accepted
                      or member.idea_id == group.lead_id else IdeaStatus.merged)
        if member.idea.status is not now_status:
            raise ScreeningError(f"{member.idea.tracking_code} 在整组处理之后又有变化"
                                 f"（{member.idea.status.label}），不能再拆分这一组")
    note = f"拆分分组，恢复为分组处理前的状态。{reason}".strip()
    for member in group.members if decided else ():
        idea = member.idea
        if idea.status is IdeaStatus.merged:
            kept = idea.merged_into
            db.session.execute(delete(CoProposer).where(CoProposer.source_idea_id == idea.id))
            with db.session.no_autoflush:
                idea.merged_into = None
                idea_services.transition(idea, member.previous_status or IdeaStatus.submitted, actor, note)
            idea_services.add_note(kept, actor, f"{idea.tracking_code} 因拆分分组不再并入本建议")
        else:
            idea_services.transition(idea, member.previous_status or IdeaStatus.submitted, actor, note)
        idea_services.tell_author(idea, f"您的建议 {idea.tracking_code} 重新待筛选",
                                  f"您提出的建议《{idea.title}》此前随一组相似建议处理，工作人员已拆分该组，"
                                  "将单独筛选。")
        log_action(actor, "idea.regroup", idea, code=idea.tracking_code, group=group.id)
    move(group, GroupState.split, error=ScreeningError)
    group.reason = reason or group.reason
    db.session.flush()
    log_action(actor, "group.split", group, lead=group.lead.tracking_code, members=len(group.members),
               undone=decided, reason=reason)
    return group


_UNTOUCHED = "本页一项也没有处理；请刷新后再处理"
_CHANGED = f"这一页的建议或分组已有变化，{_UNTOUCHED}"


def decide_cluster(cluster, shown_ids, shown_group_ids, accept_ids, actor, reason, credit=False):
    """One page of a cluster as one decision, covering exactly the units the page
    showed: ``shown_ids`` their lead ideas, ``shown_group_ids`` the open groups among
    them. The ticked ones (``accept_ids``) are accepted, the rest set aside with one
    reason, all in one transaction; any refusal rolls all back, and so does any unit
    that changed since the page was read (decided alone, grouped, moved by a rebuild)."""
    shown_ids, shown_group_ids = set(shown_ids), set(shown_group_ids)
    if not shown_ids:
        raise ScreeningError("这一页没有待筛选的建议")
    accept_ids = set(accept_ids) & shown_ids
    rest = len(shown_ids) - len(accept_ids)
    reason = reason or ""
    if rest and not reason:
        raise ScreeningError(f"其余 {rest} 项将不予采纳，须写一个理由，提出人会看到")
    decided = [db.session.get(IdeaGroup, group_id) for group_id in sorted(shown_group_ids)]
    if any(group is None or group.lead_id not in shown_ids for group in decided):
        raise ScreeningError(_CHANGED)
    led = {group.lead_id for group in decided}
    alone = db.session.scalars(select(Idea).where(Idea.id.in_(shown_ids - led))).all()
    if len(alone) + len(led) != len(shown_ids):
        raise ScreeningError(_CHANGED)
    # The ideas alone in one lock; each group takes its own row and its members' rows.
    idea_services.lock_ideas(*alone)
    grouped_since = group_queries.groups_of_ideas([idea.id for idea in alone])
    for idea in alone:
        _still_pending(idea, cluster)
        if idea.id in grouped_since:
            raise ScreeningError(f"{idea.tracking_code} 刚与相似建议分为一组，{_UNTOUCHED}")
    for idea in alone:
        if idea.id in accept_ids:
            idea_services.accept_locked(idea, actor)
        else:
            idea_services.reject_locked(idea, actor, reason)
    for group in decided:
        # decide_group locks the group and checks every member again.
        if group.state is not GroupState.open:
            raise ScreeningError(f"{group.lead.tracking_code} 领衔的一组已{group.state.label}，{_UNTOUCHED}")
        _still_pending(group.lead, cluster)
        if group.lead_id in accept_ids:
            decide_group(group, "accept", actor, credit=credit)
        else:
            decide_group(group, "reject", actor, reason)
    db.session.flush()
    return len(accept_ids), rest


def _still_pending(idea, cluster):
    """Refuse a unit decided alone or moved to another cluster since the page was read."""
    if idea.status is not IdeaStatus.submitted:
        raise ScreeningError(f"{idea.tracking_code} 已被单独处理（{idea.status.label}），{_UNTOUCHED}")
    if idea.analysis is None or idea.analysis.cluster_id != cluster.id:
        raise ScreeningError(f"{idea.tracking_code} 已不在这个聚类里（重新分析过），{_UNTOUCHED}")
