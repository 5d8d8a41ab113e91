"""The public statistics of a round and of an agency (GET /rounds/<id>/statistik, /instansi/<slug>/statistik).

Aggregates only, grouped in SQL, in a constant number of queries whatever the size of the data: comments counted
by section (or round), channel, status and kind, with their vote tallies; comments per local day; the stance
tallies; moderation actions by action and cited rule; reports by the whole minutes they waited for a moderator.
The agency page adds its rounds and the complaint figures of its report card
(consult.accountability.services.report_card: read, not computed again). consult.monitoring.stats_math does the
arithmetic on what comes back.

What counts, as in the deliberation summary (consult.deliberation.summary_figures): citizens' comments and replies
of every status (hidden and withdrawn ones were participation too; only their numbers appear, never their text),
not the agency's own answers (Comment.official_role); votes from the comments' cached tallies (agree, disagree,
pass: kept equal to COUNT(*) in the same transaction as each vote), on those comments. A day is a calendar
day in the agency's time zone, taken at its offset from UTC when the round opened (the agency page: now):
Indonesia's zones keep one offset all year. A comment entered on a citizen's behalf (counter, paper, phone, forum)
counts on the day it was entered. A report's waiting time runs from its filing to the decision that handled it
(hide, restore, dismiss, an appeal's decision), in whole minutes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from consult.accountability.services.report_card import ComplaintCounts, report_card
from consult.agencies.models import Agency
from consult.deliberation.summary_figures import section_stances
from consult.documents.published import published_version
from consult.extensions import db
from consult.moderation.models import ModerationAction
from consult.monitoring import stats_math
from consult.participation.models import Channel, Comment, CommentStatus, Report, SectionStats
from consult.rounds.models import Round
from consult.timeutil import utcnow

ROUNDS_LISTED = 100  # the agency page's list of rounds, newest first; the rounds index pages through all of them
MEASURES = ("comments", "replies")  # the columns of Statistics.over_time
# No votes per day: grouping 500,000 votes by the day they were cast took 4.2 s on SQLite (each vote's row read
# through its comment; measured with 100,000 comments), too slow for a public page without a new index.


@dataclass(frozen=True)
class ReportTimes:
    received: int
    handled: int
    open: int
    median_minutes: float | None
    within_48h: int
    share_within_48h: float | None  # percent of handled reports
    bands: list[tuple[str, int]]


@dataclass(frozen=True)
class RuleCount:
    number: int | None
    title: str | None
    actions: int


@dataclass
class Statistics:
    """The figures of one round or of all of an agency's rounds."""

    comments: int = 0  # citizens' comments and replies, every status
    replies: int = 0
    hidden: int = 0
    withdrawn: int = 0
    votes: int = 0
    stances: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    over_time: stats_math.Series = field(default_factory=lambda: stats_math.Series("day", []))
    by_action: dict[str, int] = field(default_factory=dict)
    by_rule: list[RuleCount] = field(default_factory=list)
    reports: ReportTimes | None = None


@dataclass(frozen=True)
class SectionRow:
    key: str | None  # None: comments on the whole document
    title: str | None
    comments: int
    support: int = 0
    neutral: int = 0
    oppose: int = 0


@dataclass(frozen=True)
class RoundRow:
    round: Round
    comments: int
    support: int
    neutral: int
    oppose: int


@dataclass
class RoundStatistics:
    round: Round
    figures: Statistics
    sections: list[SectionRow]


@dataclass
class AgencyStatistics:
    agency: Agency
    figures: Statistics
    rounds: list[RoundRow]
    round_count: int
    complaints: ComplaintCounts
    share_on_time: float | None  # percent of the answered complaints that were answered on time


# --- dialect-aware expressions (SQLite and PostgreSQL) ---------------------------------------------------------


def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _local_day(column, offset_seconds: int):
    """The calendar day (text YYYY-MM-DD) of a naive UTC column at a fixed offset. Literal SQL, no parameters:
    the same expression then stands in SELECT and GROUP BY (PostgreSQL would not match two parameters)."""
    offset = int(offset_seconds)
    if _postgres():
        shifted = column + sa.literal_column(f"INTERVAL '{offset} seconds'")
        return sa.func.to_char(shifted, sa.literal_column("'YYYY-MM-DD'"))
    return sa.func.strftime(sa.literal_column("'%Y-%m-%d'"), column, sa.literal_column(f"'{offset:+d} seconds'"))


