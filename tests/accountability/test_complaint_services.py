"""Commitments drafted at adoption and published; complaints: deadlines, backdating, permissions, secret codes,
confidentiality, the audit chain (no text, no identity), e-mails and the scheduled jobs."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from consult.accountability import deadlines
from consult.accountability.models import Commitment, Complaint, ComplaintEvent, Service
from consult.accountability.services import commitments
from consult.accountability.services import complaint_reads as reads
from consult.accountability.services import complaints as svc
from consult.accountability.services.services import ensure_service
from consult.audit import AuditEntry, verify
from consult.errors import Conflict, Invalid, LoginRequired, NotAllowed
from consult.extensions import db, write_transaction
from consult.notifications.models import OutboxMessage
from consult.scheduler.jobs import run_due_jobs
from consult.timeutil import utcnow
from tests.accountability.complaint_world import adopt_standard, build_world

WHAT = "Petugas meminta biaya Rp 50.000 padahal layanan gratis. Nama saya Siti Rahayu."


@pytest.fixture
def world(make):
    return build_world(make)


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)))


def _mails(kind: str) -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)))


# --- services and commitments ------------------------------------------------------------------------------------


def test_ensure_service_is_one_per_agency_and_name_with_unique_slugs(make):
    agency = make.agency()
    with write_transaction():
        a = ensure_service(agency, "Akta Kelahiran")
        b = ensure_service(agency, "Akta  Kelahiran")
        c = ensure_service(agency, "Akta-Kelahiran")
    assert a.id == b.id and a.slug == "akta-kelahiran"
    assert c.id != a.id and c.slug == "akta-kelahiran-2"


def test_adoption_drafts_commitments_and_publishing_supersedes_the_earlier_ones(make):
    agency = make.agency()
    admin = make.user("agency_admin", agency)
    adopt_standard(make, agency, admin)
    service = db.session.scalar(sa.select(Service).where(Service.agency_id == agency.id))
    assert service.name == "Penerbitan Akta Kelahiran"
    drafts = commitments.draft_commitments(agency.id)
    kinds = {(c.measure, c.kind, c.value) for c in drafts if c.kind != "text"}
    assert ("completion_time", "days", 14) in kinds and ("cost", "rupiah", 0) in kinds
    assert commitments.published_commitments(agency.id) == []
    moderator = make.user("moderator", agency)
    with pytest.raises(NotAllowed):
        commitments.publish_commitments(moderator, agency, service)
    first = commitments.publish_commitments(admin, agency, service)
    assert first == len(drafts)
    entry = _audit("commitments.published")[-1]
    assert entry.data["count"] == first and entry.data["service"] == service.name and entry.data["version_id"]
    with pytest.raises(Conflict):
        commitments.publish_commitments(admin, agency, service)
    adopt_standard(make, agency, admin)  # a second adopted version of the same service
    commitments.publish_commitments(admin, agency, service)
    states = db.session.execute(sa.select(Commitment.state, sa.func.count()).group_by(Commitment.state)).all()
    assert dict(states) == {"superseded": first, "published": first}


def test_admins_correct_delete_and_add_drafts(make):
    agency = make.agency()
    admin = make.user("agency_admin", agency)
    adopt_standard(make, agency, admin)
    service = db.session.scalar(sa.select(Service).where(Service.agency_id == agency.id))
    draft = commitments.draft_commitments(agency.id)[0]
    commitments.update_commitment(admin, draft, text="Selesai dalam 10 hari kerja", kind="days", value="10")
    assert db.session.get(Commitment, draft.id).value == 10
    with pytest.raises(Invalid):
        commitments.update_commitment(admin, draft, text="x", kind="days", value="sepuluh")
    with pytest.raises(NotAllowed):
        commitments.update_commitment(make.user("moderator", agency), draft, text="x", kind="text", value="x")
    added = commitments.add_commitment(
        admin, agency, service, section_key="jangka-waktu", text="Loket buka Sabtu", kind="text", value=""
    )
    assert added.value == "Loket buka Sabtu"
    commitments.delete_commitment(admin, added)
    assert db.session.get(Commitment, added.id) is None
    commitments.publish_commitments(admin, agency, service)
    with pytest.raises(Conflict):
        commitments.update_commitment(admin, draft, text="y", kind="text", value="y")


def test_a_policy_adoption_drafts_nothing(make):
    agency = make.agency()
    admin = make.user("agency_admin", agency)
    policy = make.policy(agency)
    with write_transaction():
        from consult import signals

        signals.version_adopted.send(policy.latest_published, revision=None, round=None, actor=admin)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Commitment)) == 0


# --- filing ------------------------------------------------------------------------------------------------------


def test_a_citizen_files_against_a_commitment_with_a_14_day_deadline_and_a_secret_code(world):
    now = utcnow()
    filed = svc.file_complaint(world.citizen, world.agency, what=WHAT, commitment_id=world.commitment.id, now=now)
    c = filed.complaint
    assert deadlines.normalize_tracking_number(c.tracking_number) == c.tracking_number
    assert c.received_at == now and c.due_at == now + dt.timedelta(days=14) and c.first_due_at == c.due_at
    assert c.service_id == world.service.id and c.channel == "web" and c.received_by_role is None
    assert c.complainant_id == world.citizen.id and c.status == "received"
    assert filed.secret not in c.secret_digest and len(c.secret_digest) == 64
    assert deadlines.check_secret(filed.secret, c.secret_digest, svc.secret_key())
    # the digest is keyed: not the bare SHA-256 of the code, nor an HMAC with the raw SECRET_KEY
    from flask import current_app

    assert c.secret_digest != deadlines.secret_digest(filed.secret, current_app.config["SECRET_KEY"].encode())
    entry = _audit("complaint.received")[-1]
    assert entry.actor == "complainant"
    assert entry.data["tracking_number"] == c.tracking_number and entry.data["service"] == world.service.name
    assert entry.data["channel"] == "web" and entry.data["due_at"] and entry.data["received_at"]
    raw = entry.data_json
    assert "Siti" not in raw and world.citizen.email not in raw and str(world.citizen.id) not in entry.actor
    assert [e.kind for e in db.session.scalars(sa.select(ComplaintEvent))] == ["received"]
    assert verify().ok


def test_filing_needs_an_account(world):
    from flask_login import AnonymousUserMixin

    with pytest.raises(LoginRequired):
        svc.file_complaint(AnonymousUserMixin(), world.agency, what=WHAT)


def test_a_citizen_may_not_backdate_nor_enter_counter_complaints(world):
    with pytest.raises(Invalid) as exc:
        svc.file_complaint(world.citizen, world.agency, what=WHAT, received_at=utcnow() - dt.timedelta(days=1))
    assert "received_at" in exc.value.fields
    with pytest.raises(NotAllowed):
        svc.file_complaint(world.citizen, world.agency, what=WHAT, channel="counter")
    with pytest.raises(Invalid):
        svc.file_complaint(world.citizen, world.agency, what=WHAT, complainant_name="Budi")


@pytest.mark.parametrize("who", ["admin", "moderator", "site_admin"])
def test_staff_enter_a_paper_complaint_received_20_days_ago_and_it_is_overdue_at_once(world, who):
    actor = getattr(world, who)
    now = utcnow()
    received = now - dt.timedelta(days=20)
    filed = svc.file_complaint(
        actor,
        world.agency,
        what=WHAT,
        service=world.service.name,
        channel="paper",
        received_at=received,
        received_place="Loket 3 Kantor Kecamatan",
        complainant_name="Siti Rahayu",
        complainant_contact="0812-0000-1111",
        now=now,
    )
    c = filed.complaint
    assert c.received_at == received and c.due_at == received + dt.timedelta(days=14)
    assert c.received_by_role == {"admin": "agency_admin", "moderator": "moderator", "site_admin": "site_admin"}[who]
    assert c.complainant_id is None and c.complainant_name == "Siti Rahayu"
    assert c.is_overdue(now) and reads.public_view(c, now)["overdue"] is True
    raw = _audit("complaint.received")[-1].data_json
    assert "Siti" not in raw and "0812" not in raw and "Loket 3" not in raw


def test_backdating_is_limited_to_30_days_and_never_the_future(world):
    now = utcnow()
    for when in (now - dt.timedelta(days=31), now + dt.timedelta(hours=1)):
        with pytest.raises(Invalid) as exc:
            svc.file_complaint(world.admin, world.agency, what=WHAT, channel="counter", received_at=when, now=now)
        assert "received_at" in exc.value.fields
    ok = svc.file_complaint(
        world.admin, world.agency, what=WHAT, channel="counter", received_at=now - dt.timedelta(days=29), now=now
    )
    assert ok.complaint.received_at == now - dt.timedelta(days=29)


def test_another_agencys_admin_is_a_citizen_here(world):
    with pytest.raises(NotAllowed):
        svc.file_complaint(world.other_admin, world.agency, what=WHAT, channel="counter")


def test_the_commitment_must_be_published_and_of_the_agency(world, make):
    with pytest.raises(Invalid) as exc:
        svc.file_complaint(world.citizen, world.other, what=WHAT, commitment_id=world.commitment.id)
    assert "commitment_id" in exc.value.fields
    with pytest.raises(Invalid) as exc:
        svc.file_complaint(world.citizen, world.agency, what=WHAT, service="Layanan Tak Ada")
    assert "service" in exc.value.fields
    with pytest.raises(Invalid) as exc:
        svc.file_complaint(world.citizen, world.agency, what="   ")
    assert "what" in exc.value.fields
    general = svc.file_complaint(world.citizen, world.agency, what=WHAT).complaint
    assert general.service_id is None and general.commitment_id is None


def test_the_text_is_sanitised(world):
    c = svc.file_complaint(world.citizen, world.agency, what="<script>alert(1)</script> **tolong**").complaint
    assert "<script>" not in c.what_html and "<strong>tolong</strong>" in c.what_html


# --- steps -------------------------------------------------------------------------------------------------------


def _filed(world, **kw):
    return svc.file_complaint(world.citizen, world.agency, what=WHAT, commitment_id=world.commitment.id, **kw)


def test_answer_confirm_with_the_secret_and_answered_on_time(world):
    filed = _filed(world)
    c = filed.complaint
    with pytest.raises(NotAllowed):
        svc.answer_complaint(world.citizen, c, "Saya jawab sendiri")
    with pytest.raises(NotAllowed):
        svc.answer_complaint(world.other_admin, c, "Bukan instansi saya")
    with pytest.raises(Conflict):
        svc.confirm_complaint(world.citizen, c)  # not answered yet
    svc.answer_complaint(world.moderator, c, "Biaya dikembalikan; petugas ditegur.")
    with pytest.raises(Conflict):
        svc.answer_complaint(world.admin, c, "Lagi")
    with pytest.raises(NotAllowed):
        svc.confirm_complaint(None, c, secret="AAAA-BBBB-CCCC")
    with pytest.raises(NotAllowed):
        svc.confirm_complaint(world.moderator, c)
    svc.confirm_complaint(None, c, secret=filed.secret.lower().replace("-", " "))
    row = db.session.get(Complaint, c.id)
    assert row.status == "confirmed" and row.answered_on_time is True
    assert [e.action for e in _audit("complaint.answered")] == ["complaint.answered"]
    confirmed = _audit("complaint.confirmed")[-1]
    assert confirmed.actor == "complainant" and "Biaya" not in confirmed.data_json


def test_dispute_sets_a_new_due_date_and_the_first_answer_decides_on_time(world):
    c = _filed(world, now=utcnow() - dt.timedelta(days=20)).complaint
    first_due = c.due_at
    svc.answer_complaint(world.admin, c, "Jawaban terlambat.")
    assert db.session.get(Complaint, c.id).answered_on_time is False
    with pytest.raises(Invalid):
        svc.dispute_complaint(world.citizen, c, "  ")
    now = utcnow()
    svc.dispute_complaint(world.citizen, c, "Uangnya belum kembali.", now=now)
    row = db.session.get(Complaint, c.id)
    assert row.status == "disputed" and row.due_at == now + dt.timedelta(days=14) and row.first_due_at == first_due
    assert row.answered_at is None and row.dispute_count == 1 and not row.is_overdue(now)
    svc.answer_complaint(world.admin, c, "Sudah dikembalikan.", now=now + dt.timedelta(days=1))
    row = db.session.get(Complaint, c.id)
    assert row.status == "answered" and row.answered_on_time is False  # the FIRST answer was late
    assert "Uangnya" not in _audit("complaint.disputed")[-1].data_json


def test_every_step_emails_a_complainant_with_an_account(world):
    filed = _filed(world)
    svc.answer_complaint(world.admin, filed.complaint, "Jawaban.")
    svc.dispute_complaint(world.citizen, filed.complaint, "Belum selesai.")
    svc.answer_complaint(world.admin, filed.complaint, "Jawaban kedua.")
    svc.confirm_complaint(world.citizen, filed.complaint)
    mails = _mails("complaint_step")
    assert len(mails) == 5 and {m.to_addr for m in mails} == {world.citizen.email}
    assert filed.complaint.tracking_number in mails[0].subject
    assert any("Jawaban kedua." in m.body_text for m in mails)


def test_text_moderation(world):
    c = _filed(world, publish_text=True).complaint
    assert c.text_visibility == "pending" and reads.public_view(c)["what"] is None
    assert [q.id for q in reads.text_queue(world.moderator, world.agency)] == [c.id]
    with pytest.raises(NotAllowed):
        svc.decide_text(world.other_admin, c, "public")
    with pytest.raises(Invalid):
        svc.decide_text(world.moderator, c, "hidden")  # a refusal needs its reason
    svc.decide_text(world.moderator, c, "public")
    assert reads.public_view(db.session.get(Complaint, c.id))["what"].startswith("Petugas")
    with pytest.raises(Conflict):
        svc.decide_text(world.moderator, c, "hidden", "Memuat nama orang")
    d = _filed(world, publish_text=True).complaint
    svc.decide_text(world.admin, d, "hidden", "Memuat nama orang")
    assert reads.public_view(db.session.get(Complaint, d.id))["what"] is None
    assert _audit("complaint.text_hidden")[-1].data["reason"] == "Memuat nama orang"
    confidential = _filed(world, publish_text=True, confidential=True).complaint
    assert confidential.text_visibility == "private"


def test_public_view_has_no_personal_data(world):
    c = svc.file_complaint(
        world.admin,
        world.agency,
        what=WHAT,
        channel="counter",
        complainant_name="Siti Rahayu",
        complainant_contact="siti@example.org",
    ).complaint
    dumped = json.dumps(reads.public_view(c), default=str)
    for private in ("Siti", "siti@example.org", WHAT[:20], world.admin.email, world.admin.name):
        assert private not in dumped


# --- jobs -------------------------------------------------------------------------------------------------------


def test_reminder_once_per_due_date_and_overdue_audited_once(world, runner):
    c = _filed(world, now=utcnow() - dt.timedelta(days=12)).complaint  # due in 2 days
    run_due_jobs(utcnow())
    run_due_jobs(utcnow())
    row = db.session.get(Complaint, c.id)
    assert row.reminded_at is not None
    staff_mails = _mails("complaint_staff")
    assert {m.to_addr for m in staff_mails} == {world.admin.email, world.moderator.email}
    assert len(staff_mails) == 2
    later = (utcnow() + dt.timedelta(days=3)).isoformat()
    for _ in range(2):
        result = runner.invoke(args=["scheduler", "tick", "--now", later])
        assert result.exit_code == 0, result.output
    assert len(_audit("complaint.overdue")) == 1
    assert _audit("complaint.overdue")[0].data["tracking_number"] == c.tracking_number
    assert len([m for m in _mails("complaint_step") if "overdue" in m.dedupe_key or "overdue" in m.subject]) >= 1
    assert len(_mails("complaint_staff")) == 4  # the staff heard of the overdue once each too
    # after an answer, a dispute: a new due date, a new reminder and a new overdue record
    svc.answer_complaint(world.admin, c, "Jawaban terlambat.", now=utcnow() + dt.timedelta(days=3))
    svc.dispute_complaint(world.citizen, c, "Tidak puas.", now=utcnow() + dt.timedelta(days=4))
    runner.invoke(args=["scheduler", "tick", "--now", (utcnow() + dt.timedelta(days=16)).isoformat()])
    runner.invoke(args=["scheduler", "tick", "--now", (utcnow() + dt.timedelta(days=19)).isoformat()])
    runner.invoke(args=["scheduler", "tick", "--now", (utcnow() + dt.timedelta(days=19)).isoformat()])
    assert len(_audit("complaint.overdue")) == 2


def test_a_confirmed_or_answered_complaint_is_never_overdue(world):
    c = _filed(world, now=utcnow() - dt.timedelta(days=20)).complaint
    svc.answer_complaint(world.admin, c, "Jawaban.")
    run_due_jobs(utcnow())
    assert _audit("complaint.overdue") == []
    assert not db.session.get(Complaint, c.id).is_overdue(utcnow())


def test_a_complainant_recorded_at_a_counter_hears_of_every_step_at_the_address_they_gave(world):
    filed = svc.file_complaint(
        world.moderator,
        world.agency,
        what="Surat keluhan.",
        channel="counter",
        complainant_name="Budi",
        complainant_contact="0812 3456 7890 / budi@contoh.example",
    )
    svc.answer_complaint(world.admin, filed.complaint, "Sudah diperbaiki.")
    by_phone = svc.file_complaint(
        world.moderator, world.agency, what="Lewat telepon.", channel="phone", complainant_contact="0812 1111 2222"
    )
    mails = _mails("complaint_step")
    assert [m.to_addr for m in mails] == ["budi@contoh.example"] * 2  # the phone number gets nothing
    assert mails[0].user_id is None and mails[0].unsubscribe_url is None
    assert mails[0].body_text.startswith("Halo Budi,") and filed.complaint.tracking_number in mails[0].subject
    assert "mencatat pengaduan" in mails[0].body_text  # the footer says why the address got it
    assert "Sudah diperbaiki." in mails[1].body_text
    assert by_phone.complaint.tracking_number not in " ".join(m.subject for m in mails)
