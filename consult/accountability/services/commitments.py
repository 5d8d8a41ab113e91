"""Commitments of an adopted service standard: drafted at adoption, corrected and published by the agency's admins.

At adoption (signals.version_adopted) the commitments that commitments.extract_commitments reads from the adopted
version's sections are stored as drafts of the standard's service (services.ensure_service). The agency's admins
correct the drafts (text, kind, value), delete or add some, then publish them: the service's drafts become
"published" and its earlier published commitments "superseded", audited as "commitments.published". Only
published commitments are public (GET /api/v1/agencies/{slug}/commitments) and can be complained about.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from consult import audit
from consult.accountability.commitments import extract_commitments
from consult.accountability.models import Commitment, CommitmentState, Service
from consult.accountability.services.services import ensure_service
from consult.accounts.models import User
from consult.agencies.models import Agency
from consult.agencies.services import can_manage_agency
from consult.documents.models import DocumentKind, DocumentVersion
from consult.errors import Conflict, Invalid, NotAllowed, NotFound
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.timeutil import utcnow

KINDS = ("days", "rupiah", "text")
TEXT_LIMIT = 2000


def can_edit_commitments(user: User | None, agency: Agency) -> bool:
    return can_manage_agency(user, agency)


def draft_from_version(version: DocumentVersion) -> list[Commitment]:
    """Store the draft commitments of an adopted service-standard version (inside the adoption's transaction).
    Nothing for a policy, nor a second time for the same version."""
    document = version.document
    if document.kind != DocumentKind.SERVICE_STANDARD:
        return []
    exists = db.session.scalar(sa.select(Commitment.id).where(Commitment.version_id == version.id).limit(1))
    if exists is not None:
        return []
    service = ensure_service(document.agency, document.service_name or document.title, document)
    rows = []
    for position, item in enumerate(extract_commitments(version.sections)):
        row = Commitment(
            agency_id=document.agency_id,
            service_id=service.id,
            document_id=document.id,
            version_id=version.id,
            section_key=item["section_key"],
            measure=item["measure"],
            kind=item["kind"],
            value_json=json.dumps(item["value"], ensure_ascii=False),
            unit=item.get("unit"),
            text=item["text"],
            position=position,
            state=CommitmentState.DRAFT,
        )
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    return rows


def on_version_adopted(version: DocumentVersion, **_extra: Any) -> None:
    draft_from_version(version)


def connect_signals() -> None:
    from consult import signals

    signals.version_adopted.connect(on_version_adopted)


# --- reading ---------------------------------------------------------------------------------------------------


def published_commitments(agency_id: int) -> list[Commitment]:
    return list(
        db.session.scalars(
            sa.select(Commitment)
            .where(Commitment.agency_id == agency_id, Commitment.state == CommitmentState.PUBLISHED)
            .order_by(Commitment.service_id, Commitment.position, Commitment.id)
        )
    )


def draft_commitments(agency_id: int) -> list[Commitment]:
    return list(
        db.session.scalars(
            sa.select(Commitment)
            .where(Commitment.agency_id == agency_id, Commitment.state == CommitmentState.DRAFT)
            .order_by(Commitment.service_id, Commitment.position, Commitment.id)
        )
    )


def get_commitment(commitment_id: int, agency: Agency) -> Commitment:
    row = db.session.get(Commitment, commitment_id)
    if row is None or row.agency_id != agency.id:
        raise NotFound()
    return row


# --- writing ---------------------------------------------------------------------------------------------------


def _checked(kind: str, value: Any, text: str) -> tuple[str, str, str]:
    kind = (kind or "").strip()
    fields = {}
    if kind not in KINDS:
        fields["kind"] = _l("Choose days, rupiah or text.")
    text = (text or "").strip()
    if not text or len(text) > TEXT_LIMIT:
        fields["text"] = _l("Between 1 and 2,000 characters.")
    parsed: Any = value
    if kind in ("days", "rupiah"):
        try:
            parsed = int(str(value).strip().replace(".", ""))
            if parsed < 0 or parsed > 10**12:
                raise ValueError(value)
        except (TypeError, ValueError):
            fields["value"] = _l("A whole number.")
    elif kind == "text":
        parsed = value if isinstance(value, list) else str(value or "").strip() or text
    if fields:
        raise Invalid(fields=fields)
    return kind, json.dumps(parsed, ensure_ascii=False), text


def update_commitment(user: User | None, commitment: Commitment, *, text: str, kind: str, value: Any) -> Commitment:
    """An agency admin corrects a draft commitment (409 once published)."""
    agency = db.session.get(Agency, commitment.agency_id)
    if not can_edit_commitments(user, agency):
        raise NotAllowed()
    kind, value_json, text = _checked(kind, value, text)
    with write_transaction():
        row = db.session.get(Commitment, commitment.id, populate_existing=True)
        if row.state != CommitmentState.DRAFT:
            raise Conflict(_l("Only draft commitments can be changed."))
        row.kind, row.value_json, row.text = kind, value_json, text
        if kind != "days":
            row.unit = "rupiah" if kind == "rupiah" else None
        row.updated_at, row.updated_by_id = utcnow(), user.id
    return row


def delete_commitment(user: User | None, commitment: Commitment) -> None:
    agency = db.session.get(Agency, commitment.agency_id)
    if not can_edit_commitments(user, agency):
        raise NotAllowed()
    with write_transaction():
        row = db.session.get(Commitment, commitment.id, populate_existing=True)
        if row.state != CommitmentState.DRAFT:
            raise Conflict(_l("Only draft commitments can be deleted."))
        db.session.delete(row)


def add_commitment(
    user: User | None, agency: Agency, service: Service, *, section_key: str, text: str, kind: str, value: Any
) -> Commitment:
    """An agency admin adds a draft commitment the extraction missed, to the service's latest drafted version."""
    if not can_edit_commitments(user, agency):
        raise NotAllowed()
    if service.agency_id != agency.id:
        raise NotFound()
    kind, value_json, text = _checked(kind, value, text)
    latest = db.session.execute(
        sa.select(Commitment.document_id, Commitment.version_id, sa.func.max(Commitment.position))
        .where(Commitment.service_id == service.id)
        .group_by(Commitment.document_id, Commitment.version_id)
        .order_by(Commitment.version_id.desc())
        .limit(1)
    ).first()
    if latest is None:
        raise Conflict(_l("This service has no adopted standard yet."))
    with write_transaction():
        row = Commitment(
            agency_id=agency.id,
            service_id=service.id,
            document_id=latest[0],
            version_id=latest[1],
            section_key=(section_key or "").strip()[:120] or "lainnya",
            measure="other",
            kind=kind,
            value_json=value_json,
            unit="rupiah" if kind == "rupiah" else ("days" if kind == "days" else None),
            text=text,
            position=(latest[2] or 0) + 1,
            state=CommitmentState.DRAFT,
            updated_at=utcnow(),
            updated_by_id=user.id,
        )
        db.session.add(row)
    return row


def publish_commitments(user: User | None, agency: Agency, service: Service) -> int:
    """The service's drafts are published; its earlier published commitments are superseded. Audited as
    "commitments.published" with the count, the version and the service. 409 when there is no draft."""
    if not can_edit_commitments(user, agency):
        raise NotAllowed(_l("Only the agency's admins publish commitments."))
    if service.agency_id != agency.id:
        raise NotFound()
    with write_transaction():
        drafts = list(
            db.session.scalars(
                sa.select(Commitment).where(
                    Commitment.service_id == service.id, Commitment.state == CommitmentState.DRAFT
                )
            )
        )
        if not drafts:
            raise Conflict(_l("There are no draft commitments to publish."))
        now = utcnow()
        superseded = db.session.execute(
            sa.update(Commitment)
            .where(Commitment.service_id == service.id, Commitment.state == CommitmentState.PUBLISHED)
            .values(state=CommitmentState.SUPERSEDED, superseded_at=now)
        ).rowcount
        for row in drafts:
            row.state, row.published_at, row.published_by_id = CommitmentState.PUBLISHED, now, user.id
        audit.record(
            "commitments.published",
            service,
            {
                "count": len(drafts),
                "superseded": superseded,
                "version_id": max(r.version_id for r in drafts),
                "service": service.name,
                "agency": agency.slug,
            },
            actor=user,
        )
    return len(drafts)