def _waited_minutes(start, end):
    """Whole minutes from start to end (NULL when end is NULL). Literal SQL, as _local_day."""
    minute = sa.literal_column("60")
    if _postgres():
        return sa.cast(sa.func.floor(sa.extract("epoch", end - start) / minute), sa.Integer)
    unix = sa.literal_column("'%s'")
    seconds = sa.cast(sa.func.strftime(unix, end), sa.Integer) - sa.cast(sa.func.strftime(unix, start), sa.Integer)
    return sa.cast(seconds / minute, sa.Integer)  # SQLite divides integers to whole numbers


def _offset(tz: str | None, at: dt.datetime) -> int:
    local = ZoneInfo(tz or "Asia/Jakarta").utcoffset(at)
    return int(local.total_seconds()) if local else 0


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# --- the queries, each one GROUP BY over the scope (one round, or every round of an agency) ---------------------


def _comment_counts(where, by):
    """(by, channel, status, is_reply, n, votes): citizens' comments of the scope. `by`: section or round."""
    is_reply = Comment.parent_id.is_not(None)
    votes = sa.func.sum(Comment.agree_count + Comment.disagree_count + Comment.pass_count)
    return db.session.execute(
        sa.select(by, Comment.channel, Comment.status, is_reply, sa.func.count(), votes)
        .where(where, Comment.official_role.is_(None))
        .group_by(by, Comment.channel, Comment.status, is_reply)
    ).all()


def _per_day(where, offset: int) -> dict[dt.date, list[int]]:
    """{local day: [comments, replies]}."""
    days: dict[dt.date, list[int]] = {}
    day = _local_day(Comment.created_at, offset)
    is_reply = Comment.parent_id.is_not(None)
    for text, reply, n in db.session.execute(
        sa.select(day, is_reply, sa.func.count()).where(where, Comment.official_role.is_(None)).group_by(day, is_reply)
    ):
        days.setdefault(_day(text), [0, 0])[1 if reply else 0] += n
    return days


def _moderation(where) -> tuple[dict[str, int], list[RuleCount]]:
    """Actions of the public moderation log: by action, and by the rule they cited (None: none cited)."""
    by_action: dict[str, int] = {}
    by_rule: dict[tuple[int | None, str | None], int] = {}
    for action, number, title, n in db.session.execute(
        sa.select(ModerationAction.action, ModerationAction.rule_number, ModerationAction.rule_title, sa.func.count())
        .where(where)
        .group_by(ModerationAction.action, ModerationAction.rule_number, ModerationAction.rule_title)
    ):
        by_action[action] = by_action.get(action, 0) + n
        key = (number, title if number is not None else None)
        by_rule[key] = by_rule.get(key, 0) + n
    rules = [RuleCount(number, title, n) for (number, title), n in by_rule.items()]
    rules.sort(key=lambda r: (r.number is None, r.number or 0, r.title or ""))
    return by_action, rules


def _report_times(where) -> ReportTimes:
    """Reports on the scope's comments by whole minutes waited until handled (NULL: still open)."""
    waited = _waited_minutes(Report.created_at, Report.handled_at)
    histogram: dict[int, int] = {}
    still_open = 0
    for minutes, n in db.session.execute(
        sa.select(waited, sa.func.count()).join(Comment, Comment.id == Report.comment_id).where(where).group_by(waited)
    ):
        if minutes is None:
            still_open += n
        else:
            histogram[max(0, int(minutes))] = histogram.get(max(0, int(minutes)), 0) + n
    fast, handled = stats_math.within(histogram)
    return ReportTimes(
        received=handled + still_open,
        handled=handled,
        open=still_open,
        median_minutes=stats_math.median(histogram),
        within_48h=fast,
        share_within_48h=stats_math.share(fast, handled),
        bands=stats_math.bands(histogram),
    )


def _figures(rows, days, first, last) -> Statistics:
    figures = Statistics(by_channel=dict.fromkeys((c.value for c in Channel), 0))
    for _by, channel, status, reply, n, votes in rows:
        figures.comments += n
        figures.votes += int(votes or 0)
        figures.replies += n if reply else 0
        figures.hidden += n if status == CommentStatus.HIDDEN else 0
        figures.withdrawn += n if status == CommentStatus.WITHDRAWN else 0
        figures.by_channel[channel] = figures.by_channel.get(channel, 0) + n
    figures.over_time = stats_math.series(days, first, last, width=len(MEASURES))
    return figures


