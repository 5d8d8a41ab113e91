"""Read side of moderation: the queue, pending appeals, active blocks, the public log, and what the author of a
moderated comment sees. Every list is keyset-paginated and runs a fixed number of queries per page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import orm

from consult.documents.models import Section
from consult.extensions import db
from consult.i18n import lazy_gettext as _l
from consult.moderation.models import Action, Appeal, ModerationAction, ModerationQuestion, QueueEntry
from consult.pagination import MAX_POSITION
from consult.pagination import decode_cursor as _decode
from consult.pagination import encode_cursor as _encode
from consult.params import BadParameter, check_text, whole_number
from consult.participation.models import Block, Comment, Report
from consult.rounds.models import Round
from consult.timeutil import utcnow

PAGE_SIZE = 20
REASONS_SHOWN = 5  # report reasons listed per queued comment (the count says how many more)
_EPOCH = dt.datetime(1970, 1, 1)
_MICROSECOND = dt.timedelta(microseconds=1)
_MAX_MICROS = (dt.datetime(9999, 12, 31) - _EPOCH) // _MICROSECOND  # beyond it, no datetime: an OverflowError


@dataclass
class QueueItem:
    entry: QueueEntry | None  # None: a comment without open reports (the "all new comments" view)
    comment: Comment
    round: Round
    section_title: str | None
    reasons: list[Report] = field(default_factory=list)

    @property
    def more_reasons(self) -> int:
        return max(self.entry.open_reports - len(self.reasons), 0) if self.entry else 0


@dataclass
class Page:
    items: list
    next_cursor: str | None


def _micros(value: dt.datetime) -> int:
    return (value - _EPOCH) // _MICROSECOND


def queue_page(
    agency_id: int, *, round_id: int | None = None, cursor: str | None = None, limit: int = PAGE_SIZE
) -> Page:
    """Comments of the agency (or of one of its rounds) with open reports: most open reports first, then the
    longest waiting (oldest open report), then by id. Four queries whatever the queue's size: the page (queue
    rows with their comments, participants and authors), their rounds, their sections' titles, and up to
    REASONS_SHOWN open report reasons per comment."""
    query = (
        sa.select(QueueEntry, Comment)
        .join(Comment, Comment.id == QueueEntry.comment_id)
        .where(QueueEntry.agency_id == agency_id)
    )
    if round_id is not None:
        query = query.where(QueueEntry.round_id == round_id)
    if cursor:
        n, micros, comment_id = _decode(cursor, 3, maximum=(MAX_POSITION, _MAX_MICROS, MAX_POSITION))
        since = _EPOCH + micros * _MICROSECOND
        query = query.where(
            sa.or_(
                QueueEntry.open_reports < n,
                sa.and_(
                    QueueEntry.open_reports == n,
                    sa.tuple_(QueueEntry.first_report_at, QueueEntry.comment_id) > sa.tuple_(since, comment_id),
                ),
            )
        )
    query = query.order_by(QueueEntry.open_reports.desc(), QueueEntry.first_report_at, QueueEntry.comment_id)
    rows = db.session.execute(query.limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    if not rows:
        return Page([], None)
    items = _queue_items(rows)
    last = items[-1].entry
    next_cursor = _encode(last.open_reports, _micros(last.first_report_at), last.comment_id) if more else None
    return Page(items, next_cursor)


def _queue_items(rows: list) -> list[QueueItem]:
    """(queue entry or None, comment) rows with their rounds, sections' titles and open report reasons: three
    queries whatever the number of rows."""
    rounds = {r.id: r for r in db.session.scalars(sa.select(Round).where(Round.id.in_({c.round_id for _, c in rows})))}
    section_ids = {c.section_id for _, c in rows if c.section_id is not None}
    titles = (
        dict(db.session.execute(sa.select(Section.id, Section.title).where(Section.id.in_(section_ids))).all())
        if section_ids
        else {}
    )
    reported = [c.id for entry, c in rows if entry is not None]
    reasons: dict[int, list[Report]] = {}
    if reported:
        position = sa.func.row_number().over(partition_by=Report.comment_id, order_by=Report.id).label("position")
        ranked = (
            sa.select(Report, position).where(Report.comment_id.in_(reported), Report.handled_at.is_(None)).subquery()
        )
        report = orm.aliased(Report, ranked)
        for r in db.session.scalars(
            sa.select(report).where(ranked.c.position <= REASONS_SHOWN).order_by(ranked.c.comment_id, ranked.c.position)
        ):
            reasons.setdefault(r.comment_id, []).append(r)
    return [
        QueueItem(entry, comment, rounds[comment.round_id], titles.get(comment.section_id), reasons.get(comment.id, []))
        for entry, comment in rows
    ]


def new_comments_page(round_id: int, *, cursor: str | None = None, limit: int = PAGE_SIZE) -> Page:
    """Every comment of a round, replies included, newest first, reported or not (the moderators' "all new
    comments" view of the queue), each with its open reports if it has any. Keyset by id over
    ix_comments_round_new; four queries at most whatever the round's size (the page with its queue rows, the
    round, the sections' titles, the reasons of the reported ones)."""
    query = (
        sa.select(QueueEntry, Comment)
        .select_from(Comment)
        .outerjoin(QueueEntry, QueueEntry.comment_id == Comment.id)
        .where(Comment.round_id == round_id)
    )
    if cursor:
        (before,) = _decode(cursor, 1)
        query = query.where(Comment.id < before)
    rows = db.session.execute(query.order_by(Comment.id.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    if not rows:
        return Page([], None)
    return Page(_queue_items(rows), _encode(rows[-1][1].id) if more else None)


def agency_rounds(agency_id: int, limit: int = 100) -> list[Round]:
    """The agency's rounds, newest first (the queue's filter offers them)."""
    return list(
        db.session.scalars(sa.select(Round).where(Round.agency_id == agency_id).order_by(Round.id.desc()).limit(limit))
    )


def queue_size(agency_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(QueueEntry.agency_id == agency_id)) or 0


def pending_appeals(agency_id: int, *, cursor: str | None = None, limit: int = PAGE_SIZE) -> Page:
    """Appeals awaiting a decision, oldest first, with their comments."""
    query = (
        sa.select(Appeal, Comment)
        .join(Comment, Comment.id == Appeal.comment_id)
        .where(Appeal.agency_id == agency_id, Appeal.decided_at.is_(None))
    )
    if cursor:
        (after,) = _decode(cursor, 1)
        query = query.where(Appeal.id > after)
    rows = db.session.execute(query.order_by(Appeal.id).limit(limit + 1)).all()
    items = rows[:limit]
    return Page(items, _encode(items[-1][0].id) if len(rows) > limit else None)


def pending_appeal_count(agency_id: int) -> int:
    return (
        db.session.scalar(sa.select(sa.func.count()).where(Appeal.agency_id == agency_id, Appeal.decided_at.is_(None)))
        or 0
    )


def active_blocks(agency_id: int, *, cursor: str | None = None, limit: int = PAGE_SIZE) -> Page:
    """Blocks in force in the agency, newest first."""
    query = (
        sa.select(Block)
        .options(orm.joinedload(Block.round))
        .where(Block.agency_id == agency_id, Block.lifted_at.is_(None), Block.until > utcnow())
    )
    if cursor:
        (before,) = _decode(cursor, 1)
        query = query.where(Block.id < before)
    rows = list(db.session.scalars(query.order_by(Block.id.desc()).limit(limit + 1)))
    items = rows[:limit]
    return Page(items, _encode(items[-1].id) if len(rows) > limit else None)


@dataclass(frozen=True)
class LogFilter:
    """What a reader narrows the public log to: the kind of action, the house rule cited, words in the reason.
    Saved as a query string by the observer's desk (consult.monitoring.saved_searches)."""

    action: str | None = None
    rule: int | None = None
    words: str | None = None

    @property
    def active(self) -> bool:
        return bool(self.action or self.rule is not None or self.words)

    def args(self) -> dict[str, str]:
        out = {"tindakan": self.action or "", "aturan": "" if self.rule is None else str(self.rule)}
        out["kata"] = self.words or ""
        return {k: v for k, v in out.items() if v}


def log_filter(args, names: tuple[str, str, str] = ("tindakan", "aturan", "kata")) -> LogFilter:
    """From request arguments (the page's tindakan, aturan, kata; the API's action, rule, words); a BadParameter
    names what is wrong."""
    kind, number, text = names
    action = (str(args.get(kind) or "")).strip() or None
    if action is not None and action not in {a.value for a in Action}:
        raise BadParameter(kind, str(_l("is not a kind of moderation action.")))
    rule = whole_number(args.get(number), number, minimum=1, maximum=999)
    words = " ".join((args.get(text) or "").split())[:100] or None
    check_text(words, text)
    return LogFilter(action, rule, words)


def log_page(
    *,
    agency_id: int | None = None,
    round_id: int | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
    where: LogFilter | None = None,
) -> Page:
    """The public moderation log, newest first: everywhere, one agency's or one round's, narrowed by `where`. One
    query per page (a search for words in the reasons reads the agency's or round's rows: LIKE, no index)."""
    query = sa.select(ModerationAction)
    if agency_id is not None:
        query = query.where(ModerationAction.agency_id == agency_id)
    if round_id is not None:
        query = query.where(ModerationAction.round_id == round_id)
    if where is not None:
        if where.action:
            query = query.where(ModerationAction.action == where.action)
        if where.rule is not None:
            query = query.where(ModerationAction.rule_number == where.rule)
        if where.words:
            escaped = where.words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(ModerationAction.reason.ilike(f"%{escaped}%", escape="\\"))
    if cursor:
        (before,) = _decode(cursor, 1)
        query = query.where(ModerationAction.id < before)
    rows = list(db.session.scalars(query.order_by(ModerationAction.id.desc()).limit(limit + 1)))
    items = rows[:limit]
    return Page(items, _encode(items[-1].id) if len(rows) > limit else None)


def comment_actions(comment_id: int, limit: int = 20) -> list[ModerationAction]:
    """The decisions on one comment, newest first (for moderators and for its author)."""
    return list(
        db.session.scalars(
            sa.select(ModerationAction)
            .where(ModerationAction.comment_id == comment_id)
            .order_by(ModerationAction.id.desc())
            .limit(limit)
        )
    )


def decisions_about(user_id: int, limit: int = 50) -> list[tuple[ModerationAction, Appeal | None]]:
    """Moderation decisions on this person's comments, newest first, with the comment's appeal if any."""
    rows = db.session.execute(
        sa.select(ModerationAction, Appeal)
        .join(Comment, Comment.id == ModerationAction.comment_id)
        .outerjoin(Appeal, Appeal.comment_id == Comment.id)
        .where(
            Comment.author_id == user_id,
            ModerationAction.action.in_(
                [Action.HIDE, Action.AUTO_HIDE, Action.RESTORE, Action.APPEAL_UPHELD, Action.APPEAL_REJECTED]
            ),
        )
        .order_by(ModerationAction.id.desc())
        .limit(limit)
    ).all()
    return [(action, appeal) for action, appeal in rows]


def blocks_of(user_id: int) -> list[Block]:
    """The blocks in force on this person (for their own profile)."""
    return list(
        db.session.scalars(
            sa.select(Block)
            .options(orm.joinedload(Block.agency))
            .where(Block.user_id == user_id, Block.lifted_at.is_(None), Block.until > utcnow())
            .order_by(Block.until.desc())
        )
    )


def questions_for(action_ids: list[int]) -> dict[int, list[ModerationQuestion]]:
    """The observers' questions about these decisions, oldest first: one query for a page of the log."""
    found: dict[int, list[ModerationQuestion]] = {}
    if action_ids:
        query = (
            sa.select(ModerationQuestion)
            .where(ModerationQuestion.action_id.in_(action_ids))
            .order_by(ModerationQuestion.id)
        )
        for q in db.session.scalars(query):
            found.setdefault(q.action_id, []).append(q)
    return found
