"""Complaints (pengaduan) against a published commitment, a service of an agency, or the agency in general.

Who: a logged-in citizen files one on the web; the agency's staff (can_moderate: moderators and agency admins of
the agency, site admins) enter one received at a counter, on paper or by phone with its real `received_at` (up to
30 days back, never in the future) and, optionally, the complainant's name and contact (never public). A citizen
who sends `received_at` or a non-web channel is refused (422, 403).

Each complaint gets a tracking number and a secret code (consult.accountability.deadlines); only the code's keyed
digest is stored, with a key derived from the app's SECRET_KEY. The answer is due 14 calendar days after receipt,
or after the latest dispute. "Overdue" is derived (Complaint.is_overdue), never stored: a paper complaint received
20 days ago is overdue the moment it is entered. answered_on_time records whether the FIRST answer met the first
due date.

Steps: received → answered → confirmed | disputed → answered … Staff answer; the complainant (the logged-in owner,
or anyone holding the secret code) confirms or disputes with a reason. Every step is audited (no text, no
identity: the complainant's actor is recorded as "complainant"), appends a ComplaintEvent (the public history,
roles only) and sends signals.complaint_changed (notifications e-mails the complainant).

Texts are private by default: only counts, commitments and statuses are public. A complainant who asks to publish
the text makes it "pending" until a moderator of the agency approves ("public") or refuses ("hidden", with a
reason). A confidential complaint's text is never public (the agency's staff see who filed it, as SP4N-LAPOR!'s
"rahasia" does; the complainant's identity is never public for any complaint).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app

from consult import audit, signals
from consult.accountability import deadlines
from consult.accountability.models import (
    Commitment,
    CommitmentState,
    Complaint,
    ComplaintEvent,
    ComplaintStatus,
    Service,
    TextVisibility,
)
from consult.accounts.models import Role, User
from consult.agencies.models import Agency
from consult.agencies.services import can_moderate
from consult.errors import Conflict, Invalid, LoginRequired, NotAllowed, NotFound
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.sanitize import render_comment
from consult.timeutil import utcnow

CHANNELS = ("web", "counter", "paper", "phone")
BACKDATE_LIMIT = dt.timedelta(days=30)
CLOCK_SKEW = dt.timedelta(minutes=5)
REMIND_BEFORE = dt.timedelta(days=3)
WHAT_LIMIT = 5000
ANSWER_LIMIT = 10000
REASON_LIMIT = 2000
COMPLAINANT = "complainant"  # the audit actor of the complainant's own steps: never their account
STEP_ROLES = {"agency_admin", "moderator", "site_admin"}


def secret_key() -> bytes:
    """The key of the secret codes' digests, derived from the app's SECRET_KEY (never the key itself)."""
    return hmac.new(
        str(current_app.config["SECRET_KEY"]).encode(), b"consult.accountability.complaint-secret", hashlib.sha256
    ).digest()


def staff_role(user: User | None, agency: Agency) -> str | None:
    """The public role of a staff member in this agency's complaints: agency_admin, moderator, site_admin."""
    if not can_moderate(user, agency):
        return None
    if user.has_agency_role(agency.id, Role.AGENCY_ADMIN):
        return "agency_admin"
    if user.has_agency_role(agency.id, Role.MODERATOR):
        return "moderator"
    return "site_admin"


def can_handle(user: User | None, agency: Agency) -> bool:
    """Answer, enter counter/paper complaints, see the staff list and decide on texts."""
    return can_moderate(user, agency)


def is_owner(user: User | None, complaint: Complaint) -> bool:
    return (
        user is not None
        and getattr(user, "is_authenticated", False)
        and complaint.complainant_id is not None
        and complaint.complainant_id == user.id
    )


@dataclass
class Filed:
    complaint: Complaint
    secret: str  # shown once, never stored


