"""Voices from outside the web: comments that agency staff enter on behalf of a citizen who came to a service
counter, wrote on paper, phoned, or spoke at a public forum.

Who: the moderators and agency admins of the round's agency, and site admins (agencies.services.can_moderate).
The entry is the citizen's comment, not the agency's voice: it has no official_role, and it is marked on every
page ("Disampaikan di loket · 3 Des 2026 · Kantor Kecamatan Sukamaju · dicatat petugas") and in the API
(`channel`, `assisted_place`, `assisted_on`).

The citizen: one placeholder account per entry, as the Polis import makes one per participant
(consult.deliberation.importing): it can never log in (a password hash no password matches, not active, no
confirmed address) and its address is on the reserved `.invalid` domain, so no mail can reach it and no
registration can take it. Its participant row gets a pseudonym as every participant's does; the citizen's name,
when they gave one, is the account's name and is shown instead of the pseudonym (show_name), otherwise the
comment is anonymous under its pseudonym. One account per entry: two slips of paper signed "Budi" are not known
to be the same person, so they are never merged into one voice.

When: while the round is open, with the date the citizen gave it (today or earlier, not before the round opened);
or after it closed, for up to LATE_ENTRY_DAYS days, with a date inside the round's period: paper forms and forum
notes are typed in after the event, but what was said after the close is not part of the round. A round that has
not opened yet takes nothing. Dates are the agency's local dates.

Rules as for web comments: the same text limits and sanitiser (sanitize.render_comment), the same section and
stance rules, and the comment then goes through the same moderation (reports, hiding, the queue). The web's
per-citizen rate limits do not apply (a clerk types many entries an hour): the routes have their own, larger,
budget (ASSISTED_LIMIT, consult.ratelimits). No notice is sent (the placeholder has no address): the
comment_posted signal, whose receivers follow the round for the author, is not sent.

Audited as "comment.assisted" with the staff member as actor and in `entered_by`, the channel, the place and the
date, the pseudonym, whether a name was given (never the name) and the SHA-256 of the text.
"""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa

from consult import audit
from consult.accounts.models import User
from consult.accounts.services import clean_name, name_message
from consult.agencies.services import can_moderate
from consult.db import digest, lock_row
from consult.errors import Conflict, Invalid, NotAllowed, ServiceError
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.participation.models import Channel, Comment, Participant, Stance
from consult.participation.services.comments import clean_body
from consult.participation.services.counts import add_comments_to_tally, section_in_version
from consult.participation.services.rules import participant_row
from consult.participation.services.votes import set_stance_row
from consult.rounds.models import Round, RoundState
from consult.sanitize import render_comment
from consult.timeutil import local, utcnow

ASSISTED_CHANNELS = tuple(c.value for c in Channel if c != Channel.WEB)
MAX_PLACE_CHARS = 200
LATE_ENTRY_DAYS = 30  # after the close, paper forms and forum notes may still be typed in for this long
EMAIL_DOMAIN = "warga-luring.invalid"  # reserved (RFC 2606): no registration can use it, no mail can reach it
ANONYMOUS_NAME = "Warga"  # the placeholder's account name when the citizen gave none (never shown: pseudonym)


def can_enter_assisted(user: User | None, rnd: Round) -> bool:
    """Whether `user` may enter comments on citizens' behalf in `rnd`: staff of its agency and site admins."""
    return can_moderate(user, rnd.agency)


def can_enter_now(user: User | None, rnd: Round) -> bool:
    """Whether the page's link to the entry form leads somewhere that can succeed for `user` now."""
    return can_enter_assisted(user, rnd) and assisted_refusal(rnd) is None


def local_today(rnd: Round) -> dt.date:
    return local(utcnow(), rnd.agency.timezone).date()


def round_dates(rnd: Round) -> tuple[dt.date, dt.date]:
    """The first and last day (agency's local dates) of the round's period."""
    tz = rnd.agency.timezone
    return local(rnd.opens_at, tz).date(), local(rnd.effective_closes_at, tz).date()


def assisted_refusal(rnd: Round, now: dt.datetime | None = None) -> ServiceError | None:
    """Why no entry can be made in `rnd` now (whoever asks), or None: a round not yet open, or closed more than
    LATE_ENTRY_DAYS days ago."""
    now = now or utcnow()
    state = rnd.state_at(now)
    if state == RoundState.SCHEDULED:
        return Conflict(_l("This consultation has not opened yet: there is nothing to enter comments into."))
    if state == RoundState.CLOSED and now - rnd.effective_closes_at > dt.timedelta(days=LATE_ENTRY_DAYS):
        return Conflict(
            _l(
                "This consultation closed more than %(n)s days ago; comments given during it can no longer be entered.",
                n=LATE_ENTRY_DAYS,
            )
        )
    return None


