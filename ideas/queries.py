"""Reads of ideas: one place for the queries views and exports share."""
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import Date, Integer, Text, and_, case, cast, func, literal, or_, select, tuple_
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY
from sqlalchemy.orm import aliased, selectinload

from app.auth.models import User
from app.campaigns.models import Theme
from app.exports import FORMULA_TRIGGERS
from app.extensions import db, nlp
from ideas.models import CoProposer, Idea, IdeaAnalysis, IdeaStatus, IdeaTally, search_vector
from ideas.public_models import IdeaSupport


TRACKING_CODE = re.compile(r"XC-\d{4}-\d{6}")


def idea_by_token(token):
    return db.session.execute(select(Idea).where(Idea.submission_token == token)).scalar_one_or_none()


def idea_by_code(code):
    return db.session.execute(select(Idea).where(Idea.tracking_code == code)).scalar_one_or_none()


def ideas_of_author(user, status=None):
    """Newest campaign first, newest idea first within it."""
    stmt = select(Idea).where(Idea.author_id == user.id)
    if status is not None:
        stmt = stmt.where(Idea.status == status)
    return db.session.execute(
        stmt.options(selectinload(Idea.events), selectinload(Idea.theme), selectinload(Idea.campaign))
        .order_by(Idea.campaign_id.desc(), Idea.created_at.desc(), Idea.id.desc())
    ).scalars().all()


@dataclass
class ScreeningFilter:
    status: str | None = None
    theme: str | None = None
    region: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str | None = None


def _screening_conditions(campaign, flt):
    found = [Idea.campaign_id == campaign.id, Idea.status != IdeaStatus.draft]
    if flt.status:
        found.append(Idea.status == IdeaStatus(flt.status))
    if flt.theme:
        found.append(Idea.theme_id == select(Theme.id).where(
            Theme.campaign_id == campaign.id, Theme.code == flt.theme).scalar_subquery())
    if flt.region:
        found.append(Idea.region == flt.region)
    if flt.date_from:
        found.append(Idea.submitted_at >= datetime.combine(flt.date_from, time.min))
    if flt.date_to:
        found.append(Idea.submitted_at < datetime.combine(flt.date_to + timedelta(days=1), time.min))
    if flt.q:
        found.append(_text_match(flt.q))
    return found


def _screening_statement(campaign, flt):
    stmt = select(Idea).where(*_screening_conditions(campaign, flt))
    return stmt.options(selectinload(Idea.theme), selectinload(Idea.author),
                        selectinload(Idea.analysis).options(
                            selectinload(IdeaAnalysis.suggested_theme),
                            selectinload(IdeaAnalysis.secondary_theme)))


def _substring_match(q):
    pattern = f"%{q}%"
    return or_(Idea.title.ilike(pattern), Idea.problem.ilike(pattern), Idea.suggestion.ilike(pattern),
               Idea.benefit.ilike(pattern), Idea.tracking_code.ilike(pattern))


def _text_match(q):
    """Ideas whose text has every word of ``q``. On PostgreSQL the words are the
    jieba tokens the idea was stored with, looked up in a GIN index over them
    (``search_vector``), so a search does not read every idea; a tracking code is
    matched as one. SQLite, and a query with no token at all (one character, only
    stop words), keep the substring match."""
    if db.session.get_bind().dialect.name != "postgresql":
        return _substring_match(q)
    code = q.strip().upper()
    if TRACKING_CODE.fullmatch(code):
        return Idea.tracking_code == code
    words = nlp.segmenter.cut(q)
    if not words:
        return _substring_match(q)
    # Each token a quoted lexeme, used as it is (no parser, no stemming), and as a
    # prefix: 停车 finds the ideas jieba cut into 停车场 or 停车换乘 too.
    query = " & ".join("'" + w.replace("\\", "\\\\").replace("'", "''") + "':*" for w in dict.fromkeys(words))
    return Idea.id.in_(select(IdeaAnalysis.idea_id).where(
        search_vector(IdeaAnalysis.tokens).op("@@")(cast(literal(query), TSQUERY))))


