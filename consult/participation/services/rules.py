"""Who may take part in a round, now: the one refusal every page and write asks, and the participant row
(a stable pseudonym per person and round) made at first participation."""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from consult.accounts.models import Role, User
from consult.agencies.models import Agency
from consult.db import insert_or_nothing
from consult.errors import Conflict, LoginRequired, NotAllowed
from consult.extensions import db
from consult.i18n import format_localtime
from consult.i18n import lazy_gettext as _l
from consult.participation.models import (
    Block,
    Participant,
)
from consult.rounds.models import Round, RoundState
from consult.timeutil import utcnow

PSEUDONYM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def participation_refusal(user: User | None, rnd: Round) -> ServiceErrorLike | None:
    """Why `user` may not take part in `rnd` now (an error to raise or show), or None when they may."""
    # A closed round is closed for everyone: nobody is asked to log in or register to take part in it.
    if rnd.state == RoundState.CLOSED:
        return Conflict(_l("This consultation is closed; it no longer accepts comments, votes or stances."))
    # is_anonymous, not is_authenticated: Flask-Login's is_authenticated is False for a blocked account too,
    # and a blocked citizen must be told that, not asked to log in.
    if user is None or user.is_anonymous:
        return LoginRequired(_l("Log in or register to take part in this consultation."))
    if not user.is_active:
        return NotAllowed(_l("Your account is blocked, so you cannot take part."))
    if not user.is_confirmed:
        return NotAllowed(UNCONFIRMED_MESSAGE)
    blocked = block_refusal(user, rnd.agency)
    if blocked is not None:
        return blocked
    if rnd.state == RoundState.SCHEDULED:
        return Conflict(_l("This consultation has not opened yet. Come back when it opens."))
    if rnd.verified_only and not user.is_verified:
        return NotAllowed(
            _l("Only verified citizens may take part in this consultation. Ask the agency to verify your account.")
        )
    return None


ServiceErrorLike = LoginRequired | NotAllowed | Conflict
# consult.accounts: a self-registered account takes part once its address is confirmed (the page's banner has the
# button that sends the link again)
UNCONFIRMED_MESSAGE = _l(
    "Confirm your e-mail address first: open the link in the e-mail we sent you. No e-mail? Use the button "
    "“Send the confirmation e-mail again” at the top of the page."
)


def block_refusal(user: User, agency: Agency) -> NotAllowed | None:
    """The refusal for a person a moderator has kept out of this agency's rounds (consult.moderation), or None.

    No query for a person never blocked, or whose longest block is over (users.blocked_until, loaded with the
    user); one indexed query otherwise. The message says why and until when (in the agency's time zone).
    """
    if user.blocked_until is None or user.blocked_until <= utcnow():
        return None
    block = Block.active_for(user.id, agency.id)
    if block is None:
        return None
    return NotAllowed(
        _l(
            "A moderator has blocked you from taking part in this agency's consultations until %(until)s. "
            "Reason: %(reason)s",
            until=format_localtime(block.until, agency.timezone),
            reason=block.reason,
        )
    )


def staff_role(user: User | None, agency_id: int) -> str | None:
    """The person's role in the agency, when they are its staff: "agency_admin" (when they hold both roles) or
    "moderator"; None for everyone else (citizens, observers, site admins and other agencies' staff).

    Staff of the round's agency speak in its consultations as the agency: their comments and replies are the
    agency's response ("Tanggapan Dinas", comments.official_role), and they take no stance and cast no vote
    there (stance_refusal). No query beyond the person's memberships, which the round page loads anyway."""
    if user is None or not user.is_authenticated:
        return None
    roles = user.agency_roles(agency_id)
    if Role.AGENCY_ADMIN in roles:
        return str(Role.AGENCY_ADMIN)
    if Role.MODERATOR in roles:
        return str(Role.MODERATOR)
    return None


def stance_refusal(user: User | None, rnd: Round) -> NotAllowed | None:
    """The refusal of a stance or a vote by staff of the round's agency (they answer as the agency instead; their
    opinion would count as a citizen's in the tallies), or None."""
    if staff_role(user, rnd.agency_id) is None:
        return None
    return NotAllowed(
        _l(
            "Staff of the agency running this consultation take no stance and cast no vote in it: your comments "
            "and replies here appear as the agency's response."
        )
    )


def require_participation(user: User | None, rnd: Round) -> None:
    refusal = participation_refusal(user, rnd)
    if refusal is not None:
        raise refusal


def participant_row(user: User, round_id: int, show_name: bool | None = None) -> Participant:
    """The user's participant row in the round, created with a fresh pseudonym at first participation.

    Created with INSERT … ON CONFLICT DO NOTHING: when one person's first two actions in a round race (two
    tabs, a double click) on PostgreSQL, the second waits for the first and then uses its row instead of
    failing on UNIQUE (round_id, user_id). A pseudonym already taken in the round inserts nothing either,
    and another one is drawn.
    """
    query = sa.select(Participant).filter_by(round_id=round_id, user_id=user.id)
    participant = db.session.scalar(query)
    if participant is None:
        chosen = user.show_name if show_name is None else show_name
        for _attempt in range(20):
            pseudonym = "Warga-" + "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(5))
            insert_or_nothing(Participant, round_id=round_id, user_id=user.id, pseudonym=pseudonym, show_name=chosen)
            participant = db.session.scalar(query)
            if participant is not None:
                break
        else:  # pragma: no cover - 20 pseudonyms taken in a row, or a snapshot that cannot see the winner's row
            raise RuntimeError("could not create the participant row")
    if show_name is not None and participant.show_name != show_name:
        participant.show_name = show_name
    return participant


def shows_name(user: User | None, round_id: int) -> bool:
    """Whether the comment form starts with "show my name" ticked: the choice the person made in this round (one
    indexed query), else their account's default. Starting from the account's default instead would switch a
    person who chose otherwise in this round back on their next comment, for all their comments in the round."""
    if user is None or not user.is_authenticated:
        return False
    chosen = db.session.scalar(sa.select(Participant.show_name).filter_by(round_id=round_id, user_id=user.id))
    return bool(user.show_name if chosen is None else chosen)
