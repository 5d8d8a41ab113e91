"""The services an agency's service standards cover (the `services` table): the key of commitments, complaints,
surveys and report-card rows. A service is made once per agency and name, when its standard is adopted."""

from __future__ import annotations

import sqlalchemy as sa

from consult.accountability.models import Service
from consult.agencies.models import Agency
from consult.documents.models import Document
from consult.documents.splitting import slugify
from consult.errors import NotFound
from consult.extensions import db


def ensure_service(agency: Agency, name: str, document: Document | None = None) -> Service:
    """The agency's service of this name, created when new (call inside a write transaction). Its slug comes from
    the name and is unique per agency ("-2", "-3" … on a clash). A known service takes the document given."""
    name = " ".join((name or "").split())[:200] or (document.title if document is not None else "Layanan")
    service = db.session.scalar(sa.select(Service).where(Service.agency_id == agency.id, Service.name == name))
    if service is not None:
        if document is not None and service.document_id != document.id:
            service.document_id = document.id
        return service
    base = (slugify(name) or "layanan")[:110]
    taken = set(
        db.session.scalars(sa.select(Service.slug).where(Service.agency_id == agency.id, Service.slug.like(f"{base}%")))
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    service = Service(agency_id=agency.id, name=name, slug=slug, document_id=document.id if document else None)
    db.session.add(service)
    db.session.flush()
    return service


def agency_services(agency_id: int) -> list[Service]:
    return list(db.session.scalars(sa.select(Service).where(Service.agency_id == agency_id).order_by(Service.name)))


def service_by_name(agency_id: int, name: str) -> Service:
    service = db.session.scalar(sa.select(Service).where(Service.agency_id == agency_id, Service.name == name))
    if service is None:
        raise NotFound()
    return service
