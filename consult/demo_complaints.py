"""Demo complaints (issue 13): a few complaints against the demo agency's published commitments, made through the
complaint services, so that the pages, the audit chain and the report card have something true to show.

`load_demo_complaints(agency, now)` expects the agency's adopted service standard with published commitments
(another part of the demo builds it) and creates:
- one answered on time and confirmed by the complainant,
- one answered and disputed (waiting for a new answer),
- one overdue: entered at a counter by the moderator with received_at 20 days back, no answer,
- one fresh, received today.
Idempotent: an agency that already has complaints gets none more. Returns the tracking numbers by kind.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from consult.accountability.models import Complaint
from consult.accountability.services import commitments, complaints
from consult.accounts.models import Role, User
from consult.agencies.models import Agency, Membership
from consult.extensions import db

CITIZEN_EMAIL = "warga@contoh.example"


def _member(agency: Agency, role: Role) -> User | None:
    return db.session.scalar(
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.agency_id == agency.id, Membership.role == role.value)
        .order_by(User.id)
        .limit(1)
    )


def load_demo_complaints(agency: Agency, now: dt.datetime) -> dict[str, str]:
    if db.session.scalar(sa.select(Complaint.id).where(Complaint.agency_id == agency.id).limit(1)) is not None:
        return {}
    published = commitments.published_commitments(agency.id)
    if not published:
        raise RuntimeError("the demo agency has no published commitments: adopt its service standard first")
    admin = _member(agency, Role.AGENCY_ADMIN)
    moderator = _member(agency, Role.MODERATOR) or admin
    citizen = db.session.scalar(sa.select(User).where(User.email == CITIZEN_EMAIL))
    if admin is None or citizen is None:
        raise RuntimeError("the demo accounts are missing: run the demo seed first")
    by_measure = {c.measure: c for c in published}
    cost = by_measure.get("cost", published[0])
    time = by_measure.get("completion_time", published[0])
    out: dict[str, str] = {}

    settled = complaints.file_complaint(
        citizen,
        agency,
        what="Saya diminta membayar Rp 50.000 untuk akta kelahiran, padahal standar pelayanan menyebut gratis.",
        commitment_id=cost.id,
        where="Loket 2, kantor dinas",
        when="pagi hari",
        now=now - dt.timedelta(days=12),
    ).complaint
    complaints.answer_complaint(
        admin,
        settled,
        "Pungutan itu tidak sah. Uang Anda sudah kami kembalikan dan petugas yang bersangkutan telah ditegur.",
        now=now - dt.timedelta(days=8),
    )
    complaints.confirm_complaint(citizen, settled, now=now - dt.timedelta(days=7))
    out["confirmed"] = settled.tracking_number

    disputed = complaints.file_complaint(
        citizen,
        agency,
        what="Akta anak saya belum selesai setelah lebih dari 14 hari kerja.",
        commitment_id=time.id,
        now=now - dt.timedelta(days=9),
    ).complaint
    complaints.answer_complaint(
        moderator,
        disputed,
        "Berkas Anda sudah kami proses; akta dapat diambil minggu ini.",
        now=now - dt.timedelta(days=5),
    )
    complaints.dispute_complaint(
        citizen, disputed, "Saya datang hari Kamis, akta belum juga ada.", now=now - dt.timedelta(days=3)
    )
    out["disputed"] = disputed.tracking_number

    overdue = complaints.file_complaint(
        moderator,
        agency,
        what="Pengadu mengeluh antrean loket lebih dari tiga jam tanpa nomor antrean.",
        commitment_id=time.id,
        channel="counter",
        received_at=now - dt.timedelta(days=20),
        received_place="Loket pengaduan, kantor dinas",
        now=now,
    ).complaint
    out["overdue"] = overdue.tracking_number

    fresh = complaints.file_complaint(
        citizen,
        agency,
        what="Nomor WhatsApp pengaduan di standar pelayanan tidak pernah menjawab.",
        service=time.service.name,
        publish_text=True,
        now=now,
    ).complaint
    out["fresh"] = fresh.tracking_number
    return out
