"""What the Atom feeds say (consult/monitoring/atom.py writes them; feed_views.py serves them).

- rounds():      new rounds, openings, closings (on time or early, with the reason), extensions, published summaries
                 and adopted versions: everywhere or one agency's
- moderation():  the public moderation log: everywhere or one agency's
- round_feed():  all of that for one round, its moderation decisions and its frozen archives

Each list is a handful of queries, each limited to the newest FEED_SIZE rows, merged by time in Python: the cost
of a feed does not grow with the site. Nothing here reads a comment's text, so hidden and withdrawn text cannot
reach a feed; moderators appear under their public pseudonym, as in the log.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from consult.deliberation.models import Revision, Summary, SummaryState
from consult.documents.models import Document, DocumentVersion
from consult.extensions import db
from consult.i18n import format_localtime
from consult.moderation.models import Action, ModerationAction
from consult.monitoring.atom import Entry, tag_uri
from consult.monitoring.models import RoundArchive
from consult.rounds.models import Round, RoundEvent, RoundEventKind
from consult.web import public_url

FEED_SIZE = 50
_EVENTS = (RoundEventKind.OPENED, RoundEventKind.CLOSED, RoundEventKind.CLOSED_EARLY, RoundEventKind.EXTENDED)


def tag(specific: str) -> str:
    """tag:<PUBLIC_URL's host>,<FEED_TAG_YEAR>:<specific>: an entry keeps its id when the site's address changes
    scheme or port (docs/OPERATIONS.md says to keep both settings once the site is public)."""
    host = urlsplit(current_app.config["PUBLIC_URL"]).hostname or "localhost"
    return tag_uri(host, int(current_app.config["FEED_TAG_YEAR"]), specific)


def _action_label(action: str) -> str:
    return {
        Action.HIDE: _("Hidden"),
        Action.RESTORE: _("Restored"),
        Action.AUTO_HIDE: _("Hidden automatically"),
        Action.DISMISS: _("Reports dismissed"),
        Action.APPEAL_UPHELD: _("Appeal upheld"),
        Action.APPEAL_REJECTED: _("Appeal rejected"),
        Action.BLOCK: _("Blocked"),
        Action.UNBLOCK: _("Block lifted"),
    }.get(action, action)


# --- entries ---------------------------------------------------------------------------------------------------


def _round_entry(rnd: Round) -> Entry:
    tz = rnd.agency.timezone
    announced = min(rnd.created_at, rnd.opens_at)  # a round entered after it opened (imported, seeded): its opening
    return Entry(
        id=tag(f"round/{rnd.id}"),
        title=_("New consultation: %(title)s", title=rnd.title),
        updated=announced,
        published=announced,
        link=public_url("participation.round_page", round_id=rnd.id),
        summary=_(
            "%(agency)s. Open for comment from %(opens)s until %(closes)s.",
            agency=rnd.agency.name,
            opens=format_localtime(rnd.opens_at, tz),
            closes=format_localtime(rnd.closes_at, tz),
        ),
        author=rnd.agency.name,
        category="round",
    )


def _event_entry(event: RoundEvent, rnd: Round) -> Entry:
    tz = rnd.agency.timezone
    titles = {
        RoundEventKind.OPENED: _("Open for comment: %(title)s"),
        RoundEventKind.CLOSED: _("Closed: %(title)s"),
        RoundEventKind.CLOSED_EARLY: _("Closed early: %(title)s"),
        RoundEventKind.EXTENDED: _("Extended: %(title)s"),
    }
    if event.kind == RoundEventKind.EXTENDED:
        summary = _("New closing time %(time)s.", time=format_localtime(event.closes_after, tz))
    elif event.kind == RoundEventKind.OPENED:
        summary = _("Open until %(time)s.", time=format_localtime(rnd.effective_closes_at, tz))
    else:
        summary = _("Closed at %(time)s.", time=format_localtime(event.for_time, tz))
    if event.reason:
        summary += " " + _("Reason: %(reason)s", reason=event.reason)
    moment = event.for_time if event.kind in (RoundEventKind.OPENED, RoundEventKind.CLOSED) else event.created_at
    return Entry(
        id=tag(f"round/{rnd.id}/event/{event.id}"),
        title=titles[RoundEventKind(event.kind)] % {"title": rnd.title},
        updated=moment,
        published=moment,
        link=public_url("participation.round_page", round_id=rnd.id),
        summary=summary,
        author=rnd.agency.name,
        category=str(event.kind),
    )


def _summary_entry(summary: Summary, rnd: Round) -> Entry:
    return Entry(
        id=tag(f"round/{rnd.id}/summary"),
        title=_("Summary published: %(title)s", title=rnd.title),
        updated=summary.published_at,
        published=summary.published_at,
        link=public_url("summary.summary_page", round_id=rnd.id),
        summary=_("What citizens said in this consultation and what %(agency)s answered.", agency=rnd.agency.name),
        author=rnd.agency.name,
        category="summary",
    )


def _adoption_entry(revision: Revision, version: DocumentVersion, document: Document, rnd: Round) -> Entry:
    return Entry(
        id=tag(f"version/{version.id}"),
        title=_("Adopted: %(title)s, version %(number)s", title=document.title, number=version.number),
        updated=revision.adopted_at,
        published=revision.adopted_at,
        link=public_url("charter.version_changes", document_id=document.id, number=version.number),
        summary=_("The revised version made from the consultation “%(round)s” is in force.", round=rnd.title),
        author=rnd.agency.name,
        category="adopted",
    )


def _moderation_entry(action: ModerationAction) -> Entry:
    what = _("Comment #%(id)s", id=action.comment_id) if action.comment_id else (action.participant or "")
    where = f" · {action.round.title}" if action.round else ""
    parts = []
    if action.rule_number is not None:
        parts.append(_("Rule %(n)s. %(title)s.", n=action.rule_number, title=action.rule_title))
    parts.append(_("Reason: %(reason)s", reason=action.reason))
    link = (
        public_url("moderation.round_log", round_id=action.round_id, _anchor=f"log-{action.id}")
        if action.round_id
        else public_url("moderation.log", instansi=action.agency.slug, _anchor=f"log-{action.id}")
    )
    return Entry(
        id=tag(f"moderation/{action.id}"),
        title=f"{_action_label(action.action)}: {what}{where}".strip(),
        updated=action.created_at,
        published=action.created_at,
        link=link,
        summary=" ".join(parts),
        author=action.moderator,
        category=action.action,
    )


def _archive_entry(archive: RoundArchive, rnd: Round) -> Entry:
    return Entry(
        id=tag(f"round/{rnd.id}/archive/{archive.id}"),
        title=_("Archive frozen: %(title)s", title=rnd.title),
        updated=archive.created_at,
        published=archive.created_at,
        link=public_url("record.archive_file", round_id=rnd.id, archive_id=archive.id),
        summary=f"SHA-256 {archive.sha256} · audit {archive.audit_seq} {archive.audit_hash}",
        author=rnd.agency.name,
        category=f"archive-{archive.reason}",
    )


# --- lists -----------------------------------------------------------------------------------------------------


def _newest(entries: list[Entry], limit: int = FEED_SIZE) -> list[Entry]:
    return sorted(entries, key=lambda e: (e.updated, e.id), reverse=True)[:limit]


def _life_of_rounds(where: sa.ColumnElement[bool] | None, limit: int) -> list[Entry]:
    def scoped(query):
        return query.where(where) if where is not None else query

    rounds = db.session.scalars(scoped(sa.select(Round)).order_by(Round.created_at.desc()).limit(limit))
    entries = [_round_entry(r) for r in rounds]
    events = db.session.execute(
        scoped(sa.select(RoundEvent, Round).join(Round, Round.id == RoundEvent.round_id))
        .where(RoundEvent.kind.in_([str(k) for k in _EVENTS]))
        .order_by(RoundEvent.created_at.desc())
        .limit(limit)
    )
    entries += [_event_entry(event, rnd) for event, rnd in events]
    summaries = db.session.execute(
        scoped(sa.select(Summary, Round).join(Round, Round.id == Summary.round_id))
        .where(Summary.state == SummaryState.PUBLISHED, Summary.published_at.is_not(None))
        .order_by(Summary.published_at.desc())
        .limit(limit)
    )
    entries += [_summary_entry(summary, rnd) for summary, rnd in summaries]
    adoptions = db.session.execute(
        scoped(
            sa.select(Revision, DocumentVersion, Document, Round)
            .join(DocumentVersion, DocumentVersion.id == Revision.version_id)
            .join(Document, Document.id == DocumentVersion.document_id)
            .join(Round, Round.id == Revision.round_id)
        )
        .where(Revision.adopted_at.is_not(None))
        .order_by(Revision.adopted_at.desc())
        .limit(limit)
    )
    entries += [_adoption_entry(*row) for row in adoptions]
    return entries


def rounds(agency_id: int | None = None) -> list[Entry]:
    where = Round.agency_id == agency_id if agency_id is not None else None
    return _newest(_life_of_rounds(where, FEED_SIZE))


def moderation(agency_id: int | None = None) -> list[Entry]:
    query = sa.select(ModerationAction)
    if agency_id is not None:
        query = query.where(ModerationAction.agency_id == agency_id)
    actions = db.session.scalars(query.order_by(ModerationAction.id.desc()).limit(FEED_SIZE))
    return [_moderation_entry(a) for a in actions]


def round_feed(rnd: Round) -> list[Entry]:
    entries = _life_of_rounds(Round.id == rnd.id, FEED_SIZE)
    actions = db.session.scalars(
        sa.select(ModerationAction)
        .where(ModerationAction.round_id == rnd.id)
        .order_by(ModerationAction.id.desc())
        .limit(FEED_SIZE)
    )
    entries += [_moderation_entry(a) for a in actions]
    frozen = db.session.scalars(
        sa.select(RoundArchive).where(RoundArchive.round_id == rnd.id).order_by(RoundArchive.id.desc()).limit(10)
    )
    entries += [_archive_entry(a, rnd) for a in frozen]
    return _newest(entries)


def newest_time(entries: list[Entry], fallback: dt.datetime) -> dt.datetime:
    return max((e.updated for e in entries), default=fallback)
