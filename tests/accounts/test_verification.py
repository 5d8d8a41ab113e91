"""Verification by an agency: the citizen asks from the profile, the agency's admins approve, refuse (with a
reason) or revoke (with a reason), the citizen sees the state on the profile and by e-mail; audited without
personal data; every refusal of who may decide."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from consult.accounts.models import User
from consult.agencies import verification
from consult.agencies.models import VerificationRequest
from consult.audit import AuditEntry
from consult.errors import Conflict, Invalid, LoginRequired, NotAllowed
from consult.extensions import db, write_transaction
from consult.notifications.services import update_settings
from consult.participation import services as participation
from consult.participation.services.rules import participation_refusal
from tests.mailbox import last_mail, mails

NOTE = "Saya menunjukkan KTP di loket Senin pagi, dilayani Ibu Sari."


@pytest.fixture
def world(make):
    agency = make.agency(slug="dukcapil", name="Dinas Dukcapil")
    other = make.agency(slug="dinas-lain", name="Dinas Lain")
    return type(
        "World",
        (),
        {
            "agency": agency,
            "other": other,
            "citizen": make.user(name="Warga Teliti", email="warga@example.org"),
            "admin": make.user("agency_admin", agency),
            "moderator": make.user("moderator", agency),
            "other_admin": make.user("agency_admin", other),
            "site_admin": make.user("admin"),
            "bystander": make.user(),
        },
    )


def _user(user_id: int) -> User:
    db.session.rollback()
    return db.session.get(User, user_id)


def _entries(prefix: str = "verification.") -> list[AuditEntry]:
    db.session.rollback()
    return list(
        db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action.startswith(prefix)).order_by(AuditEntry.seq))
    )


def _ask(client, auth, user, agency, note: str = NOTE):
    auth.login(user)
    return client.post("/profil/verifikasi", data={"agency": str(agency.id), "note": note})


# --- the whole path, on the web ---------------------------------------------------------------------------------


def test_citizen_asks_from_the_profile_and_an_agency_admin_approves_on_the_workspace(client, auth, world):
    auth.login(world.citizen)
    profile = client.get("/profil").get_data(as_text=True)
    assert 'id="verifikasi"' in profile and "/profil/verifikasi" in profile
    form = client.get("/profil/verifikasi").get_data(as_text=True)
    assert "Dinas Dukcapil" in form and "NIK" in form  # the form says no identity number is asked

    response = client.post("/profil/verifikasi", data={"agency": str(world.agency.id), "note": NOTE})
    assert response.status_code == 303 and response.headers["Location"].endswith("/profil#verifikasi")
    profile = client.get("/profil").get_data(as_text=True)
    assert "Dinas Dukcapil" in profile and "/profil/verifikasi" not in profile  # pending: no second request
    assert not _user(world.citizen.id).is_verified

    auth.logout()
    auth.login(world.admin)
    listing = client.get("/kelola/dukcapil/verifikasi")
    assert listing.status_code == 200 and listing.headers["Cache-Control"] == "no-store"
    text = listing.get_data(as_text=True)
    assert "Warga Teliti" in text and "warga@example.org" in text and NOTE in text
    row = db.session.scalar(sa.select(VerificationRequest))
    response = client.post(f"/kelola/dukcapil/verifikasi/{row.id}/setujui")
    assert response.status_code == 303
    assert f'id="permintaan-{row.id}"' not in client.get("/kelola/dukcapil/verifikasi").get_data(as_text=True)
    assert f'id="permintaan-{row.id}"' in client.get("/kelola/dukcapil/verifikasi?daftar=disetujui").get_data(
        as_text=True
    )
    assert _user(world.citizen.id).is_verified

    auth.logout()
    auth.login(world.citizen)
    profile = client.get("/profil").get_data(as_text=True)
    assert "Dinas Dukcapil" in profile and "/profil/verifikasi" not in profile
    message = last_mail("warga@example.org", "verification_decided")
    assert "Dinas Dukcapil" in message.subject and "/profil#verifikasi" in message.body_text
    assert [e.action for e in _entries()] == ["verification.requested", "verification.approved"]


def test_the_agency_home_links_to_the_verification_requests(client, auth, world):
    auth.login(world.admin)
    assert "/kelola/dukcapil/verifikasi" in client.get("/kelola/dukcapil").get_data(as_text=True)


def test_approval_admits_the_citizen_to_a_verified_only_round(make, world):
    rnd = make.round(world.agency, verified_only=True)
    assert participation_refusal(world.citizen, rnd) is not None
    row = verification.request_verification(world.citizen, world.agency.id)
    verification.approve(world.admin, row.id)
    assert participation_refusal(_user(world.citizen.id), rnd) is None
    participation.post_comment(_user(world.citizen.id), rnd, "Sekarang saya bisa berkomentar.")


def test_refusal_needs_a_reason_which_the_citizen_sees_and_they_may_ask_again(client, auth, world):
    row = verification.request_verification(world.citizen, world.agency.id, NOTE)
    db.session.commit()
    auth.login(world.admin)
    response = client.post(f"/kelola/dukcapil/verifikasi/{row.id}/tolak", data={"tolak-reason": " "})
    assert response.status_code == 422 and 'id="tolak-reason-error"' in response.get_data(as_text=True)
    assert db.session.get(VerificationRequest, row.id).status == "pending"

    reason = "Nama di akun tidak sama dengan nama di KTP."
    response = client.post(f"/kelola/dukcapil/verifikasi/{row.id}/tolak", data={"tolak-reason": reason})
    assert response.status_code == 303
    auth.logout()
    auth.login(world.citizen)
    profile = client.get("/profil").get_data(as_text=True)
    assert reason in profile and "/profil/verifikasi" in profile  # the reason, and asking again
    assert reason in last_mail("warga@example.org", "verification_decided").body_text
    assert not _user(world.citizen.id).is_verified
    assert _ask(client, auth, world.citizen, world.other, "").status_code == 303


def test_a_refused_request_is_not_refused_again_nor_approved_later(world):
    row = verification.request_verification(world.citizen, world.agency.id)
    verification.refuse(world.admin, row.id, "Tidak ada di daftar loket.")
    with pytest.raises(Conflict):
        verification.approve(world.admin, row.id)
    with pytest.raises(Conflict):
        verification.refuse(world.admin, row.id, "Alasan kedua.")
    assert not _user(world.citizen.id).is_verified


# --- what the citizen may ask -----------------------------------------------------------------------------------


def test_citizen_cannot_have_two_pending_requests(client, auth, world):
    assert _ask(client, auth, world.citizen, world.agency).status_code == 303
    response = client.post("/profil/verifikasi", data={"agency": str(world.other.id), "note": ""})
    assert response.status_code == 409
    with pytest.raises(Conflict):
        verification.request_verification(_user(world.citizen.id), world.other.id)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VerificationRequest)) == 1


def test_the_database_keeps_one_pending_request_per_person(world):
    verification.request_verification(world.citizen, world.agency.id)
    with pytest.raises(sa.exc.IntegrityError), write_transaction():
        db.session.add(VerificationRequest(user_id=world.citizen.id, agency_id=world.other.id, note=""))
        db.session.flush()


def test_unconfirmed_account_cannot_ask_to_be_verified(client, auth, world):
    with write_transaction():
        db.session.get(User, world.citizen.id).email_confirmed_at = None
    with pytest.raises(NotAllowed):
        verification.request_verification(_user(world.citizen.id), world.agency.id)
    auth.login(world.citizen)
    page = client.get("/profil/verifikasi").get_data(as_text=True)
    assert "Confirm your e-mail" in page or "Konfirmasi" in page
    assert client.post("/profil/verifikasi", data={"agency": str(world.agency.id)}).status_code == 403


def test_verified_account_cannot_ask_again(make, world):
    verified = make.user(verified=True)
    with pytest.raises(Conflict):
        verification.request_verification(verified, world.agency.id)


def test_anonymous_visitor_cannot_ask(client, world):
    with pytest.raises(LoginRequired):
        verification.request_verification(None, world.agency.id)
    response = client.post("/profil/verifikasi", data={"agency": str(world.agency.id)})
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


@pytest.mark.parametrize("note", ["NIK saya 3171 0123 4567 8901", "KK 3171012345678901", "paspor 1234567890"])
def test_a_note_with_an_identity_number_is_refused_and_the_text_kept(client, auth, world, note):
    response = _ask(client, auth, world.citizen, world.agency, note)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="note-error"' in page and note.split()[-1] in page  # what was typed is still in the form
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VerificationRequest)) == 0


def test_a_request_names_an_existing_agency_and_a_note_of_at_most_500_characters(client, auth, world):
    auth.login(world.citizen)
    for data, field in (({"agency": ""}, "agency"), ({"agency": "999999"}, "agency"), ({"agency": "x"}, "agency")):
        response = client.post("/profil/verifikasi", data=data)
        assert response.status_code == 422 and f'id="{field}-error"' in response.get_data(as_text=True), data
    response = client.post("/profil/verifikasi", data={"agency": str(world.agency.id), "note": "a" * 501})
    assert response.status_code == 422 and 'id="note-error"' in response.get_data(as_text=True)


# --- who may decide ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_admin", "moderator", "bystander", "citizen"])
def test_only_the_agencys_admins_and_site_admins_decide(client, auth, world, who):
    row = verification.request_verification(world.citizen, world.agency.id)
    actor = getattr(world, who)
    for decide in (
        lambda: verification.approve(actor, row.id),
        lambda: verification.refuse(actor, row.id, "Alasan yang cukup."),
        lambda: verification.requests_page(actor, world.agency, "pending"),
        lambda: verification.get_request(actor, row.id),
    ):
        with pytest.raises(NotAllowed):
            decide()
    db.session.commit()
    auth.login(actor)
    assert client.get("/kelola/dukcapil/verifikasi").status_code == 403
    assert client.post(f"/kelola/dukcapil/verifikasi/{row.id}/setujui").status_code == 403
    assert (
        client.post(f"/kelola/dukcapil/verifikasi/{row.id}/tolak", data={"tolak-reason": "Tidak."}).status_code == 403
    )
    assert db.session.get(VerificationRequest, row.id).status == "pending"
    assert not _user(world.citizen.id).is_verified


def test_another_agencys_admin_cannot_reach_a_request_through_their_own_workspace(client, auth, world):
    row = verification.request_verification(world.citizen, world.agency.id)
    db.session.commit()
    auth.login(world.other_admin)
    assert client.get(f"/kelola/dinas-lain/verifikasi/{row.id}").status_code in (403, 404)
    assert client.post(f"/kelola/dinas-lain/verifikasi/{row.id}/setujui").status_code in (403, 404)
    assert not _user(world.citizen.id).is_verified


def test_a_site_admin_may_decide(world):
    row = verification.request_verification(world.citizen, world.agency.id)
    verification.approve(world.site_admin, row.id)
    assert _user(world.citizen.id).is_verified


def test_deciding_twice_is_a_conflict(client, auth, world):
    row = verification.request_verification(world.citizen, world.agency.id)
    verification.approve(world.admin, row.id)
    with pytest.raises(Conflict):
        verification.approve(world.admin, row.id)
    db.session.commit()
    auth.login(world.admin)
    response = client.post(f"/kelola/dukcapil/verifikasi/{row.id}/setujui")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/verifikasi/{row.id}")
    assert [e.action for e in _entries()].count("verification.approved") == 1


def test_nobody_decides_on_their_own_request(make, world):
    second_admin = make.user("agency_admin", world.agency)
    with write_transaction():
        db.session.get(User, second_admin.id).is_verified = False
    row = verification.request_verification(_user(second_admin.id), world.agency.id)
    with pytest.raises(NotAllowed):
        verification.approve(_user(second_admin.id), row.id)
    verification.approve(world.admin, row.id)


# --- revoking ---------------------------------------------------------------------------------------------------


def test_an_agency_admin_revokes_a_verification_their_agency_granted_with_a_reason(client, auth, world):
    row = verification.request_verification(world.citizen, world.agency.id)
    verification.approve(world.admin, row.id)
    db.session.commit()
    auth.login(world.admin)
    assert client.post(f"/kelola/dukcapil/verifikasi/{row.id}/cabut", data={"cabut-reason": ""}).status_code == 422
    assert _user(world.citizen.id).is_verified
    reason = "Akun ini ternyata dipakai orang lain."
    assert client.post(f"/kelola/dukcapil/verifikasi/{row.id}/cabut", data={"cabut-reason": reason}).status_code == 303
    assert not _user(world.citizen.id).is_verified
    assert last_mail("warga@example.org", "verification_decided").body_text.count(reason) == 1
    auth.logout()
    auth.login(world.citizen)
    profile = client.get("/profil").get_data(as_text=True)
    assert reason in profile and "/profil/verifikasi" in profile


def test_revoking_keeps_the_account_verified_while_another_agencys_approval_stands(world):
    first = verification.request_verification(world.citizen, world.agency.id)
    verification.approve(world.admin, first.id)
    # an account verified by one agency cannot ask another; made here as if both had approved it
    with write_transaction():
        db.session.add(
            VerificationRequest(
                user_id=world.citizen.id,
                agency_id=world.other.id,
                note="",
                status="approved",
                decided_at=first.created_at,
            )
        )
    verification.revoke(world.admin, first.id, "Salah orang di loket.")
    assert _user(world.citizen.id).is_verified


@pytest.mark.parametrize("who", ["other_admin", "moderator", "citizen"])
def test_only_the_granting_agencys_admins_revoke(world, who):
    row = verification.request_verification(world.citizen, world.agency.id)
    verification.approve(world.admin, row.id)
    with pytest.raises(NotAllowed):
        verification.revoke(getattr(world, who), row.id, "Alasan yang cukup.")
    assert _user(world.citizen.id).is_verified


def test_only_an_approved_verification_can_be_revoked(world):
    row = verification.request_verification(world.citizen, world.agency.id)
    with pytest.raises(Conflict):
        verification.revoke(world.admin, row.id, "Belum disetujui.")
    with pytest.raises(Invalid):
        verification.refuse(world.admin, row.id, "x")


# --- lists, audit, e-mail ---------------------------------------------------------------------------------------


def test_pending_requests_are_listed_oldest_first_by_keyset(make, world):
    people = [make.user() for _ in range(5)]
    rows = [verification.request_verification(p, world.agency.id) for p in people]
    verification.request_verification(world.citizen, world.other.id)  # another agency's: never listed
    seen, cursor = [], None
    while True:
        page = verification.requests_page(world.admin, world.agency, "pending", cursor=cursor, limit=2)
        seen += [r.id for r in page.items]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == [r.id for r in rows]
    verification.approve(world.admin, rows[0].id)
    verification.approve(world.admin, rows[3].id)
    approved = verification.requests_page(world.admin, world.agency, "approved", limit=1)
    assert [r.id for r in approved.items] == [rows[3].id] and approved.next_cursor


def test_the_list_refuses_a_cursor_it_did_not_make(client, auth, world):
    auth.login(world.admin)
    assert client.get("/kelola/dukcapil/verifikasi?cursor=bm90LWEtY3Vyc29y").status_code == 422
    assert client.get("/kelola/dukcapil/verifikasi?daftar=semua").status_code == 404


def test_the_audit_entries_hold_the_user_id_and_agency_never_name_email_note_or_reason(world):
    row = verification.request_verification(world.citizen, world.agency.id, NOTE)
    verification.refuse(world.admin, row.id, "Nama Warga Teliti tidak cocok.")
    again = verification.request_verification(_user(world.citizen.id), world.agency.id, NOTE)
    verification.approve(world.admin, again.id)
    verification.revoke(world.admin, again.id, "Dicabut karena salah orang.")
    entries = _entries()
    assert [e.action for e in entries] == [
        "verification.requested",
        "verification.refused",
        "verification.requested",
        "verification.approved",
        "verification.revoked",
    ]
    for entry in entries:
        data = json.loads(entry.data) if isinstance(entry.data, str) else entry.data
        assert data["user"] == world.citizen.id and data["agency"] == "dukcapil"
        blob = json.dumps(data) + entry.actor
        for secret in ("Warga Teliti", "warga@example.org", "KTP", "cocok", "salah orang"):
            assert secret not in blob
    assert entries[0].actor == f"user:{world.citizen.id}" and entries[1].actor == f"user:{world.admin.id}"


def test_the_decision_email_respects_the_persons_email_settings(world):
    update_settings(world.citizen, email_enabled=False, auto_follow=True, locale=None)
    row = verification.request_verification(_user(world.citizen.id), world.agency.id)
    verification.approve(world.admin, row.id)
    assert mails("warga@example.org", "verification_decided") == []
    assert _user(world.citizen.id).is_verified


def test_the_decision_email_is_in_the_persons_language(world):
    update_settings(world.citizen, email_enabled=True, auto_follow=True, locale="en")
    row = verification.request_verification(_user(world.citizen.id), world.agency.id)
    verification.refuse(world.admin, row.id, "Tidak ditemukan.")
    message = last_mail("warga@example.org", "verification_decided")
    assert message.subject == "Your verification request was refused by Dinas Dukcapil"
    assert "Tidak ditemukan." in message.body_text