@dataclass
class KeysetPage:
    """One page of a list read by position rather than OFFSET: ``next_after`` is
    the last item's id when more follow, ``after`` the one this page started after."""

    items: list
    after: int | None
    next_after: int | None

    @classmethod
    def of(cls, rows, per_page, after, key=lambda item: item.id):
        """The page from ``rows`` read with ``per_page + 1``: the one too many says
        that more follow, and ``key`` of the last one kept is where they start."""
        more = len(rows) > per_page
        rows = rows[:per_page]
        return cls(rows, after, key(rows[-1]) if more else None)


# Below any nlp.worth score (they stay within a few points of 0): unscored ideas last.
# The index ix_idea_analyses_worth_order (migration 7e3a9c1d5b24) is on this very expression.
NO_WORTH = -1e9


def _in_order_after(stmt, flt, anchor):
    """``stmt`` in the queue's order, past ``anchor`` when given: 待筛选 in the
    screening order (nlp.worth: concrete measures, actors, numbers first; it only
    orders), ties by tracking number; everything else newest first."""
    if flt.status != IdeaStatus.submitted.value:
        stmt = stmt.order_by(Idea.submitted_at.desc(), Idea.id.desc())
        if anchor is None or anchor.submitted_at is None:
            return stmt
        return stmt.where(tuple_(Idea.submitted_at, Idea.id) < tuple_(anchor.submitted_at, anchor.id))
    worth = func.coalesce(IdeaAnalysis.worth_score, NO_WORTH)
    # An inner join: every submitted idea has its analysis from the moment it is
    # submitted (services.analyse_idea), and so PostgreSQL can walk the index on this
    # order (ix_idea_analyses_worth_order) and stop after a page.
    stmt = stmt.join(IdeaAnalysis, IdeaAnalysis.idea_id == Idea.id).order_by(worth.desc(), Idea.seq)
    if anchor is None or anchor.seq is None:
        return stmt
    anchor_worth = db.session.scalar(select(worth).select_from(Idea).outerjoin(
        IdeaAnalysis, IdeaAnalysis.idea_id == Idea.id).where(Idea.id == anchor.id))
    return stmt.where(or_(worth < anchor_worth, and_(worth == anchor_worth, Idea.seq > anchor.seq)))


def screening_page(campaign, flt, after, per_page):
    """``per_page`` ideas after the idea ``after``, read by position rather than
    OFFSET, so the thousandth page is as fast as the first."""
    anchor = db.session.get(Idea, after) if after else None
    stmt = _in_order_after(_screening_statement(campaign, flt), flt, anchor)
    return KeysetPage.of(db.session.scalars(stmt.limit(per_page + 1)).all(), per_page,
                         after if anchor is not None else None)


EXPORT_COLUMNS = (Idea.id, Idea.status, Idea.tracking_code, Idea.title, Idea.region, Idea.problem,
                  Idea.suggestion, Idea.benefit, Idea.contact_phone, Idea.show_name, Idea.submitted_at)


def screening_export(campaign, flt):
    """Rows (the columns of ``EXPORT_COLUMNS`` and ``theme_name``, ``real_name``,
    ``mobile``, ``email``, ``merged_code``) of the ideas under the filter, by number,
    read in batches while the download is written (a server-side cursor on
    PostgreSQL): plain rows, not objects, so a million of them cost little."""
    merged = aliased(Idea)
    stmt = (select(*EXPORT_COLUMNS, Theme.name.label("theme_name"), User.real_name, User.mobile, User.email,
                   merged.tracking_code.label("merged_code"))
            .join(User, User.id == Idea.author_id).outerjoin(Theme, Theme.id == Idea.theme_id)
            .outerjoin(merged, merged.id == Idea.merged_into_id)
            .where(*_screening_conditions(campaign, flt)).order_by(Idea.seq))
    return db.session.execute(stmt.execution_options(yield_per=1000))


