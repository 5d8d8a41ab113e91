"""JSON API v1: the public lists monitors page through to the end (issue 14): an agency's complaint statuses, the
site's archives and the published summaries. Each is keyset-paginated (`cursor` from the previous page's
`next_cursor`, null on the last page), one query per page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from pydantic import Field

from consult.accountability.services import complaint_reads
from consult.agencies.models import Agency
from consult.agencies.services import get_agency
from consult.api.participation import MAX_PAGE
from consult.api.schemas import AuditHead, ResponseModel, Time
from consult.api.spec import Query
from consult.api.views import api
from consult.deliberation.models import Summary, SummaryState
from consult.extensions import db
from consult.monitoring import bulk_archives
from consult.pagination import decode_cursor, encode_cursor
from consult.rounds.models import Round
from consult.timeutil import iso_utc, utcnow


class ComplaintStatus(ResponseModel):
    tracking_number: str
    service: str | None
    commitment_id: int | None
    channel: str = Field(description="web | counter | paper | phone")
    received_at: Time
    due_at: Time
    answered_at: Time | None
    answered_on_time: bool | None
    status: str = Field(description="received | answered | confirmed | disputed")
    overdue: bool


class ComplaintStatusPage(ResponseModel):
    items: list[ComplaintStatus]
    next_cursor: str | None


@api.get(
    "/agencies/{slug}/complaints",
    summary="Every complaint of an agency: its status and dates, newest received first",
    description="No complainant and no text: GET /complaints/{tracking_number} shows a text its complainant chose "
    "to publish.",
    query=[
        Query.text("cursor", "Opaque cursor from the previous page's next_cursor."),
        Query.int_arg("limit", 50, maximum=MAX_PAGE),
    ],
    ok=ComplaintStatusPage,
    errors=[404],
)
def agency_complaints(slug: str, cursor: str | None, limit: int) -> ComplaintStatusPage:
    agency = get_agency(slug)
    page = complaint_reads.public_list(agency, cursor=cursor, limit=limit)
    now = utcnow()
    items = []
    for complaint in page.items:
        row = complaint_reads.public_status(complaint, now)
        for key in ("received_at", "due_at", "answered_at"):
            row[key] = iso_utc(row[key])
        items.append(ComplaintStatus(**row))
    return ComplaintStatusPage(items=items, next_cursor=page.next_cursor)


class ArchiveEntry(ResponseModel):
    round_id: int
    round_title: str
    agency: str = Field(description="the agency's slug")
    created_at: Time
    reason: str = Field(description="closed | summary_published | adopted")
    sha256: str
    size: int
    audit_head: AuditHead
    url: str


class ArchivePage(ResponseModel):
    items: list[ArchiveEntry]
    next_cursor: str | None


@api.get(
    "/archives",
    summary="Every frozen archive of the site (or of one agency), newest first, with its hash and signed head",
    description="GET /arsip/semua.zip?instansi= downloads them all at once, with SHA256SUMS.",
    query=[
        Query.text("cursor", "Opaque cursor from the previous page's next_cursor."),
        Query.text("agency", "Only this agency's (its slug)."),
        Query.int_arg("limit", bulk_archives.PAGE_SIZE, maximum=MAX_PAGE),
    ],
    ok=ArchivePage,
    errors=[404],
)
def all_archives(cursor: str | None, agency: str | None, limit: int) -> ArchivePage:
    agency_id = get_agency(agency).id if agency else None
    items, next_cursor = bulk_archives.page(agency_id, cursor, limit)
    return ArchivePage(
        items=[
            ArchiveEntry(
                round_id=i.archive.round_id,
                round_title=i.round_title,
                agency=i.agency_slug,
                created_at=iso_utc(i.archive.created_at),
                reason=i.archive.reason,
                sha256=i.archive.sha256,
                size=i.archive.size,
                audit_head=AuditHead(**i.archive.audit_head),
                url=url_for(
                    "record.archive_file", round_id=i.archive.round_id, archive_id=i.archive.id, _external=True
                ),
            )
            for i in items
        ],
        next_cursor=next_cursor,
    )


class SummaryEntry(ResponseModel):
    round_id: int
    round_title: str
    agency: str
    published_at: Time
    url: str = Field(description="GET /api/v1/rounds/{id}/summary")


class SummaryPage(ResponseModel):
    items: list[SummaryEntry]
    next_cursor: str | None


@api.get(
    "/summaries",
    summary="Every published deliberation summary, newest round first",
    query=[
        Query.text("cursor", "Opaque cursor from the previous page's next_cursor."),
        Query.int_arg("limit", 50, maximum=MAX_PAGE),
    ],
    ok=SummaryPage,
)
def published_summaries(cursor: str | None, limit: int) -> SummaryPage:
    query = (
        sa.select(Summary.round_id, Summary.published_at, Round.title, Agency.slug)
        .join(Round, Round.id == Summary.round_id)
        .join(Agency, Agency.id == Round.agency_id)
        .where(Summary.state == SummaryState.PUBLISHED)
    )
    if cursor:
        (before,) = decode_cursor(cursor, 1)
        query = query.where(Summary.round_id < before)
    rows = db.session.execute(query.order_by(Summary.round_id.desc()).limit(limit + 1)).all()
    more, rows = len(rows) > limit, rows[:limit]
    return SummaryPage(
        items=[
            SummaryEntry(
                round_id=r.round_id,
                round_title=r.title,
                agency=r.slug,
                published_at=iso_utc(r.published_at),
                url=url_for("api.round_summary", round_id=r.round_id, _external=True),
            )
            for r in rows
        ],
        next_cursor=encode_cursor(rows[-1].round_id) if more and rows else None,
    )
