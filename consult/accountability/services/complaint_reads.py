"""Reading complaints: the public view (no personal data), the staff list (keyset), the text queue, a person's own."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from consult.accountability.models import Complaint, ComplaintEvent, ComplaintStatus, TextVisibility
from consult.accountability.services.complaints import can_handle
from consult.accounts.models import User
from consult.agencies.models import Agency
from consult.errors import NotAllowed
from consult.extensions import db
from consult.pagination import decode_cursor, encode_cursor
from consult.timeutil import iso_utc, utcnow

PAGE_SIZE = 25
FILTERS = ("open", "overdue", "disputed", "all")


def public_view(complaint: Complaint, now: dt.datetime | None = None) -> dict[str, Any]:
    """What anyone may see (CONTRACT.md GET /api/v1/complaints/{tracking_number}): no personal data, the text only
    when a moderator published it. Two queries: the complaint (with its service) and its events."""
    now = now or utcnow()
    events = list(
        db.session.scalars(
            sa.select(ComplaintEvent)
            .where(ComplaintEvent.complaint_id == complaint.id)
            .order_by(ComplaintEvent.at, ComplaintEvent.id)
        )
    )
    text_public = complaint.text_visibility == TextVisibility.PUBLIC and not complaint.confidential
    history = []
    for e in events:
        shown = e.kind == "answered" or (e.kind == "disputed" and text_public)
        history.append(
            {
                "kind": e.kind,
                "at": iso_utc(e.at),
                "at_dt": e.at,
                "actor_role": e.actor_role,
                "text_html": e.text_html if shown else None,
                "text": e.text if shown else None,
            }
        )
    return {
        "tracking_number": complaint.tracking_number,
        "status": complaint.status,
        "overdue": complaint.is_overdue(now),
        "received_at": complaint.received_at,
        "due_at": complaint.due_at,
        "answered_at": complaint.answered_at,
        "answer": complaint.answer if complaint.answered_at is not None else None,
        "answer_html": complaint.answer_html if complaint.answered_at is not None else None,
        "answered_on_time": complaint.answered_on_time,
        "commitment_id": complaint.commitment_id,
        "service": complaint.service.name if complaint.service is not None else None,
        "agency_id": complaint.agency_id,
        "channel": complaint.channel,
        "received_by_role": complaint.received_by_role,
        "received_place": complaint.received_place,
        "text_visibility": complaint.text_visibility,
        "what_html": complaint.what_html if text_public else None,
        "what": complaint.what if text_public else None,
        "history": history,
    }


@dataclass
class Page:
    items: list[Complaint]
    next_cursor: str | None


def staff_list(
    actor: User | None,
    agency: Agency,
    *,
    status: str | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
    now: dt.datetime | None = None,
) -> Page:
    """The agency's complaints, newest received first, by keyset on (received_at, id); filters open, overdue,
    disputed. One query."""
    if not can_handle(actor, agency):
        raise NotAllowed()
    return _listing(agency, status=status, cursor=cursor, limit=limit, now=now or utcnow())


def public_list(agency: Agency, *, cursor: str | None = None, limit: int = PAGE_SIZE) -> Page:
    """Every complaint of the agency, newest received first, for anyone: the rows carry personal data, so callers
    show only public_status() of each (GET /api/v1/agencies/{slug}/complaints)."""
    return _listing(agency, status=None, cursor=cursor, limit=limit, now=utcnow(), cursor_name="cursor")


def public_status(complaint: Complaint, now: dt.datetime) -> dict[str, Any]:
    """What anyone may know of a complaint in a list: its number, service, dates and status, never who or what."""
    return {
        "tracking_number": complaint.tracking_number,
        "service": complaint.service.name if complaint.service is not None else None,
        "commitment_id": complaint.commitment_id,
        "channel": complaint.channel,
        "received_at": complaint.received_at,
        "due_at": complaint.due_at,
        "answered_at": complaint.answered_at,
        "answered_on_time": complaint.answered_on_time,
        "status": complaint.status,
        "overdue": complaint.is_overdue(now),
    }


def _listing(
    agency: Agency,
    *,
    status: str | None,
    cursor: str | None,
    limit: int,
    now: dt.datetime,
    cursor_name: str = "setelah",
) -> Page:
    query = sa.select(Complaint).where(Complaint.agency_id == agency.id)
    if status == "open":
        query = query.where(Complaint.answered_at.is_(None))
    elif status == "overdue":
        query = query.where(Complaint.answered_at.is_(None), Complaint.due_at < now)
    elif status == "disputed":
        query = query.where(Complaint.status == ComplaintStatus.DISPUTED)
    if cursor:
        micros, after = decode_cursor(cursor, 2, name=cursor_name)
        at = dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=micros)
        query = query.where(
            sa.or_(Complaint.received_at < at, sa.and_(Complaint.received_at == at, Complaint.id < after))
        )
    # newest received first, along ix_complaints_agency_received (agency_id, received_at, id): no sort
    order = (Complaint.received_at.desc(), Complaint.id.desc())
    rows = list(db.session.scalars(query.order_by(*order).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    if not (more and rows):
        return Page(rows, None)
    last = rows[-1]
    micros = (last.received_at - dt.datetime(1970, 1, 1)) // dt.timedelta(microseconds=1)
    return Page(rows, encode_cursor(micros, last.id))


def text_queue(actor: User | None, agency: Agency, limit: int = 50) -> list[Complaint]:
    """Pending complaint texts of the agency, oldest first."""
    if not can_handle(actor, agency):
        raise NotAllowed()
    return list(
        db.session.scalars(
            sa.select(Complaint)
            .where(Complaint.agency_id == agency.id, Complaint.text_visibility == TextVisibility.PENDING)
            .order_by(Complaint.id)
            .limit(limit)
        )
    )


def own_complaints(user: User, limit: int = 100) -> list[Complaint]:
    return list(
        db.session.scalars(
            sa.select(Complaint).where(Complaint.complainant_id == user.id).order_by(Complaint.id.desc()).limit(limit)
        )
    )