def export_extras(campaign, flt):
    """{idea id: (standing label or None, co-proposers' names)} for the ideas under
    the filter that a later stage knows more of or that credit co-proposers: the
    few cells the database cannot compute, looked up once for a whole export."""
    ids = select(Idea.id).where(*_screening_conditions(campaign, flt))
    standing, names = standing_overrides(ids), co_proposer_names(ids)
    return {idea_id: (standing[idea_id].label if idea_id in standing else None, names.get(idea_id, []))
            for idea_id in standing.keys() | names.keys()}


COPY_BLOCK_BYTES = 1 << 16


def _cell(value):
    """A text cell as ``app.exports.neutralize`` leaves it, computed in SQL; empty is NULL."""
    value = func.nullif(func.coalesce(value, ""), "", type_=Text)
    return case((func.substr(value, 1, 1).in_(FORMULA_TRIGGERS), func.concat("'", value)), else_=value)


def screening_csv_blocks(campaign, flt, extras):
    """The rows of ``screening_export`` as CSV blocks that PostgreSQL writes itself
    (``COPY (SELECT …) TO STDOUT``), every cell computed in SQL as ``ideas.exports``
    computes it in Python; ``extras`` (idea id → (standing label, co-proposers), both
    text, "" for none, neutralised) are joined in as arrays. No row passes through
    Python, so an export runs at the speed of the server."""
    cursor = db.session.connection().connection.driver_connection.cursor()
    block, sql = bytearray(), export_sql(campaign, flt, extras)
    with cursor, cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
        for row in copy:  # psycopg hands over one row at a time: send them in blocks
            block += row
            if len(block) >= COPY_BLOCK_BYTES:
                yield bytes(block)
                block.clear()
    if block:
        yield bytes(block)


def export_sql(campaign, flt, extras):
    """The SELECT that ``screening_csv_blocks`` copies out, as SQL text."""
    merged = aliased(Idea)
    ids = list(extras)
    extra = func.unnest(
        cast(literal(ids, ARRAY(Integer)), ARRAY(Integer)),
        cast(literal([extras[i][0] for i in ids], ARRAY(Text)), ARRAY(Text)),
        cast(literal([extras[i][1] for i in ids], ARRAY(Text)), ARRAY(Text)),
    ).table_valued("idea_id", "standing", "co_proposers").render_derived(name="extra")
    status_label = case(*((Idea.status == status, status.label) for status in IdeaStatus))
    stmt = (select(_cell(Idea.tracking_code), _cell(Idea.title), _cell(Theme.name),
                   func.coalesce(func.nullif(extra.c.standing, ""), status_label), _cell(Idea.region),
                   _cell(Idea.problem), _cell(Idea.suggestion), _cell(Idea.benefit), _cell(User.real_name),
                   _cell(func.coalesce(func.nullif(User.mobile, ""), User.email)), _cell(Idea.contact_phone),
                   case((Idea.show_name, "是"), else_="否"), func.nullif(extra.c.co_proposers, ""),
                   _cell(merged.tracking_code), func.to_char(Idea.submitted_at, "YYYY-MM-DD HH24:MI"))
            .join(User, User.id == Idea.author_id).outerjoin(Theme, Theme.id == Idea.theme_id)
            .outerjoin(merged, merged.id == Idea.merged_into_id).outerjoin(extra, extra.c.idea_id == Idea.id)
            .where(*_screening_conditions(campaign, flt)).order_by(Idea.seq))
    # COPY takes no parameters: the values go in as literals, quoted by the dialect the
    # connection set up (it knows how this server reads backslashes). With nothing
    # left to bind, the doubled percent signs of the pyformat style are just percent signs.
    sql = str(stmt.compile(dialect=db.session.get_bind().dialect, compile_kwargs={"literal_binds": True}))
    return sql.replace("%%", "%")


