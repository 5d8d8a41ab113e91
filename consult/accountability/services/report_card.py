"""An agency's public report card: per service, the commitments in force, the complaints and how they were
handled, and the satisfaction index (IKM) with its trend per quarter.

Aggregates only, in a constant number of queries whatever the number of complaints and responses: the services,
their survey tallies, one GROUP BY over the agency's complaints with conditional sums, one over its published
commitments, and the adopted versions of the services' standards with the consultations they came from.

The IKM of a service (decided here; the regulation measures it per period) is computed over the last four
calendar quarters, the current one included: a rolling year, enough responses to say something and recent enough
to move when the service changes. The trend shows each of the last eight quarters on its own. "Overdue" is
derived, as everywhere: not answered (or answered and then disputed, until answered again), not confirmed, and
past its due date. "Disputed" counts complaints the complainant disputed at least once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from consult.accountability import ikm
from consult.accountability.models import (
    ELEMENT_COLUMNS,
    Commitment,
    CommitmentState,
    Complaint,
    ComplaintStatus,
    Service,
    SurveyTally,
)
from consult.agencies.models import Agency
from consult.deliberation.models import Revision
from consult.documents.models import DocumentVersion
from consult.extensions import db
from consult.timeutil import utcnow

IKM_QUARTERS = 4  # the index: the last four quarters
TREND_QUARTERS = 8  # the chart: the last eight


@dataclass
class ComplaintCounts:
    received: int = 0
    answered: int = 0
    answered_on_time: int = 0
    overdue: int = 0
    disputed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "received": self.received,
            "answered": self.answered,
            "answered_on_time": self.answered_on_time,
            "overdue": self.overdue,
            "disputed": self.disputed,
        }


@dataclass
class CharterVersion:
    document_id: int
    version_id: int
    number: int
    adopted_at: dt.datetime
    round_id: int | None


@dataclass
class ServiceCard:
    service: Service
    commitments: int
    complaints: ComplaintCounts
    ikm: ikm.IkmResult
    sample: dict[str, Any]
    trend: list[tuple[ikm.Quarter, ikm.IkmResult]]
    versions: list[CharterVersion] = field(default_factory=list)
    paper_responses: int = 0

    @property
    def covered(self) -> bool:
        """Whether an adopted service standard covers the service (it has commitments or a charter version)."""
        return bool(self.commitments or self.versions)


@dataclass
class ReportCard:
    agency: Agency
    services: list[ServiceCard]
    commitments: int
    general_complaints: ComplaintCounts  # complaints about the agency in general, no service named
    period: tuple[ikm.Quarter, ikm.Quarter]
    trend_quarters: list[ikm.Quarter]
    computed_at: dt.datetime

    def as_dict(self) -> dict[str, Any]:
        first, last = self.period
        return {
            "agency": {"slug": self.agency.slug, "name": self.agency.name},
            "period": {"from": str(first), "to": str(last)},
            "commitments": self.commitments,
            "services": [
                {
                    "service": card.service.name,
                    "service_slug": card.service.slug,
                    "covered_by_standard": card.covered,
                    "commitments": card.commitments,
                    "ikm": {
                        **card.ikm.as_dict(),
                        "paper_responses": card.paper_responses,
                        "minimum_sample": card.sample["minimum_sample"],
                        "people_served": card.sample["population"],
                        "below_minimum_sample": card.sample["below_minimum"],
                    },
                    "trend": [
                        {
                            "quarter": str(q),
                            "responses": r.responses,
                            "index": float(r.index) if r.index is not None else None,
                            "grade": r.grade.letter if r.grade else None,
                        }
                        for q, r in card.trend
                    ],
                    "complaints": card.complaints.as_dict(),
                    "versions": [
                        {
                            "document_id": v.document_id,
                            "version_id": v.version_id,
                            "number": v.number,
                            "adopted_at": v.adopted_at,
                            "round_id": v.round_id,
                        }
                        for v in card.versions
                    ],
                }
                for card in self.services
            ],
            "general_complaints": self.general_complaints.as_dict(),
        }


def _complaint_counts(agency_id: int, now: dt.datetime) -> dict[int | None, ComplaintCounts]:
    c = Complaint
    overdue = sa.and_(c.answered_at.is_(None), c.status != ComplaintStatus.CONFIRMED, c.due_at < now)
    rows = db.session.execute(
        sa.select(
            c.service_id,
            sa.func.count(),
            sa.func.sum(sa.case((c.first_answered_at.is_not(None), 1), else_=0)),
            sa.func.sum(sa.case((c.answered_on_time.is_(True), 1), else_=0)),
            sa.func.sum(sa.case((overdue, 1), else_=0)),
            sa.func.sum(sa.case((c.dispute_count > 0, 1), else_=0)),
        )
        .where(c.agency_id == agency_id)
        .group_by(c.service_id)
    )
    return {
        service_id: ComplaintCounts(int(n), int(a or 0), int(t or 0), int(o or 0), int(d or 0))
        for service_id, n, a, t, o, d in rows
    }


def report_card(agency: Agency, now: dt.datetime | None = None) -> ReportCard:
    now = now or utcnow()
    current = ikm.quarter_of(now, agency.timezone or "Asia/Jakarta")
    trend_quarters = _back(current, TREND_QUARTERS)
    ikm_quarters = set(trend_quarters[-IKM_QUARTERS:])
    services = list(
        db.session.scalars(sa.select(Service).where(Service.agency_id == agency.id).order_by(Service.name, Service.id))
    )
    ids = [s.id for s in services]
    tallies: dict[int, dict[ikm.Quarter, SurveyTally]] = {}
    if ids:
        for tally in db.session.scalars(
            sa.select(SurveyTally).where(
                SurveyTally.service_id.in_(ids),
                sa.tuple_(SurveyTally.year, SurveyTally.quarter) >= (trend_quarters[0].year, trend_quarters[0].quarter),
            )
        ):
            tallies.setdefault(tally.service_id, {})[ikm.Quarter(tally.year, tally.quarter)] = tally
    complaints = _complaint_counts(agency.id, now)
    commitment_counts = dict(
        db.session.execute(
            sa.select(Commitment.service_id, sa.func.count())
            .where(Commitment.agency_id == agency.id, Commitment.state == CommitmentState.PUBLISHED)
            .group_by(Commitment.service_id)
        ).all()
    )
    documents = {s.document_id for s in services if s.document_id is not None}
    versions: dict[int, list[CharterVersion]] = {}
    if documents:
        for doc_id, version_id, number, adopted_at, round_id in db.session.execute(
            sa.select(
                DocumentVersion.document_id,
                DocumentVersion.id,
                DocumentVersion.number,
                DocumentVersion.adopted_at,
                Revision.round_id,
            )
            .outerjoin(Revision, Revision.version_id == DocumentVersion.id)
            .where(DocumentVersion.document_id.in_(documents), DocumentVersion.adopted_at.is_not(None))
            .order_by(DocumentVersion.number.desc())
        ):
            versions.setdefault(doc_id, []).append(CharterVersion(doc_id, version_id, number, adopted_at, round_id))
    cards = []
    for service in services:
        own = tallies.get(service.id, {})
        rolling = [own[q] for q in own if q in ikm_quarters]
        result = _ikm(rolling)
        cards.append(
            ServiceCard(
                service=service,
                commitments=int(commitment_counts.get(service.id, 0)),
                complaints=complaints.get(service.id, ComplaintCounts()),
                ikm=result,
                sample=ikm.sample_status(result.responses, service.people_served),
                trend=[(q, _ikm([own[q]] if q in own else [])) for q in trend_quarters],
                versions=versions.get(service.document_id, []) if service.document_id else [],
                paper_responses=sum(t.paper_responses for t in rolling),
            )
        )
    cards.sort(key=lambda card: (not card.covered, card.service.name.lower()))
    return ReportCard(
        agency=agency,
        services=cards,
        commitments=sum(int(n) for n in commitment_counts.values()),
        general_complaints=complaints.get(None, ComplaintCounts()),
        period=(trend_quarters[-IKM_QUARTERS], current),
        trend_quarters=trend_quarters,
        computed_at=now,
    )


def _ikm(tallies: list[SurveyTally]) -> ikm.IkmResult:
    count = sum(t.responses for t in tallies)
    totals = [sum(getattr(t, f"sum_{c}") for t in tallies) for c in ELEMENT_COLUMNS]
    return ikm.ikm_from_totals(count, totals)


def _back(last: ikm.Quarter, n: int) -> list[ikm.Quarter]:
    year, quarter = last.year, last.quarter
    for _ in range(n - 1):
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return ikm.quarters(ikm.Quarter(year, quarter), last)