def _text(value: Any, name: str, limit: int, fields: dict, *, required: bool = False) -> str | None:
    text = " ".join(str(value).split()) if name != "what" and value is not None else (value or "")
    text = (text or "").strip()
    if required and not text:
        fields[name] = _l("This field is required.")
    elif len(text) > limit:
        fields[name] = _l("At most %(n)s characters.", n=limit)
    return text or None


def record_event(complaint: Complaint, kind: str, at: dt.datetime, role: str | None, actor_id: int | None, text=None):
    event = ComplaintEvent(
        complaint_id=complaint.id,
        kind=kind,
        at=at,
        actor_role=role,
        actor_id=actor_id,
        text=text,
        text_html=render_comment(text) if text else None,
    )
    db.session.add(event)
    db.session.flush()
    return event


def audit_data(complaint: Complaint, **more: Any) -> dict[str, Any]:
    data = {
        "tracking_number": complaint.tracking_number,
        "agency": complaint_agency(complaint).slug,
        "service": complaint.service.name if complaint.service is not None else None,
        "commitment_id": complaint.commitment_id,
        "status": complaint.status,
        "due_at": complaint.due_at,
    }
    data.update(more)
    return data


def complaint_agency(complaint: Complaint) -> Agency:
    return db.session.get(Agency, complaint.agency_id)


def _new_tracking_number() -> str:
    for _ in range(10):
        number = deadlines.new_tracking_number()
        if db.session.scalar(sa.select(Complaint.id).where(Complaint.tracking_number == number)) is None:
            return number
    raise Conflict()  # pragma: no cover - 10 collisions in 10^12


