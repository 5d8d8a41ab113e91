"""The service charter (maklumat pelayanan) of a service: the promises of the standard in force, in plain words.

Law 25/2009 art. 22 asks every provider to publish a charter that states its commitment to deliver the service
by its standard (art. 21). The page reads the standard in force (the latest adopted version of the service's
document) and the commitments the agency published from it: the completion time, the cost (Rp 0 when the
service is free), the requirements, the opening hours, the complaint channels with the answer time, and the
service guarantee, each with the section it comes from. Until the agency has published the commitments of the
version in force, the charter shows what the standard's sections say, marked as not yet checked by the agency.
Three queries: the service, the version in force with the consultation it came from, its commitments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from consult.accountability.commitments import extract_commitments
from consult.accountability.deadlines import ANSWER_WITHIN
from consult.accountability.models import Commitment, CommitmentState, Service
from consult.agencies.models import Agency
from consult.deliberation.models import Revision
from consult.documents.components import COMPONENTS
from consult.documents.models import DocumentVersion
from consult.errors import NotFound
from consult.extensions import db
from consult.i18n import lazy_gettext as _l

TITLES = {c.key: c.title for c in COMPONENTS}
# the order of the charter, and each promise's heading
MEASURES: tuple[tuple[str, Any], ...] = (
    ("completion_time", _l("Completion time")),
    ("cost", _l("Cost")),
    ("requirements", _l("Requirements")),
    ("opening_hours", _l("Opening hours")),
    ("complaint_channel", _l("Complaints")),
    ("complaint_response_time", _l("Complaints")),
    ("service_guarantee", _l("Service guarantee")),
)
UNIT_WORDS = {
    "working_days": _l("working days"),
    "calendar_days": _l("calendar days"),
    "days": _l("days"),
}


@dataclass
class Promise:
    """One line of the charter: a heading, a sentence in plain words, and a list (requirements, channels)."""

    measure: str
    heading: Any
    sentence: str
    items: list[str]
    section_key: str
    section_title: str
    source_text: str


@dataclass
class Charter:
    agency: Agency
    service: Service
    version: DocumentVersion | None  # the standard in force; None before any adoption
    round_id: int | None  # the consultation the version came from
    promises: list[Promise] = field(default_factory=list)
    checked: bool = False  # the agency published the commitments of the version in force

    @property
    def groups(self) -> list[tuple[Any, list[Promise]]]:
        """The promises under their headings: the complaint channels and the answer time are one heading."""
        out: list[tuple[Any, list[Promise]]] = []
        for promise in self.promises:
            if out and str(out[-1][0]) == str(promise.heading):
                out[-1][1].append(promise)
            else:
                out.append((promise.heading, [promise]))
        return out

    @property
    def adopted_at(self) -> dt.datetime | None:
        return self.version.adopted_at if self.version is not None else None


def rupiah(amount: int) -> str:
    """Rp 50.000 (dots between thousands, as written in Indonesian)."""
    return "Rp " + f"{amount:,}".replace(",", ".")


def plain_words(measure: str, kind: str, value: Any, unit: str | None) -> tuple[str, list[str]]:
    """A commitment as a citizen reads it: (sentence, list items)."""
    if measure == "completion_time":
        if kind == "days":
            return str(_l("Done within %(n)s %(unit)s.", n=value, unit=UNIT_WORDS.get(unit or "days", ""))), []
        return str(_l("Done within %(duration)s.", duration=value)), []
    if measure == "complaint_response_time":
        if kind == "days":
            words = UNIT_WORDS.get(unit or "days", "")
            return str(_l("Complaints answered within %(n)s %(unit)s.", n=value, unit=words)), []
        return str(_l("Complaints answered within %(duration)s.", duration=value)), []
    if measure == "cost":
        if kind == "rupiah" and int(value) == 0:
            return str(_l("Free: Rp 0. Nobody may ask you to pay.")), []
        if kind == "rupiah":
            return str(_l("%(amount)s, and nothing more.", amount=rupiah(int(value)))), []
    if measure == "requirements" and isinstance(value, list):
        return str(_l("Bring:")), [str(v) for v in value]
    if measure == "complaint_channel" and isinstance(value, list):
        return str(_l("Complain through:")), [str(v) for v in value]
    if measure == "opening_hours":
        return str(value), []
    if isinstance(value, list):
        return "", [str(v) for v in value]
    return str(value), []


def _promise(measure: str, kind: str, value: Any, unit: str | None, section_key: str, text: str) -> Promise:
    sentence, items = plain_words(measure, kind, value, unit)
    heading = dict(MEASURES).get(measure, TITLES.get(section_key, section_key))
    return Promise(measure, heading, sentence, items, section_key, TITLES.get(section_key, section_key), text)


def _order(promise: Promise) -> int:
    return next((n for n, (m, _h) in enumerate(MEASURES) if m == promise.measure), len(MEASURES))


def charter(agency: Agency, service_slug: str) -> Charter:
    service = db.session.scalar(sa.select(Service).where(Service.agency_id == agency.id, Service.slug == service_slug))
    if service is None:
        raise NotFound()
    found = Charter(agency=agency, service=service, version=None, round_id=None)
    if service.document_id is None:
        return found
    row = db.session.execute(
        sa.select(DocumentVersion, Revision.round_id)
        .outerjoin(Revision, Revision.version_id == DocumentVersion.id)
        .where(DocumentVersion.document_id == service.document_id, DocumentVersion.adopted_at.is_not(None))
        .order_by(DocumentVersion.number.desc())
        .limit(1)
    ).first()
    if row is None:
        return found
    found.version, found.round_id = row[0], row[1]
    published = list(
        db.session.scalars(
            sa.select(Commitment)
            .where(
                Commitment.service_id == service.id,
                Commitment.state == CommitmentState.PUBLISHED,
                Commitment.version_id == found.version.id,
            )
            .order_by(Commitment.position, Commitment.id)
        )
    )
    if published:
        found.checked = True
        found.promises = [_promise(c.measure, c.kind, c.value, c.unit, c.section_key, c.text) for c in published]
    else:
        found.promises = [
            _promise(i["measure"], i["kind"], i["value"], i.get("unit"), i["section_key"], i["text"])
            for i in extract_commitments(found.version.sections)
        ]
    found.promises.sort(key=_order)
    return found


def answer_days() -> int:
    """The calendar days within which every complaint must be answered on this platform, whatever the standard
    says."""
    return ANSWER_WITHIN.days
