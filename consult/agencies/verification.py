"""Verification by an agency: a citizen asks (after showing an identity card at the agency's counter, say), the
agency's admins approve or refuse with a reason, and may later revoke an approval with a reason.

"Verified" is one flag on the account (users.is_verified, what `flask users create --verified` sets): verified-only
rounds admit the person and their reports carry weight in the auto-hide. Approving sets it. Revoking an approval
clears it, unless an approval by another agency still stands: each agency answers for its own approvals only.

Who: the person themselves asks (logged in, e-mail address confirmed, not verified yet, one pending request at a
time); agency admins of the agency asked, and site admins, decide — never on their own request. Moderators do
not: verification is the agency's word about a person, like granting a role. Audited as verification.requested,
.approved, .refused and .revoked with the user's id and the agency's slug only: no name, e-mail, note or reason
(the refusal and revocation reasons are the person's business; the audit keeps their SHA-256). The citizen is
e-mailed each decision (consult.signals.verification_decided; notifications respects their e-mail settings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa

from consult import audit, signals
from consult.accounts.models import User
from consult.agencies.models import Agency, VerificationRequest, VerificationStatus
from consult.agencies.services import can_manage_agency
from consult.db import digest, lock_row
from consult.errors import Conflict, Invalid, LoginRequired, NotAllowed, NotFound
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.pagination import decode_cursor, encode_cursor
from consult.timeutil import utcnow

MAX_NOTE_CHARS = 500
MIN_REASON_CHARS, MAX_REASON_CHARS = 5, 500
PAGE_SIZE = 20
# An identity number (NIK: 16 digits; KK, passport and the like are long digit runs too) is not asked for and must
# not be stored here: the agency looks at the card at its counter. Spaces, dots and dashes between digits count.
_ID_NUMBER = re.compile(r"(?:\d[\s.\-]?){10,}")


def can_decide_verification(user: User | None, agency: Agency) -> bool:
    """Agency admins of this agency and site admins decide its verification requests."""
    return can_manage_agency(user, agency)


def latest_request(user: User | None) -> VerificationRequest | None:
    """The person's most recent request (what their profile shows), or None. One indexed query."""
    if user is None or not user.is_authenticated:
        return None
    return db.session.scalar(
        sa.select(VerificationRequest)
        .where(VerificationRequest.user_id == user.id)
        .order_by(VerificationRequest.id.desc())
        .limit(1)
    )


def request_refusal(user: User | None):
    """Why this person may not ask for verification now (an error to raise or show), or None when they may."""
    if user is None or not user.is_authenticated:
        return LoginRequired()
    if not user.is_confirmed:
        return NotAllowed(_l("Confirm your e-mail address first: open the link we sent you."))
    if user.is_verified:
        return Conflict(_l("Your account is verified already."))
    latest = latest_request(user)
    if latest is not None and latest.is_pending:
        return Conflict(_l("You have a request waiting for %(agency)s already.", agency=latest.agency.name))
    return None


def _agency(agency_id: int | None) -> Agency:
    agency = db.session.get(Agency, agency_id) if agency_id else None
    if agency is None:
        raise Invalid(fields={"agency": _l("Choose the agency that will verify you.")})
    return agency


def request_verification(user: User | None, agency_id: int | None, note: str = "") -> VerificationRequest:
    """The person asks `agency` to verify them, with an optional note for the agency (at most 500 characters, no
    identity numbers). Refused when they may not ask (request_refusal). Audited as "verification.requested"."""
    note = (note or "").strip()
    errors: dict[str, object] = {}
    if len(note) > MAX_NOTE_CHARS:
        errors["note"] = _l("Use at most %(n)s characters.", n=MAX_NOTE_CHARS)
    elif _ID_NUMBER.search(note):
        errors["note"] = _l("Do not write identity numbers (NIK, KK, passport) here: show your card at the counter.")
    with write_transaction():
        refusal = request_refusal(user)
        if refusal is not None:
            raise refusal
        try:
            agency = _agency(agency_id)
        except Invalid as exc:
            errors.update(exc.fields)
        if errors:
            raise Invalid(fields=errors)
        try:
            with db.session.begin_nested():  # two requests at once: the partial UNIQUE index keeps one
                row = VerificationRequest(user_id=user.id, agency_id=agency.id, note=note, created_at=utcnow())
                db.session.add(row)
                db.session.flush()
        except sa.exc.IntegrityError:
            raise Conflict(_l("You have a request waiting already.")) from None
        audit.record("verification.requested", row, {"user": user.id, "agency": agency.slug}, actor=user)
    return row


