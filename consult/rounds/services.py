"""Round rules: scheduling and rescheduling consultation rounds, and the lists the public sees."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from consult import audit, signals
from consult.accounts.models import User
from consult.agencies.services import can_manage_agency, can_moderate
from consult.documents.models import DocumentVersion
from consult.errors import Conflict, Invalid, NotAllowed, NotFound
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.pagination import decode_cursor, encode_cursor
from consult.rounds.levels import change_iap2_level, clean_iap2_level
from consult.rounds.models import (
    Round,
    RoundEvent,
    RoundEventKind,
    RoundOrigin,
    RoundState,
    bump_revision,
)
from consult.timeutil import iso_utc, utcnow

MAX_ROUND_DAYS = 366
MIN_REASON_CHARS = 3  # as for moderation decisions: short, but never empty ("uji", "banjir")
MAX_REASON_CHARS = 500
# How far in the past a new opening time may lie: the minutes between loading the form and sending it, so that
# "open now" works. More would let a round claim it was open when nobody could take part.
OPENING_GRACE = dt.timedelta(minutes=5)


def get_round(round_id: int) -> Round:
    rnd = db.session.get(Round, round_id)
    if rnd is None:
        raise NotFound()
    return rnd


def _check_times(
    opens_at: dt.datetime | None, closes_at: dt.datetime | None, *, new_opening: bool, live: bool = True
) -> dict[str, object]:
    """The errors of a round's times. `new_opening`: the opening time is being set (a new round, or one that has
    not opened yet), so for a live round it may not lie in the past (beyond OPENING_GRACE): a backdated round
    would claim to have been open when nobody could take part. Rounds that are not live (demo, imported) keep
    the dates they came with, past ones included."""
    errors: dict[str, object] = {}
    if opens_at is None:
        errors["opens_at"] = _l("Enter when the round opens.")
    if closes_at is None:
        errors["closes_at"] = _l("Enter when the round closes.")
    if errors:
        return errors
    now = utcnow()
    if live and new_opening and opens_at < now - OPENING_GRACE:
        errors["opens_at"] = _l("The opening time is already past. A round opens now or later.")
    if closes_at <= opens_at:
        errors["closes_at"] = _l("The round must close after it opens.")
    elif closes_at - opens_at > dt.timedelta(days=MAX_ROUND_DAYS):
        errors["closes_at"] = _l("A round lasts at most %(n)s days.", n=MAX_ROUND_DAYS)
    elif live and closes_at <= now:
        errors["closes_at"] = _l("The closing time is already past.")
    return errors


def schedule_round(
    actor: User | str,
    version: DocumentVersion,
    *,
    title: str,
    opens_at: dt.datetime | None,
    closes_at: dt.datetime | None,
    verified_only: bool = False,
    origin: RoundOrigin = RoundOrigin.LIVE,
    iap2_level: str | None = None,
) -> Round:
    """Schedule a consultation round on a published version (times in naive UTC).

    Agency admins of the document's agency only. A live round opens now or later (OPENING_GRACE). `origin` is
    for the demo loader and importers only (never the web, the API or the command line): their rounds keep
    their own dates, past ones too, and their pages say where they come from. `iap2_level`: the level of
    participation the round promises (consult.rounds.iap2; default "consult"). Audited as "round.scheduled"
    (with the origin when it is not live, and the level).
    """
    origin = RoundOrigin(origin)
    document = version.document
    if not isinstance(actor, str) and not can_manage_agency(actor, document.agency):
        raise NotAllowed()
    if version.is_draft:
        raise Conflict(_l("Publish the version before scheduling a round on it."))
    title = " ".join((title or "").split()) or document.title
    errors = _check_times(opens_at, closes_at, new_opening=True, live=origin == RoundOrigin.LIVE)
    if len(title) > 200:
        errors["title"] = _l("Use at most %(n)s characters.", n=200)
    try:
        level = clean_iap2_level(iap2_level)
    except Invalid as exc:
        errors.update(exc.fields)
    if errors:
        raise Invalid(fields=errors)
    with write_transaction():
        rnd = Round(
            agency_id=document.agency_id,
            document_id=document.id,
            version_id=version.id,
            title=title,
            opens_at=opens_at,
            closes_at=closes_at,
            verified_only=bool(verified_only),
            origin=origin,
            created_by_id=None if isinstance(actor, str) else actor.id,
            iap2_level=level,
        )
        db.session.add(rnd)
        data = {
            "agency": document.agency.slug,
            "document_id": document.id,
            "version": version.number,
            "title": title,
            "opens_at": iso_utc(opens_at),
            "closes_at": iso_utc(closes_at),
            "verified_only": bool(verified_only),
            "iap2_level": level,
        }
        if origin != RoundOrigin.LIVE:
            data["origin"] = origin.value
        audit.record("round.scheduled", rnd, data, actor=actor)
    return rnd


def reschedule_round(
    actor: User | str,
    rnd: Round,
    *,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
    iap2_level: str | None = None,
) -> Round:
    """Change a round's times, and its IAP2 level when `iap2_level` is given. Agency admins (web) and the operator
    (CLI). Audited as "round.rescheduled" (times) and "round.iap2_level_changed" (level, before and after), in
    one transaction.

    A round that has already opened keeps its opening time: moving it would rewrite when people could take
    part. One that has not opened yet may move it, to now or later (OPENING_GRACE), never into the past. The
    closing time may move (to extend or shorten the round) as long as it stays in the future. A closed round is
    never reopened so (Conflict): that would reopen it without the public reason that reopening takes
    (extend_round). A round closed early stays closed whatever its scheduled closing time says, so moving that
    time is only recorded (the operator's `rounds set-times` on any round, as CONTRACT.md has it).
    """
    if not isinstance(actor, str) and not can_manage_agency(actor, rnd.agency):
        raise NotAllowed()
    level = clean_iap2_level(iap2_level) if iap2_level not in (None, "") else None
    with write_transaction():
        rnd = db.session.get(Round, rnd.id)
        if level is not None and level != rnd.iap2_level:
            change_iap2_level(actor, rnd, level)
        new_opens = opens_at or rnd.opens_at
        new_closes = closes_at or rnd.closes_at
        now = utcnow()
        if rnd.state_at(now) == RoundState.CLOSED and _state_with(rnd, new_opens, new_closes, now) != RoundState.CLOSED:
            raise Conflict(_l("This round is closed; its times no longer change. An agency admin can reopen it."))
        errors = {}
        opened = rnd.opens_at <= now
        if opened and new_opens != rnd.opens_at:
            errors["opens_at"] = _l("The round has already opened; its opening time cannot change.")
        moved = not opened and new_opens != rnd.opens_at
        for name, message in _check_times(new_opens, new_closes, new_opening=moved).items():
            errors.setdefault(name, message)
        if errors:
            raise Invalid(fields=errors)
        if (new_opens, new_closes) == (rnd.opens_at, rnd.closes_at):
            return rnd  # nothing changed: nothing to record
        before = {"opens_at": iso_utc(rnd.opens_at), "closes_at": iso_utc(rnd.closes_at)}
        rnd.opens_at, rnd.closes_at = new_opens, new_closes
        bump_revision(rnd.id)  # its page shows the times and the public changes
        audit.record(
            "round.rescheduled",
            rnd,
            {"before": before, "opens_at": iso_utc(new_opens), "closes_at": iso_utc(new_closes)},
            actor=actor,
        )
    return rnd


def _state_with(rnd: Round, opens_at: dt.datetime, closes_at: dt.datetime, now: dt.datetime) -> RoundState:
    """The round's state at `now` if its times were these (an early closure stays)."""
    if now < opens_at:
        return RoundState.SCHEDULED
    if rnd.closed_at is not None and rnd.closed_at <= now:
        return RoundState.CLOSED
    return RoundState.OPEN if now < closes_at else RoundState.CLOSED


# --- closing early and extending (moderators and agency admins, with a public reason) ---------------------------


def can_close(user: User | None, rnd: Round) -> bool:
    """Moderators and agency admins of the round's agency (and site admins) close a round early or extend it."""
    return can_moderate(user, rnd.agency)


def can_reschedule(user: User | None, rnd: Round) -> bool:
    """Agency admins of the round's agency (and site admins) change the times of a round not yet closed."""
    return rnd.state != RoundState.CLOSED and can_manage_agency(user, rnd.agency)


def can_close_or_extend(user: User | None, rnd: Round) -> bool:
    """Whether the workspace's "close early or extend" page has something `user` can do for `rnd` now: close or
    extend an open round (moderators and agency admins), reopen a closed one (agency admins)."""
    state = rnd.state
    if state == RoundState.OPEN:
        return can_close(user, rnd)
    return state == RoundState.CLOSED and can_reopen(user, rnd)


def can_reopen(user: User | None, rnd: Round) -> bool:
    """Only agency admins of the round's agency (and site admins) reopen a closed round by extending it: reopening
    changes what the public was told was final, which is the agency's decision, not a moderator's."""
    return can_manage_agency(user, rnd.agency)


def _clean_reason(reason: str | None) -> str:
    reason = " ".join((reason or "").split())
    if len(reason) < MIN_REASON_CHARS:
        raise Invalid(
            fields={"reason": _l("Explain to the public why, in at least %(n)s characters.", n=MIN_REASON_CHARS)}
        )
    if len(reason) > MAX_REASON_CHARS:
        raise Invalid(fields={"reason": _l("Use at most %(n)s characters.", n=MAX_REASON_CHARS)})
    return reason


def _locked_round(round_id: int) -> Round:
    """The round, reloaded and locked for the rest of the transaction (a row lock on PostgreSQL; SQLite's
    BEGIN IMMEDIATE already serialises writers), so two people closing at once cannot both succeed."""
    return db.session.scalar(
        sa.select(Round).where(Round.id == round_id).with_for_update(of=Round).execution_options(populate_existing=True)
    )


def close_round(actor: User, rnd: Round, reason: str | None) -> Round:
    """Close an open round now, before its closing time, with a reason the public sees.

    Moderators and agency admins of the round's agency (site admins too). Participation is refused from this
    moment (participation_refusal reads closed_at); reports stay possible. Audited as "round.closed_early" with
    the reason; this is the record of the closing, so the scheduler records no "round.closed" for it.
    """
    if not can_close(actor, rnd):
        raise NotAllowed()
    reason = _clean_reason(reason)
    with write_transaction():
        rnd = _locked_round(rnd.id)
        now = utcnow()
        state = rnd.state_at(now)
        if state == RoundState.SCHEDULED:
            raise Conflict(_l("This round has not opened yet; change its times instead of closing it."))
        if state == RoundState.CLOSED:
            raise Conflict(_l("This round is already closed."))
        rnd.closed_at = now
        rnd.public_change_count += 1
        db.session.add(
            RoundEvent(
                round_id=rnd.id,
                kind=RoundEventKind.CLOSED_EARLY,
                for_time=now,
                actor_id=actor.id,
                reason=reason,
                closes_before=rnd.closes_at,
            )
        )
        # The closing itself, so that the scheduler's close job sees it done and records nothing more.
        db.session.add(RoundEvent(round_id=rnd.id, kind=RoundEventKind.CLOSED, for_time=now, actor_id=actor.id))
        bump_revision(rnd.id)  # its page shows the times and the public changes
        audit.record(
            "round.closed_early",
            rnd,
            {"reason": reason, "closed_at": iso_utc(now), "closes_at": iso_utc(rnd.closes_at)},
            actor=actor,
        )
        signals.round_closed.send(rnd, early=True, reason=reason)  # notifications tells the followers
    return rnd


def extend_round(actor: User, rnd: Round, closes_at: dt.datetime | None, reason: str | None) -> Round:
    """Move an open round's closing time later, or reopen a closed round until `closes_at`, with a public reason.

    Extending an open round: moderators and agency admins of its agency. Reopening a closed round: agency admins
    only (see can_reopen). The new closing time must be in the future and later than the current one.
    Audited as "round.extended" with the reason, the closing time before and after, and whether it reopened.
    """
    if not can_close(actor, rnd):
        raise NotAllowed()
    errors: dict[str, object] = {}
    try:
        reason = _clean_reason(reason)
    except Invalid as exc:
        errors.update(exc.fields)
    if closes_at is None:
        errors["closes_at"] = _l("Enter the new closing time.")
    if errors:
        raise Invalid(fields=errors)
    with write_transaction():
        rnd = _locked_round(rnd.id)
        now = utcnow()
        state = rnd.state_at(now)
        if state == RoundState.SCHEDULED:
            raise Conflict(_l("This round has not opened yet; change its times instead."))
        reopening = state == RoundState.CLOSED
        if reopening and not can_reopen(actor, rnd):
            raise NotAllowed(_l("Only an agency admin can reopen a closed round."))
        before = rnd.effective_closes_at
        if closes_at <= now:
            raise Invalid(fields={"closes_at": _l("The closing time is already past.")})
        if not reopening and closes_at <= before:
            raise Invalid(fields={"closes_at": _l("Choose a time after the current closing time.")})
        if closes_at - rnd.opens_at > dt.timedelta(days=MAX_ROUND_DAYS):
            raise Invalid(fields={"closes_at": _l("A round lasts at most %(n)s days.", n=MAX_ROUND_DAYS)})
        rnd.closes_at, rnd.closed_at = closes_at, None
        rnd.public_change_count += 1
        db.session.add(
            RoundEvent(
                round_id=rnd.id,
                kind=RoundEventKind.EXTENDED,
                for_time=now,
                actor_id=actor.id,
                reason=reason,
                closes_before=before,
                closes_after=closes_at,
            )
        )
        bump_revision(rnd.id)  # its page shows the times and the public changes
        audit.record(
            "round.extended",
            rnd,
            {
                "reason": reason,
                "closes_before": iso_utc(before),
                "closes_at": iso_utc(closes_at),
                "reopened": reopening,
            },
            actor=actor,
        )
        # notifications tells the followers, in this transaction (nothing is sent for a change that rolls back)
        if reopening:
            signals.round_reopened.send(rnd, closes_at=closes_at, reason=reason)
        else:
            signals.round_extended.send(rnd, closes_before=before, closes_at=closes_at, reason=reason)
    return rnd


def home_rounds(limit: int = 10) -> dict[str, list[Round]]:
    """Open rounds (closing soonest first), upcoming (opening soonest) and recently closed ones."""
    now = utcnow()
    base = sa.select(Round)
    return {
        "open": list(
            db.session.scalars(base.where(Round.is_open_at(now)).order_by(Round.closes_at, Round.id).limit(limit))
        ),
        "scheduled": list(
            db.session.scalars(base.where(Round.is_scheduled_at(now)).order_by(Round.opens_at, Round.id).limit(limit))
        ),
        "closed": list(
            db.session.scalars(
                base.where(Round.is_closed_at(now)).order_by(Round.closes_at.desc(), Round.id.desc()).limit(limit)
            )
        ),
    }


@dataclass(frozen=True)
class RoundPage:
    items: list[Round]
    next_cursor: str | None


def rounds_page(cursor: str | None, limit: int = 20) -> RoundPage:
    """Rounds newest first (by id), keyset-paginated: those after `cursor` (consult.pagination's format; a
    cursor this site did not make is a 422 naming "cursor")."""
    query = sa.select(Round).order_by(Round.id.desc()).limit(limit + 1)
    if cursor:
        (before,) = decode_cursor(cursor, 1)
        query = query.where(Round.id < before)
    rows = list(db.session.scalars(query))
    return RoundPage(rows[:limit], encode_cursor(rows[limit - 1].id) if len(rows) > limit else None)


def agency_rounds(agency_id: int) -> list[Round]:
    return list(
        db.session.scalars(
            sa.select(Round).where(Round.agency_id == agency_id).order_by(Round.opens_at.desc(), Round.id.desc())
        )
    )
