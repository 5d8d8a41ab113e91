"""Open-data rows of the accountability record (consult.monitoring.exports lists the tables): commitments in
force or superseded (never drafts), complaint statuses and dates (never the complainant, the text or the answer),
and the report card's figures per service. For one round, the services whose standard its document is."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from consult.accountability.models import Commitment, CommitmentState, Complaint, ComplaintStatus, Service
from consult.accountability.services.report_card import report_card
from consult.agencies.models import Agency
from consult.extensions import db
from consult.monitoring import record

if TYPE_CHECKING:
    from consult.monitoring.exports import Scope

Rows = Iterator[dict[str, Any]]


def _services_of(rnd: Scope | None):
    """A round's record covers the services its document is the standard of; the site's, every service."""
    query = sa.select(Service.__table__.c.id)
    return query.where(Service.__table__.c.document_id == rnd.document_id) if rnd is not None else query


def commitments(conn, rnd, now) -> Rows:
    c, s, a = Commitment.__table__, Service.__table__, Agency.__table__
    query = (
        sa.select(
            c.c.id,
            a.c.slug.label("agency"),
            s.c.name.label("service"),
            c.c.version_id,
            c.c.section_key,
            c.c.measure,
            c.c.kind,
            c.c.value_json,
            c.c.unit,
            c.c.text,
            c.c.state,
            c.c.published_at,
            c.c.superseded_at,
        )
        .join(s, s.c.id == c.c.service_id)
        .join(a, a.c.id == c.c.agency_id)
        .where(c.c.state != CommitmentState.DRAFT, c.c.service_id.in_(_services_of(rnd)))
        .order_by(c.c.id)
    )
    for row in record._stream(conn, query):
        item = dict(row)
        value = json.loads(item.pop("value_json"))
        item["value"] = "; ".join(value) if isinstance(value, list) else value
        yield item


def _complaints_query(rnd: Scope | None):
    c, s, a = Complaint.__table__, Service.__table__, Agency.__table__
    query = (
        sa.select(
            c.c.tracking_number,
            a.c.slug.label("agency"),
            s.c.name.label("service"),
            c.c.commitment_id,
            c.c.channel,
            c.c.received_at,
            c.c.first_due_at,
            c.c.due_at,
            c.c.first_answered_at,
            c.c.answered_at,
            c.c.answered_on_time,
            c.c.confirmed_at,
            c.c.disputed_at,
            c.c.dispute_count,
            c.c.status,
        )
        .join(a, a.c.id == c.c.agency_id)
        .outerjoin(s, s.c.id == c.c.service_id)
        .order_by(c.c.id)
    )
    return query.where(c.c.service_id.in_(_services_of(rnd))) if rnd is not None else query


def complaints(conn, rnd, now) -> Rows:
    for row in record._stream(conn, _complaints_query(rnd)):
        item = dict(row)
        # as Complaint.is_overdue, which the status page and the report card use
        item["overdue"] = (
            item["answered_at"] is None and item["status"] != ComplaintStatus.CONFIRMED and now > item["due_at"]
        )
        yield item


def report_cards(conn, rnd, now) -> Rows:
    agencies = db.session.scalars(
        sa.select(Agency).where(Agency.id == rnd.agency_id)
        if rnd is not None
        else sa.select(Agency).order_by(Agency.id)
    )
    for agency in agencies:
        card = report_card(agency, now)
        first, last = card.period
        for service in card.services:
            if rnd is not None and service.service.document_id != rnd.document_id:
                continue
            result = service.ikm.as_dict()
            yield {
                "agency": agency.slug,
                "service": service.service.name,
                "period_from": str(first),
                "period_to": str(last),
                "commitments": service.commitments,
                **{f"complaints_{k}": v for k, v in service.complaints.as_dict().items()},
                "ikm": result.get("index"),
                "grade": result.get("grade"),
                "responses": result.get("responses"),
                "paper_responses": service.paper_responses,
                "minimum_sample": service.sample["minimum_sample"],
                "below_minimum_sample": service.sample["below_minimum"],
            }