def file_complaint(
    actor: User | None,
    agency: Agency,
    *,
    what: str,
    commitment_id: int | None = None,
    service: str | None = None,
    where: str | None = None,
    when: str | None = None,
    confidential: bool = False,
    publish_text: bool = False,
    received_at: dt.datetime | None = None,
    channel: str | None = None,
    received_place: str | None = None,
    complainant_name: str | None = None,
    complainant_contact: str | None = None,
    now: dt.datetime | None = None,
) -> Filed:
    """File a complaint (see the module's docstring for who may send what). Returns it with its secret code."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise LoginRequired()
    now = now or utcnow()
    channel = channel or "web"
    staff = can_handle(actor, agency)
    fields: dict[str, object] = {}
    if channel not in CHANNELS:
        fields["channel"] = _l("Choose web, counter, paper or phone.")
    elif channel != "web" and not staff:
        raise NotAllowed(_l("Only the agency's staff enter complaints received at a counter, on paper or by phone."))
    entered_by_staff = staff and channel != "web"
    if received_at is not None:
        if not staff:
            fields["received_at"] = _l("Only the agency's staff enter the date a complaint was received.")
        elif channel == "web":
            fields["received_at"] = _l("A complaint sent on the web is received when it is sent.")
        elif received_at > now + CLOCK_SKEW:
            fields["received_at"] = _l("The date received cannot be in the future.")
        elif received_at < now - BACKDATE_LIMIT:
            fields["received_at"] = _l("At most 30 days back.")
    if not entered_by_staff and (complainant_name or complainant_contact or received_place):
        fields["complainant_name"] = _l("Only the agency's staff enter a complainant's name and contact.")
    what = _text(what, "what", WHAT_LIMIT, fields, required=True)
    where = _text(where, "where", 300, fields)
    when = _text(when, "when", 100, fields)
    received_place = _text(received_place, "received_place", 200, fields)
    complainant_name = _text(complainant_name, "complainant_name", 120, fields)
    complainant_contact = _text(complainant_contact, "complainant_contact", 200, fields)
    commitment = service_row = None
    if commitment_id is not None:
        commitment = db.session.get(Commitment, commitment_id)
        if commitment is None or commitment.agency_id != agency.id or commitment.state != CommitmentState.PUBLISHED:
            fields["commitment_id"] = _l("Choose a commitment in force of this agency.")
        else:
            service_row = commitment.service
    if service and service_row is None and "commitment_id" not in fields:
        service_row = db.session.scalar(
            sa.select(Service).where(Service.agency_id == agency.id, Service.name == service)
        )
        if service_row is None:
            fields["service"] = _l("Choose a service of this agency.")
    elif service and service_row is not None and service_row.name != service:
        fields["service"] = _l("The commitment belongs to another service.")
    if fields:
        raise Invalid(fields=fields)
    received = received_at if (entered_by_staff and received_at is not None) else now
    secret = deadlines.new_secret()
    role = staff_role(actor, agency) if entered_by_staff else None
    with write_transaction():
        complaint = Complaint(
            tracking_number=_new_tracking_number(),
            secret_digest=deadlines.secret_digest(secret, secret_key()),
            agency_id=agency.id,
            service_id=service_row.id if service_row is not None else None,
            commitment_id=commitment.id if commitment is not None else None,
            complainant_id=None if entered_by_staff else actor.id,
            complainant_name=complainant_name if entered_by_staff else None,
            complainant_contact=complainant_contact if entered_by_staff else None,
            channel=channel,
            what=what,
            what_html=render_comment(what),
            where_text=where,
            when_text=when,
            confidential=bool(confidential),
            text_visibility=TextVisibility.PENDING if publish_text and not confidential else TextVisibility.PRIVATE,
            status=ComplaintStatus.RECEIVED,
            received_at=received,
            received_place=received_place,
            received_by_id=actor.id if entered_by_staff else None,
            received_by_role=role,
            due_at=deadlines.due_at(received),
            first_due_at=deadlines.due_at(received),
            created_at=now,
        )
        db.session.add(complaint)
        db.session.flush()
        event = record_event(
            complaint, "received", received, role or COMPLAINANT, actor.id if entered_by_staff else None
        )
        audit.record(
            "complaint.received",
            complaint,
            audit_data(complaint, channel=channel, received_at=received),
            actor=actor if entered_by_staff else COMPLAINANT,
        )
        signals.complaint_changed.send(complaint, step="received", event=event)
    return Filed(complaint, secret)


# --- finding ---------------------------------------------------------------------------------------------------


def get_complaint(tracking_number: str) -> Complaint:
    number = deadlines.normalize_tracking_number(tracking_number or "")
    complaint = db.session.scalar(sa.select(Complaint).where(Complaint.tracking_number == number)) if number else None
    if complaint is None:
        raise NotFound(_l("No complaint has this tracking number."))
    return complaint


def _locked(complaint: Complaint) -> Complaint:
    return db.session.scalar(
        sa.select(Complaint)
        .where(Complaint.id == complaint.id)
        .with_for_update(of=Complaint)
        .execution_options(populate_existing=True)
    )


def _check_complainant(actor: User | None, complaint: Complaint, secret: str | None) -> None:
    if is_owner(actor, complaint):
        return
    if secret and deadlines.check_secret(secret, complaint.secret_digest, secret_key()):
        return
    raise NotAllowed(_l("Only the complainant can do this: log in, or enter the secret code from the receipt."))


# --- steps -----------------------------------------------------------------------------------------------------


def answer_complaint(actor: User | None, complaint: Complaint, answer: str, *, now: dt.datetime | None = None):
    """The agency's staff answer (again after a dispute). 409 once answered (until disputed) or confirmed."""
    agency = complaint_agency(complaint)
    if not can_handle(actor, agency):
        raise NotAllowed(_l("Only the agency's staff answer complaints."))
    fields: dict[str, object] = {}
    answer = _text(answer, "what", ANSWER_LIMIT, fields, required=True)
    if fields:
        raise Invalid(fields={"answer": fields["what"]})
    now = now or utcnow()
    with write_transaction():
        row = _locked(complaint)
        if row.status not in (ComplaintStatus.RECEIVED, ComplaintStatus.DISPUTED):
            raise Conflict(_l("This complaint is already answered."))
        on_time = now <= row.due_at
        row.status, row.answered_at, row.answered_by_id = ComplaintStatus.ANSWERED, now, actor.id
        row.answer, row.answer_html = answer, render_comment(answer)
        if row.first_answered_at is None:
            row.first_answered_at = now
            row.answered_on_time = deadlines.answered_on_time(row.first_due_at, now)
        role = staff_role(actor, agency)
        event = record_event(row, "answered", now, role, actor.id, answer)
        audit.record("complaint.answered", row, audit_data(row, on_time=on_time, answered_at=now), actor=actor)
        signals.complaint_changed.send(row, step="answered", event=event)
    return row