def _check(
    rnd: Round,
    *,
    body: str,
    channel: object,
    assisted_on: object,
    assisted_place: object,
    citizen_name: object,
    section_id: int | None,
    stance: object,
) -> tuple[str, str, dt.date, str, str, str | None]:
    """Every field's problem at once (Invalid naming each), else the cleaned values."""
    errors: dict[str, object] = {}
    try:
        body = clean_body(body)
    except Invalid as exc:
        errors.update(exc.fields)
    if channel not in ASSISTED_CHANNELS:
        errors["channel"] = _l("Choose where the comment was given: counter, paper, phone or forum.")
    place = " ".join(assisted_place.split()) if isinstance(assisted_place, str) else ""
    if not place:
        errors["assisted_place"] = _l("Enter where it was given (the office, or the forum's place).")
    elif len(place) > MAX_PLACE_CHARS:
        errors["assisted_place"] = _l("Use at most %(n)s characters.", n=MAX_PLACE_CHARS)
    first, last = round_dates(rnd)
    today = local_today(rnd)
    if isinstance(assisted_on, str) and assisted_on.strip():
        errors["assisted_on"] = _l("Write the date as YYYY-MM-DD, for example 2026-12-03.")
    elif not isinstance(assisted_on, dt.date):
        errors["assisted_on"] = _l("Enter the date it was given (the forum's date, or the day it was received).")
    elif assisted_on > today:
        errors["assisted_on"] = _l("The date cannot be in the future.")
    elif not first <= assisted_on <= last:
        errors["assisted_on"] = _l(
            "The date must lie within the consultation (%(first)s to %(last)s).",
            first=first.isoformat(),
            last=last.isoformat(),
        )
    name = clean_name(citizen_name) if isinstance(citizen_name, str) else ""
    if name:
        message = name_message(name)
        if message is not None:
            errors["assisted_name"] = message
    if stance in ("", None):
        stance = None
    elif stance not in {s.value for s in Stance}:
        errors["stance"] = _l("Choose support, oppose or neutral.")
    if section_id is not None and not section_in_version(section_id, rnd.version_id):
        errors["section_id"] = _l("This section is not part of the document of this round.")
    if errors:
        raise Invalid(fields=errors)
    return body, str(channel), assisted_on, place, name, stance


def _placeholder_citizen(round_id: int, name: str) -> User:
    """An account that stands for the citizen of one entry and can never be used (see the module's docstring)."""
    token = secrets.token_hex(8)
    user = User(
        email=f"loket-{round_id}-{token}@{EMAIL_DOMAIN}",
        name=name or ANONYMOUS_NAME,
        password_hash="!" + secrets.token_hex(16),  # not a werkzeug hash: no password matches it
        is_active_account=False,
        show_name=bool(name),
    )
    db.session.add(user)
    db.session.flush()
    return user


def enter_assisted_comment(
    staff: User,
    rnd: Round,
    body: str,
    *,
    channel: object,
    assisted_on: object,
    assisted_place: object,
    citizen_name: object = None,
    section_id: int | None = None,
    stance: object = None,
) -> Comment:
    """Enter a citizen's comment given at a counter, on paper, by phone or at a forum (see the module's docstring).

    Staff of the round's agency and site admins only (NotAllowed); a round not open, or closed more than
    LATE_ENTRY_DAYS ago, refuses (Conflict); each wrong field is named (Invalid: body, channel, assisted_place,
    assisted_on, assisted_name, stance, section_id). Audited as "comment.assisted" with the staff member.
    """
    if not can_enter_assisted(staff, rnd):
        raise NotAllowed(_l("Only the agency's staff can enter comments on a citizen's behalf."))
    refusal = assisted_refusal(rnd)
    if refusal is not None:
        raise refusal
    body, channel, on, place, name, stance = _check(
        rnd,
        body=body,
        channel=channel,
        assisted_on=assisted_on,
        assisted_place=assisted_place,
        citizen_name=citizen_name,
        section_id=section_id,
        stance=stance,
    )
    round_id = rnd.id
    body_html = render_comment(body)  # before the transaction: SQLite's writers wait while it is open
    with write_transaction(keep_loaded=True):
        locked = lock_row(Round, round_id)  # a close or reopening that commits first is seen here
        refusal = assisted_refusal(locked)
        if refusal is not None:
            raise refusal
        citizen = _placeholder_citizen(round_id, name)
        participant: Participant = participant_row(citizen, round_id, bool(name))
        comment = Comment(
            round_id=round_id,
            section_id=section_id,
            participant=participant,
            author_id=citizen.id,
            stance=stance,
            body=body,
            body_html=body_html,
            channel=channel,
            entered_by_id=staff.id,
            assisted_place=place,
            assisted_on=on,
        )
        db.session.add(comment)
        if section_id is not None:
            add_comments_to_tally(round_id, section_id, 1)
        db.session.execute(
            sa.update(Round)
            .where(Round.id == round_id)
            .values(comment_count=Round.comment_count + 1, public_revision=Round.public_revision + 1)
            .execution_options(synchronize_session=False)
        )
        db.session.expire(locked)
        db.session.flush()
        if stance is not None and section_id is not None:
            set_stance_row(citizen, round_id, section_id, stance)
        audit.record(
            "comment.assisted",
            comment,
            {
                "round_id": round_id,
                "section_id": section_id,
                "author": participant.pseudonym,
                "named": bool(name),
                "stance": stance,
                "channel": channel,
                "assisted_on": on.isoformat(),
                "assisted_place": place,
                "entered_by": f"user:{staff.id}",
                "body_sha256": digest(body),
            },
            actor=staff,
        )
    return comment
