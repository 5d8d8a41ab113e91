"""Services, commitments, complaints and satisfaction surveys (migration 0016_charter_accountability).

A service (what a service standard covers, per agency) is the key of commitments, complaints, surveys and
report-card rows. Overdue is never stored: it is derived from due_at, answered_at and the clock
(consult.accountability.deadlines), like a round's state.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db
from consult.timeutil import utcnow

ELEMENT_COLUMNS = tuple(f"u{n}" for n in range(1, 10))  # the nine IKM elements, in the regulation's order


class Service(db.Model):
    __tablename__ = "services"
    __table_args__ = (
        sa.UniqueConstraint("agency_id", "slug", name="uq_services_agency_slug"),
        sa.UniqueConstraint("agency_id", "name", name="uq_services_agency_name"),
        sa.Index("ix_services_document", "document_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(200))
    slug: Mapped[str] = mapped_column(sa.String(120))
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("documents.id", ondelete="SET NULL"))
    people_served: Mapped[int | None]  # entered by the agency: for the IKM's minimum sample
    people_served_period: Mapped[str | None] = mapped_column(sa.String(60))  # e.g. "per triwulan"
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CommitmentState:
    DRAFT = "draft"  # extracted at adoption, corrected by an agency admin
    PUBLISHED = "published"  # in force
    SUPERSEDED = "superseded"  # a later version's commitments were published


class Commitment(db.Model):
    __tablename__ = "commitments"
    __table_args__ = (
        sa.Index("ix_commitments_agency_state", "agency_id", "state", "service_id", "position", "id"),
        sa.Index("ix_commitments_version", "version_id", "position", "id"),
        sa.CheckConstraint("kind IN ('days', 'rupiah', 'text')", name="commitment_kind"),
        sa.CheckConstraint("state IN ('draft', 'published', 'superseded')", name="commitment_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("document_versions.id", ondelete="CASCADE"))
    section_key: Mapped[str] = mapped_column(sa.String(120))
    measure: Mapped[str] = mapped_column(sa.String(40))  # completion_time, cost, requirements, … (commitments.py)
    kind: Mapped[str] = mapped_column(sa.String(8))  # days | rupiah | text
    value_json: Mapped[str] = mapped_column(sa.Text)  # int for days/rupiah; str or list of str for text
    unit: Mapped[str | None] = mapped_column(sa.String(20))
    text: Mapped[str] = mapped_column(sa.Text)
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    state: Mapped[str] = mapped_column(sa.String(10), default=CommitmentState.DRAFT, server_default="draft")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[dt.datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    superseded_at: Mapped[dt.datetime | None]

    service: Mapped[Service] = relationship(lazy="joined")

    @property
    def value(self) -> Any:
        return json.loads(self.value_json)


class ComplaintStatus:
    RECEIVED = "received"
    ANSWERED = "answered"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"


class TextVisibility:
    PRIVATE = "private"  # the default: only counts, commitments and statuses are public
    PENDING = "pending"  # the complainant asked to publish it; a moderator has not decided yet
    PUBLIC = "public"
    HIDDEN = "hidden"  # a moderator turned it down


class Complaint(db.Model):
    __tablename__ = "complaints"
    __table_args__ = (
        sa.Index("ix_complaints_agency_service", "agency_id", "service_id", "id"),
        sa.Index("ix_complaints_agency_received", "agency_id", "received_at", "id"),
        sa.Index("ix_complaints_open_due", "answered_at", "due_at", "id"),
        # 0017: the report card counts from this index alone; the staff list's open and overdue filters walk the next
        sa.Index(
            "ix_complaints_report_card",
            "agency_id",
            "service_id",
            "answered_at",
            "due_at",
            "status",
            "first_answered_at",
            "answered_on_time",
            "dispute_count",
        ),
        sa.Index(
            "ix_complaints_agency_open",
            "agency_id",
            "received_at",
            "id",
            "due_at",
            sqlite_where=sa.text("answered_at IS NULL"),
            postgresql_where=sa.text("answered_at IS NULL"),
        ),
        sa.Index("ix_complaints_complainant", "complainant_id", "id"),
        sa.Index("ix_complaints_text_visibility", "text_visibility", "id"),
        sa.CheckConstraint("channel IN ('web', 'counter', 'paper', 'phone')", name="complaint_channel"),
        sa.CheckConstraint("status IN ('received', 'answered', 'confirmed', 'disputed')", name="complaint_status"),
        sa.CheckConstraint(
            "text_visibility IN ('private', 'pending', 'public', 'hidden')", name="complaint_text_visibility"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_number: Mapped[str] = mapped_column(sa.String(16), unique=True)
    secret_digest: Mapped[str] = mapped_column(sa.String(64))  # deadlines.secret_digest; the code is never stored
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id", ondelete="CASCADE"))
    service_id: Mapped[int | None] = mapped_column(sa.ForeignKey("services.id", ondelete="SET NULL"))
    commitment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commitments.id", ondelete="SET NULL"))
    complainant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    complainant_name: Mapped[str | None] = mapped_column(sa.String(120))  # counter/paper: never public
    complainant_contact: Mapped[str | None] = mapped_column(sa.String(200))  # counter/paper: never public
    channel: Mapped[str] = mapped_column(sa.String(8), default="web", server_default="web")
    what: Mapped[str] = mapped_column(sa.Text)  # source
    what_html: Mapped[str] = mapped_column(sa.Text, default="", server_default="")  # consult.sanitize
    where_text: Mapped[str | None] = mapped_column(sa.String(300))
    when_text: Mapped[str | None] = mapped_column(sa.String(100))
    confidential: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    text_visibility: Mapped[str] = mapped_column(sa.String(8), default=TextVisibility.PRIVATE, server_default="private")
    status: Mapped[str] = mapped_column(sa.String(10), default=ComplaintStatus.RECEIVED, server_default="received")
    received_at: Mapped[dt.datetime]
    received_place: Mapped[str | None] = mapped_column(sa.String(200))
    received_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    received_by_role: Mapped[str | None] = mapped_column(sa.String(20))
    due_at: Mapped[dt.datetime]  # the current due date: received_at + 14 days, or dispute + 14 days
    first_due_at: Mapped[dt.datetime]
    answered_at: Mapped[dt.datetime | None]  # the current answer; a dispute clears it until the agency answers again
    first_answered_at: Mapped[dt.datetime | None]
    answer: Mapped[str | None] = mapped_column(sa.Text)
    answer_html: Mapped[str | None] = mapped_column(sa.Text)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    answered_on_time: Mapped[bool | None]  # was the first answer given by the first due date
    confirmed_at: Mapped[dt.datetime | None]
    disputed_at: Mapped[dt.datetime | None]
    dispute_reason: Mapped[str | None] = mapped_column(sa.Text)
    dispute_count: Mapped[int] = mapped_column(default=0, server_default="0")
    reminded_at: Mapped[dt.datetime | None]  # the scheduler's reminder for the current due date
    overdue_recorded_at: Mapped[dt.datetime | None]  # the audit entry for the current due date's passing
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    service: Mapped[Service | None] = relationship(lazy="joined")
    commitment: Mapped[Commitment | None] = relationship()

    def is_overdue(self, now: dt.datetime) -> bool:
        return self.answered_at is None and self.status != ComplaintStatus.CONFIRMED and now > self.due_at


class ComplaintEvent(db.Model):
    """One step of a complaint's public history; actor_role only (never a name) is public."""

    __tablename__ = "complaint_events"
    __table_args__ = (sa.Index("ix_complaint_events_complaint", "complaint_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(sa.ForeignKey("complaints.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(16))  # received, answered, disputed, confirmed, overdue, reminded…
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_role: Mapped[str | None] = mapped_column(sa.String(20))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str | None] = mapped_column(sa.Text)
    text_html: Mapped[str | None] = mapped_column(sa.Text)