def co_proposer_names(idea_ids):
    """{idea id: [co-proposers' display names]} in the order they were credited."""
    found = {}
    rows = db.session.execute(select(CoProposer.idea_id, User).join(User, User.id == CoProposer.user_id)
                              .where(CoProposer.idea_id.in_(idea_ids)).order_by(CoProposer.id))
    for idea_id, user in rows:
        found.setdefault(idea_id, []).append(user.display_name)
    return found


# What ideas are counted by, in IdeaTally and in the ideas themselves.
_COUNTED_BY = {"status": Idea.status, "theme_id": Idea.theme_id, "region": Idea.region,
               "day": func.date(Idea.submitted_at, type_=Date)}
_NONE_IN_TALLY = {"theme_id": 0, "region": "", "day": IdeaTally.NO_DAY}


def idea_counts(campaign, by, statuses=None):
    """{value of ``by`` ("status", "theme_id", "region" or "day"): ideas} of the campaign
    with one of ``statuses`` (any when None); None stands for no theme, region or day.
    PostgreSQL adds up the trigger-kept tallies, SQLite counts the ideas."""
    if db.session.get_bind().dialect.name != "postgresql":
        column = _COUNTED_BY[by]
        stmt = select(column, func.count()).where(Idea.campaign_id == campaign.id)
        if statuses is not None:
            stmt = stmt.where(Idea.status.in_(statuses))
        return dict(db.session.execute(stmt.group_by(column)).all())
    column = getattr(IdeaTally, by)
    stmt = select(column, func.sum(IdeaTally.n)).where(IdeaTally.campaign_id == campaign.id)
    if statuses is not None:
        stmt = stmt.where(IdeaTally.status.in_([s.value for s in statuses]))
    none = _NONE_IN_TALLY.get(by)
    return {(IdeaStatus(key) if by == "status" else None if key == none else key): int(n)
            for key, n in db.session.execute(stmt.group_by(column)).all() if n}


def status_counts(campaign):
    return idea_counts(campaign, "status")


def ideas_by_ids(campaign, ids):
    return db.session.execute(
        select(Idea).where(Idea.campaign_id == campaign.id, Idea.id.in_(ids)).order_by(Idea.id)
    ).scalars().all()


def next_pending(idea):
    """The 待筛选 idea to look at after this one: the next by number, else the first."""
    pending = select(Idea).where(Idea.campaign_id == idea.campaign_id, Idea.status == IdeaStatus.submitted,
                                 Idea.id != idea.id).order_by(Idea.seq)
    return (db.session.scalars(pending.where(Idea.seq > idea.seq).limit(1)).first()
            or db.session.scalars(pending.limit(1)).first())


@dataclass(frozen=True)
class Standing:
    """An idea's status as the public sees it: ``value`` names the badge style."""

    value: str
    label: str


def standings(ideas):
    """Idea id → Standing. The status column says where the idea last moved; a later
    stage can know more (eliminated in a later round, removed by an upheld objection)
    without moving it, so each stage registers a reader under
    ``app.extensions["idea_standings"]`` (idea ids → {id: Standing}), the later stage last."""
    found = {idea.id: Standing(idea.status.value, idea.status.label) for idea in ideas}
    if found:
        found.update(standing_overrides(list(found)))
    return found


def standing_overrides(idea_ids):
    """Idea id → Standing for those of ``idea_ids`` (ids, or a query of them) that a
    later stage knows more of, by the readers of ``standings``."""
    found = {}
    for reader in current_app.extensions.get("idea_standings", ()):
        found.update(reader(idea_ids))
    return found


def standing(idea):
    return standings([idea])[idea.id]


def supporters_count(idea_ids):
    """Idea id → how many citizens support (附议) it now; 0 for ideas nobody supports.
    Withdrawn support is gone from the table, so it never counts."""
    ids = list(idea_ids)
    counts = dict.fromkeys(ids, 0)
    if ids:
        counts.update(db.session.execute(
            select(IdeaSupport.idea_id, func.count()).where(IdeaSupport.idea_id.in_(ids))
            .group_by(IdeaSupport.idea_id)).all())
    return counts
