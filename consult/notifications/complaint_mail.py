"""E-mails about complaints (signals.complaint_changed): the complainant hears of every step (at their account's
address, or at the e-mail address they gave when staff recorded the complaint at a counter, on paper or by phone;
a telephone number gets nothing); the agency's staff (admins and moderators) hear of a reminder before the due
date and of an overdue complaint. Queued in the step's transaction, once per complaint, step and event (or due date)."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from consult.accountability.models import Complaint, ComplaintEvent
from consult.accounts.models import Role, User
from consult.agencies.models import Agency, Membership
from consult.extensions import db
from consult.notifications import mail
from consult.notifications.services import enqueue, enqueue_address, recipient_of
from consult.timeutil import iso_utc

COMPLAINANT_STEPS = ("received", "answered", "disputed", "confirmed", "overdue")
STAFF_STEPS = ("reminder", "overdue")
EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")


def contact_address(contact: str | None) -> str | None:
    """The e-mail address in a contact recorded at a counter ("0812… / budi@contoh.id"), if it holds one."""
    match = EMAIL_ADDRESS.search(contact or "")
    return match.group(0) if match else None


def agency_staff(agency_id: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(sa.distinct(Membership.user_id))
            .where(
                Membership.agency_id == agency_id,
                Membership.role.in_([Role.AGENCY_ADMIN.value, Role.MODERATOR.value]),
            )
            .order_by(Membership.user_id)
        )
    )


def on_complaint_changed(complaint: Complaint, *, step: str, event: ComplaintEvent | None = None, **_: Any) -> int:
    agency = db.session.get(Agency, complaint.agency_id)
    context = {
        "complaint": complaint,
        "agency": agency,
        "step": step,
        "complaint_url": mail.public_url("complaints.follow", tracking_number=complaint.tracking_number),
    }
    marker = event.id if event is not None else iso_utc(complaint.due_at)
    queued = 0
    if step in COMPLAINANT_STEPS and complaint.complainant_id is not None:
        recipient = recipient_of(complaint.complainant_id)
        if recipient is not None:
            user, locale = recipient
            key = f"complaint:{complaint.id}:{step}:{marker}"
            queued += enqueue(user, locale, "complaint_step", key, mail.SCOPE_ALL, **context)
    elif step in COMPLAINANT_STEPS and (address := contact_address(complaint.complainant_contact)) is not None:
        key = f"complaint:{complaint.id}:{step}:{marker}:contact"
        queued += enqueue_address(address, None, "complaint_step", key, **context)
    if step in STAFF_STEPS:
        staff_url = mail.public_url("complaints_admin.complaints", slug=agency.slug)
        for user_id in agency_staff(agency.id):
            recipient = recipient_of(user_id)
            if recipient is None:
                continue
            user, locale = recipient
            key = f"complaint-staff:{complaint.id}:{step}:{iso_utc(complaint.due_at)}:{user_id}"
            queued += enqueue(user, locale, "complaint_staff", key, mail.SCOPE_ALL, staff_url=staff_url, **context)
    return queued


__all__ = ["User", "on_complaint_changed"]
