"""A world for the accountability tests: an agency whose adopted service standard has published commitments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from consult import signals
from consult.accountability.models import Commitment, Service
from consult.accountability.services import commitments
from consult.documents.components import COMPONENT_KEYS
from consult.documents.models import DocumentKind, DocumentVersion
from consult.documents.services import create_document, publish_version
from consult.extensions import db, write_transaction
from consult.timeutil import utcnow

COMPONENTS = {
    "persyaratan": "- KTP elektronik\n- Kartu Keluarga",
    "jangka-waktu": "Paling lama 14 hari kerja sejak berkas lengkap.",
    "biaya-tarif": "Tidak dipungut biaya (gratis).",
    "penanganan-pengaduan": "Pengaduan dijawab paling lama 5 hari kerja melalui SP4N-LAPOR! atau loket pengaduan.",
}


def adopt_standard(make, agency, admin, service_name: str = "Penerbitan Akta Kelahiran"):
    """Publish a service standard, adopt it (the signal the charter helper sends) and return the version."""
    components = {k: f"Isi komponen {k}." for k in COMPONENT_KEYS} | COMPONENTS
    document = create_document(
        "test",
        agency,
        DocumentKind.SERVICE_STANDARD,
        "Standar Pelayanan Akta",
        "Ringkasan",
        components=components,
        service_name=service_name,
    )
    publish_version("test", document.latest_version)
    version = db.session.get(DocumentVersion, document.latest_version.id)
    with write_transaction():
        version.adopted_at = utcnow()
        signals.version_adopted.send(version, revision=None, round=None, actor=admin)
    return version


@dataclass
class World:
    agency: Any
    other: Any
    admin: Any
    moderator: Any
    citizen: Any
    other_admin: Any
    site_admin: Any
    service: Service
    commitment: Commitment


def build_world(make, *, publish: bool = True) -> World:
    agency = make.agency(slug="dukcapil-uji", name="Dinas Dukcapil Uji")
    other = make.agency(slug="dinas-lain", name="Dinas Lain")
    admin = make.user("agency_admin", agency, verified=True)
    moderator = make.user("moderator", agency, verified=True)
    citizen = make.user(verified=True)
    other_admin = make.user("agency_admin", other, verified=True)
    site_admin = make.user("admin", verified=True)
    adopt_standard(make, agency, admin)
    service = db.session.query(Service).filter_by(agency_id=agency.id).one()
    if publish:
        commitments.publish_commitments(admin, agency, service)
    commitment = db.session.query(Commitment).filter_by(service_id=service.id).order_by(Commitment.position).first()
    return World(agency, other, admin, moderator, citizen, other_admin, site_admin, service, commitment)