def confirm_complaint(
    actor: User | None, complaint: Complaint, *, secret: str | None = None, now: dt.datetime | None = None
):
    """The complainant accepts the answer. 403 without ownership or the code; 409 unless answered."""
    _check_complainant(actor, complaint, secret)
    now = now or utcnow()
    with write_transaction():
        row = _locked(complaint)
        if row.status != ComplaintStatus.ANSWERED:
            raise Conflict(_l("Only an answered complaint can be confirmed or disputed."))
        row.status, row.confirmed_at = ComplaintStatus.CONFIRMED, now
        event = record_event(row, "confirmed", now, COMPLAINANT, None)
        audit.record("complaint.confirmed", row, audit_data(row), actor=COMPLAINANT)
        signals.complaint_changed.send(row, step="confirmed", event=event)
    return row


def dispute_complaint(
    actor: User | None,
    complaint: Complaint,
    reason: str,
    *,
    secret: str | None = None,
    now: dt.datetime | None = None,
):
    """The complainant disputes the answer with a reason: the agency answers again within 14 days of the dispute."""
    _check_complainant(actor, complaint, secret)
    fields: dict[str, object] = {}
    reason = _text(reason, "what", REASON_LIMIT, fields, required=True)
    if fields:
        raise Invalid(fields={"reason": fields["what"]})
    now = now or utcnow()
    with write_transaction():
        row = _locked(complaint)
        if row.status != ComplaintStatus.ANSWERED:
            raise Conflict(_l("Only an answered complaint can be confirmed or disputed."))
        row.status, row.disputed_at, row.dispute_reason = ComplaintStatus.DISPUTED, now, reason
        row.dispute_count += 1
        row.answered_at = None
        row.due_at = deadlines.due_after_dispute(now)
        row.reminded_at = row.overdue_recorded_at = None
        event = record_event(row, "disputed", now, COMPLAINANT, None, reason)
        audit.record("complaint.disputed", row, audit_data(row, disputes=row.dispute_count), actor=COMPLAINANT)
        signals.complaint_changed.send(row, step="disputed", event=event)
    return row


def decide_text(actor: User | None, complaint: Complaint, decision: str, reason: str | None = None) -> Complaint:
    """A moderator of the agency publishes a pending complaint text ("public") or refuses it ("hidden", with a
    reason). Audited as complaint.text_public / complaint.text_hidden."""
    agency = complaint_agency(complaint)
    if not can_handle(actor, agency):
        raise NotAllowed()
    if decision not in (TextVisibility.PUBLIC, TextVisibility.HIDDEN):
        raise Invalid(fields={"decision": _l("Choose publish or refuse.")})
    fields: dict[str, object] = {}
    reason = _text(reason, "reason", 500, fields, required=decision == TextVisibility.HIDDEN)
    if fields:
        raise Invalid(fields=fields)
    with write_transaction():
        row = _locked(complaint)
        if row.text_visibility != TextVisibility.PENDING:
            raise Conflict(_l("This text is not waiting for a decision."))
        row.text_visibility = decision
        record_event(row, f"text_{decision}", utcnow(), staff_role(actor, agency), actor.id, reason)
        audit.record(f"complaint.text_{decision}", row, audit_data(row, reason=reason), actor=actor)
    return row