def _locked_request(actor: User | None, request_id: int) -> VerificationRequest:
    if actor is None or not actor.is_authenticated:
        raise LoginRequired()
    # the request's row only (FOR UPDATE OF): its agency is joined to it, and agencies are not locked by a decision
    row = db.session.scalar(
        sa.select(VerificationRequest)
        .where(VerificationRequest.id == request_id)
        .with_for_update(of=VerificationRequest)
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise NotFound()
    if not can_decide_verification(actor, row.agency):
        raise NotAllowed()
    if row.user_id == actor.id:
        raise NotAllowed(_l("Nobody decides on their own verification: another admin must."))
    return row


def _reason(reason: str | None, refusing: bool) -> str:
    reason = " ".join((reason or "").split())
    if not MIN_REASON_CHARS <= len(reason) <= MAX_REASON_CHARS:
        bounds = {"min": MIN_REASON_CHARS, "max": MAX_REASON_CHARS}
        message = (
            _l("Say why you refuse, in %(min)s to %(max)s characters: the person reads it.", **bounds)
            if refusing
            else _l("Say why you revoke it, in %(min)s to %(max)s characters: the person reads it.", **bounds)
        )
        raise Invalid(fields={"reason": message})
    return reason


def _data(row: VerificationRequest, **extra) -> dict:
    return {"user": row.user_id, "agency": row.agency.slug, **extra}


def approve(actor: User | None, request_id: int) -> VerificationRequest:
    """Approve a pending request: the person's account is verified. Agency admins of the agency asked and site
    admins. Audited as "verification.approved"; the person is e-mailed."""
    with write_transaction():
        row = _locked_request(actor, request_id)
        if not row.is_pending:
            raise Conflict(_l("This request was decided already."))
        person = lock_row(User, row.user_id)
        row.status, row.decided_at, row.decided_by_id = VerificationStatus.APPROVED, utcnow(), actor.id
        person.is_verified = True
        audit.record("verification.approved", row, _data(row), actor=actor)
        signals.verification_decided.send(row, decision=VerificationStatus.APPROVED.value)
    return row


def refuse(actor: User | None, request_id: int, reason: str) -> VerificationRequest:
    """Refuse a pending request with a reason the person reads (5–500 characters); they may ask again. Agency
    admins of the agency asked and site admins. Audited as "verification.refused" (the reason's SHA-256 only)."""
    with write_transaction():
        row = _locked_request(actor, request_id)
        if not row.is_pending:
            raise Conflict(_l("This request was decided already."))
        reason = _reason(reason, refusing=True)
        row.status, row.decided_at, row.decided_by_id, row.reason = (
            VerificationStatus.REFUSED,
            utcnow(),
            actor.id,
            reason,
        )
        audit.record("verification.refused", row, _data(row, reason_sha256=digest(reason)), actor=actor)
        signals.verification_decided.send(row, decision=VerificationStatus.REFUSED.value)
    return row


def revoke(actor: User | None, request_id: int, reason: str) -> VerificationRequest:
    """Withdraw an approval the agency gave (a mistaken identity, an account taken over), with a reason the person
    reads. The account stays verified only while another agency's approval stands. Agency admins of that agency
    and site admins. Audited as "verification.revoked" (the reason's SHA-256 only); the person is e-mailed and may
    ask again."""
    with write_transaction():
        row = _locked_request(actor, request_id)
        if row.status != VerificationStatus.APPROVED:
            raise Conflict(_l("Only an approved verification can be revoked."))
        reason = _reason(reason, refusing=False)
        person = lock_row(User, row.user_id)
        row.status, row.revoked_at, row.revoked_by_id, row.revoke_reason = (
            VerificationStatus.REVOKED,
            utcnow(),
            actor.id,
            reason,
        )
        db.session.flush()
        person.is_verified = bool(
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(VerificationRequest)
                .where(
                    VerificationRequest.user_id == row.user_id,
                    VerificationRequest.status == VerificationStatus.APPROVED,
                )
            )
        )
        audit.record("verification.revoked", row, _data(row, reason_sha256=digest(reason)), actor=actor)
        signals.verification_decided.send(row, decision=VerificationStatus.REVOKED.value)
    return row


# --- the agency's lists ----------------------------------------------------------------------------------------

LISTS = {"menunggu": VerificationStatus.PENDING, "disetujui": VerificationStatus.APPROVED}


@dataclass
class RequestPage:
    items: list[VerificationRequest]
    next_cursor: str | None


def requests_page(
    actor: User | None, agency: Agency, status: str, *, cursor: str | None = None, limit: int = PAGE_SIZE
) -> RequestPage:
    """The agency's requests in one state: pending ones oldest first (who waited longest is served first),
    approved ones newest first (to revoke one). Keyset by id; the person is loaded in the same query.
    Agency admins of the agency and site admins only."""
    if not can_decide_verification(actor, agency):
        raise NotAllowed()
    pending = status == VerificationStatus.PENDING
    query = (
        sa.select(VerificationRequest)
        .options(sa.orm.joinedload(VerificationRequest.user))
        .where(VerificationRequest.agency_id == agency.id, VerificationRequest.status == status)
    )
    if cursor:
        (last_id,) = decode_cursor(cursor, 1)
        query = query.where(VerificationRequest.id > last_id if pending else VerificationRequest.id < last_id)
    query = query.order_by(VerificationRequest.id.asc() if pending else VerificationRequest.id.desc())
    rows = list(db.session.scalars(query.limit(limit + 1)))
    items = rows[:limit]
    return RequestPage(items, encode_cursor(items[-1].id) if len(rows) > limit else None)


def get_request(actor: User | None, request_id: int) -> VerificationRequest:
    """One request, for the agency's admins (and site admins) to review."""
    row = db.session.get(VerificationRequest, request_id)
    if row is None:
        raise NotFound()
    if not can_decide_verification(actor, row.agency):
        raise NotAllowed()
    return row


def agencies_to_ask() -> list[Agency]:
    """Every agency, by name: the choice on the request form."""
    return list(db.session.scalars(sa.select(Agency).order_by(Agency.name)))