class SurveyResponse(db.Model):
    __tablename__ = "survey_responses"
    __table_args__ = (
        sa.Index("ix_survey_responses_service", "service_id", "year", "quarter", "id"),
        sa.UniqueConstraint("service_id", "respondent_id", "year", "quarter", name="uq_survey_once_per_quarter"),
        sa.CheckConstraint("channel IN ('web', 'paper')", name="survey_channel"),
        sa.CheckConstraint("quarter BETWEEN 1 AND 4", name="survey_quarter"),
        *[sa.CheckConstraint(f"{c} BETWEEN 1 AND 4", name=f"survey_{c}") for c in ELEMENT_COLUMNS],
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id", ondelete="CASCADE"))
    respondent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(sa.String(8), default="web", server_default="web")
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    year: Mapped[int]
    quarter: Mapped[int]
    u1: Mapped[int] = mapped_column(sa.SmallInteger)
    u2: Mapped[int] = mapped_column(sa.SmallInteger)
    u3: Mapped[int] = mapped_column(sa.SmallInteger)
    u4: Mapped[int] = mapped_column(sa.SmallInteger)
    u5: Mapped[int] = mapped_column(sa.SmallInteger)
    u6: Mapped[int] = mapped_column(sa.SmallInteger)
    u7: Mapped[int] = mapped_column(sa.SmallInteger)
    u8: Mapped[int] = mapped_column(sa.SmallInteger)
    u9: Mapped[int] = mapped_column(sa.SmallInteger)
    served_on: Mapped[dt.date | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def scores(self) -> tuple[int, ...]:
        return tuple(getattr(self, c) for c in ELEMENT_COLUMNS)


class SurveyTally(db.Model):
    """Sums per service and quarter, updated in the same transaction as each response (checked against the rows)."""

    __tablename__ = "survey_tallies"

    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    quarter: Mapped[int] = mapped_column(primary_key=True)
    responses: Mapped[int] = mapped_column(default=0, server_default="0")
    paper_responses: Mapped[int] = mapped_column(default=0, server_default="0")
    sum_u1: Mapped[int] = mapped_column(default=0, server_default="0")
    sum_u2: Mapped[int] = mapped_column(default=0, server_default="0")
    sum_u3: Mapped[int] = mapped_column(default=0, server_default="0")
    sum_u4: Mapped[int] = mapped_column(default=0, server_default="0")
    sum_u5: Mapped[int] = mapped_column(default=0, server_default="0")
    sum_u6: Mapped[int] = mapped_column(default=0, server_default="0")
    sum_u7: Mapped[int] = mapped_column(default=0, server_default="0")
    sum_u8: Mapped[int] = mapped_column(default=0, server_default="0")
    sum_u9: Mapped[int] = mapped_column(default=0, server_default="0")