def _span(rnd: Round, now: dt.datetime, offset: int) -> tuple[dt.date, dt.date]:
    shift = dt.timedelta(seconds=offset)
    end = min(rnd.effective_closes_at, now) if now >= rnd.opens_at else rnd.opens_at
    return (rnd.opens_at + shift).date(), (end + shift).date()


def round_statistics(rnd: Round, now: dt.datetime | None = None) -> RoundStatistics:
    """The public figures of one round. Anyone may read them: counts only, no comment text. Five queries whatever
    the number of comments, votes and reports (two more the first time a process reads the version's sections)."""
    now = now or utcnow()
    offset = _offset(rnd.agency.timezone, rnd.opens_at)
    in_round = Comment.round_id == rnd.id
    rows = _comment_counts(in_round, Comment.section_id)
    first, last = _span(rnd, now, offset)
    figures = _figures(rows, _per_day(in_round, offset), first, last)
    stances = {s["key"]: s for s in section_stances(rnd)}
    figures.stances = sum(s["support"] + s["neutral"] + s["oppose"] for s in stances.values())
    figures.by_action, figures.by_rule = _moderation(ModerationAction.round_id == rnd.id)
    figures.reports = _report_times(in_round)
    per_section = stats_math.add_up((section_id, n) for section_id, _c, _s, _r, n, _v in rows)
    version = published_version(rnd.version_id)
    sections = [SectionRow(None, None, per_section.get(None, 0))]
    for s in version.sections if version else rnd.version.sections:
        tally = stances.get(s.key, {})
        sections.append(
            SectionRow(
                s.key,
                s.title,
                per_section.get(s.id, 0),
                tally.get("support", 0),
                tally.get("neutral", 0),
                tally.get("oppose", 0),
            )
        )
    return RoundStatistics(rnd, figures, sections)


def agency_statistics(agency: Agency, now: dt.datetime | None = None) -> AgencyStatistics:
    """The public figures of an agency: every one of its rounds summed, its rounds (newest first, at most
    ROUNDS_LISTED) with their comments and stances, and the complaint figures of its report card summed over its
    services. Anyone may read them. At most 12 queries whatever the number of rounds and comments: seven here and
    the report card's five."""
    now = now or utcnow()
    offset = _offset(agency.timezone, now)
    rounds_of = sa.select(Round.id).where(Round.agency_id == agency.id)
    in_agency = Comment.round_id.in_(rounds_of)
    rows = _comment_counts(in_agency, Comment.round_id)
    days = _per_day(in_agency, offset)
    figures = _figures(rows, days, None, None)
    stance_rows = db.session.execute(
        sa.select(
            SectionStats.round_id,
            sa.func.sum(SectionStats.support),
            sa.func.sum(SectionStats.neutral),
            sa.func.sum(SectionStats.oppose),
        )
        .where(SectionStats.round_id.in_(rounds_of))
        .group_by(SectionStats.round_id)
    ).all()
    stances = {round_id: (int(s or 0), int(n or 0), int(o or 0)) for round_id, s, n, o in stance_rows}
    figures.stances = sum(sum(t) for t in stances.values())
    figures.by_action, figures.by_rule = _moderation(ModerationAction.agency_id == agency.id)
    figures.reports = _report_times(in_agency)
    per_round = stats_math.add_up((round_id, n) for round_id, _c, _s, _r, n, _v in rows)
    round_count = db.session.scalar(sa.select(sa.func.count()).select_from(rounds_of.subquery())) or 0
    listed = db.session.scalars(
        sa.select(Round)
        .where(Round.agency_id == agency.id)
        .order_by(Round.opens_at.desc(), Round.id.desc())
        .limit(ROUNDS_LISTED)
    ).unique()
    round_rows = [RoundRow(r, per_round.get(r.id, 0), *stances.get(r.id, (0, 0, 0))) for r in listed]
    card = report_card(agency, now)
    complaints = ComplaintCounts()
    for counts in [*(s.complaints for s in card.services), card.general_complaints]:
        for name, value in counts.as_dict().items():
            setattr(complaints, name, getattr(complaints, name) + value)
    return AgencyStatistics(
        agency=agency,
        figures=figures,
        rounds=round_rows,
        round_count=int(round_count),
        complaints=complaints,
        share_on_time=stats_math.share(complaints.answered_on_time, complaints.answered),
    )
