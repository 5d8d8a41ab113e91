"""The complaint pages (Indonesian, no JavaScript): file → receipt (the code once) → follow → confirm/dispute; the
staff list, answer form, counter entry and text queue; the commitments page; permissions; query counts."""

from __future__ import annotations

import contextlib
import datetime as dt
import re

import pytest
import sqlalchemy as sa

from consult.accountability.models import Commitment, Complaint
from consult.accountability.services import complaint_reads as reads
from consult.accountability.services import complaints as svc
from consult.extensions import db
from consult.timeutil import local, utcnow
from tests.accountability.complaint_world import adopt_standard, build_world

WHAT = "Petugas meminta biaya tambahan di loket."


@pytest.fixture
def world(make):
    return build_world(make)


@contextlib.contextmanager
def count_queries():
    statements: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        if not statement.startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    db.session.remove()
    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_file_receipt_follow_confirm_as_the_logged_in_owner(client, auth, world):
    new = f"/instansi/{world.agency.slug}/pengaduan/baru"
    assert client.get(new).status_code == 302  # log in first
    auth.login(world.citizen)
    page = client.get(new)
    assert page.status_code == 200 and "Ajukan pengaduan" in _text(page)
    assert f'value="c{world.commitment.id}"' in _text(page)
    refused = client.post(new, data={"about": "", "what": ""})
    assert refused.status_code == 422
    sent = client.post(new, data={"about": f"c{world.commitment.id}", "what": WHAT, "where": "Loket 1"})
    assert sent.status_code == 303 and "/tanda-terima" in sent.headers["Location"]
    receipt = client.get(sent.headers["Location"])
    html = _text(receipt)
    assert receipt.headers["Cache-Control"] == "no-store"
    secret = re.search(r'<strong class="code">([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})</strong>', html).group(1)
    assert "hanya ditampilkan sekali" in html
    again = _text(client.get(sent.headers["Location"]))
    assert secret not in again  # once
    complaint = db.session.scalar(sa.select(Complaint))
    follow = f"/pengaduan/{complaint.tracking_number}"
    assert "Diterima" in _text(client.get(follow))
    svc.answer_complaint(world.admin, complaint, "Biaya dikembalikan.")
    page = _text(client.get(follow))
    assert "Biaya dikembalikan." in page and "terima jawaban" in page.lower()
    done = client.post(f"{follow}/konfirmasi", data={})
    assert done.status_code == 303
    assert db.session.get(Complaint, complaint.id).status == "confirmed"
    mine = _text(client.get("/profil/pengaduan"))
    assert complaint.tracking_number in mine


def test_anyone_with_the_secret_disputes_and_a_wrong_code_is_refused(client, world):
    filed = svc.file_complaint(world.citizen, world.agency, what=WHAT)
    svc.answer_complaint(world.admin, filed.complaint, "Jawaban.")
    follow = f"/pengaduan/{filed.complaint.tracking_number}"
    page = _text(client.get(follow))
    assert WHAT not in page and world.citizen.name not in page and world.citizen.email not in page
    wrong = client.post(f"{follow}/sanggah", data={"secret": "2222-3333-4444", "reason": "Tidak benar"})
    assert wrong.status_code == 403
    no_reason = client.post(f"{follow}/sanggah", data={"secret": filed.secret, "reason": ""})
    assert no_reason.status_code == 422
    ok = client.post(f"{follow}/sanggah", data={"secret": filed.secret, "reason": "Tidak benar"})
    assert ok.status_code == 303
    row = db.session.get(Complaint, filed.complaint.id)
    assert row.status == "disputed"


def test_lookup_normalises_the_number(client, world):
    filed = svc.file_complaint(world.citizen, world.agency, what=WHAT)
    number = filed.complaint.tracking_number
    assert "Nomor pengaduan" in _text(client.get("/pengaduan"))
    found = client.get("/pengaduan", query_string={"nomor": number.lower().replace("-", " ")})
    assert found.status_code == 303 and found.headers["Location"].endswith(f"/pengaduan/{number}")
    assert client.get("/pengaduan", query_string={"nomor": "ADU-1234"}).status_code == 422
    assert client.get("/pengaduan/ADU-ZZZZZZZZZ").status_code == 404


def test_overdue_shows_on_the_follow_page(client, world):
    filed = svc.file_complaint(
        world.admin, world.agency, what=WHAT, channel="paper", received_at=utcnow() - dt.timedelta(days=20)
    )
    page = _text(client.get(f"/pengaduan/{filed.complaint.tracking_number}"))
    assert "Terlambat" in page and "Admin dinas" in page or "Admin instansi" in page


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("citizen", 403),
        ("other_admin", 403),
        ("moderator", 200),
        ("admin", 200),
        ("site_admin", 200),
    ],
)
def test_staff_list_permissions(client, auth, world, who, status):
    if who != "anonymous":
        auth.login(getattr(world, who))
    assert client.get(f"/kelola/{world.agency.slug}/pengaduan").status_code == status


@pytest.mark.parametrize(
    ("who", "status"), [("citizen", 403), ("other_admin", 403), ("moderator", 403), ("admin", 200), ("site_admin", 200)]
)
def test_commitments_page_is_for_agency_admins(client, auth, world, who, status):
    auth.login(getattr(world, who))
    assert client.get(f"/kelola/{world.agency.slug}/komitmen").status_code == status


def test_staff_answer_enter_counter_complaint_and_decide_texts(client, auth, world):
    filed = svc.file_complaint(world.citizen, world.agency, what=WHAT, publish_text=True)
    auth.login(world.moderator)
    base = f"/kelola/{world.agency.slug}/pengaduan"
    page = _text(client.get(base))
    assert filed.complaint.tracking_number in page and "Teks yang minta diterbitkan" in page
    assert client.post(f"{base}/{filed.complaint.tracking_number}/jawab", data={"answer": "Sudah."}).status_code == 303
    assert db.session.get(Complaint, filed.complaint.id).status == "answered"
    assert client.post(f"{base}/{filed.complaint.tracking_number}/teks", data={"decision": "public"}).status_code == 303
    assert db.session.get(Complaint, filed.complaint.id).text_visibility == "public"
    assert WHAT in _text(client.get(f"/pengaduan/{filed.complaint.tracking_number}"))
    when = local(utcnow() - dt.timedelta(days=3), world.agency.timezone).strftime("%Y-%m-%dT%H:%M")
    entered = client.post(
        f"{base}/catat",
        data={
            "channel": "paper",
            "received_at": when,
            "about": "",
            "what": "Surat keluhan.",
            "complainant_name": "Budi",
        },
    )
    assert entered.status_code == 303, _text(entered)[:2000]
    row = db.session.scalar(sa.select(Complaint).where(Complaint.channel == "paper"))
    assert row.received_by_role == "moderator" and row.complainant_name == "Budi"
    assert utcnow() - row.received_at > dt.timedelta(days=2, hours=23)
    receipt = _text(client.get(entered.headers["Location"]))
    assert re.search(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", receipt)
    too_old = local(utcnow() - dt.timedelta(days=40), world.agency.timezone).strftime("%Y-%m-%dT%H:%M")
    refused = client.post(f"{base}/catat", data={"channel": "paper", "received_at": too_old, "what": "x"})
    assert refused.status_code == 422
    # another agency's complaint is not found from this workspace
    other = svc.file_complaint(world.citizen, world.other, what=WHAT)
    assert client.post(f"{base}/{other.complaint.tracking_number}/jawab", data={"answer": "x"}).status_code == 404


def test_filters(client, auth, world):
    late = svc.file_complaint(
        world.admin, world.agency, what=WHAT, channel="paper", received_at=utcnow() - dt.timedelta(days=20)
    ).complaint
    fresh = svc.file_complaint(world.citizen, world.agency, what=WHAT).complaint
    answered = svc.file_complaint(world.citizen, world.agency, what=WHAT).complaint
    svc.answer_complaint(world.admin, answered, "Jawaban.")
    auth.login(world.admin)
    base = f"/kelola/{world.agency.slug}/pengaduan"
    overdue = _text(client.get(base, query_string={"status": "overdue"}))
    assert late.tracking_number in overdue and fresh.tracking_number not in overdue
    open_ = _text(client.get(base, query_string={"status": "open"}))
    assert fresh.tracking_number in open_ and answered.tracking_number not in open_
    assert client.get(base, query_string={"status": "rubbish"}).status_code == 400
    assert client.get(base, query_string={"setelah": "bukan"}).status_code == 400


def test_commitments_page_corrects_and_publishes(client, auth, make, world):
    adopt_standard(make, world.agency, world.admin)  # a new version: new drafts
    auth.login(world.admin)
    page = _text(client.get(f"/kelola/{world.agency.slug}/komitmen"))
    assert "Terbitkan komitmen" in page
    draft = db.session.scalar(sa.select(Commitment).where(Commitment.state == "draft").order_by(Commitment.id))
    saved = client.post(
        f"/kelola/{world.agency.slug}/komitmen/{draft.id}",
        data={"text": "Selesai 7 hari", "kind": "days", "value": "7"},
    )
    assert saved.status_code == 303 and db.session.get(Commitment, draft.id).value == 7
    published = client.post(f"/kelola/{world.agency.slug}/komitmen/layanan/{world.service.id}/terbitkan")
    assert published.status_code == 303
    assert db.session.get(Commitment, draft.id).state == "published"
    assert db.session.get(Commitment, world.commitment.id).state == "superseded"


def test_query_counts_are_constant(client, auth, world):
    from consult.accounts.models import User
    from consult.agencies.models import Agency

    ids = {"citizen": world.citizen.id, "admin": world.admin.id, "agency": world.agency.id}
    slug = world.agency.slug
    auth.login(world.admin)

    def fill(n):
        citizen, admin = db.session.get(User, ids["citizen"]), db.session.get(User, ids["admin"])
        agency = db.session.get(Agency, ids["agency"])
        for _ in range(n):
            c = svc.file_complaint(citizen, agency, what=WHAT, publish_text=True).complaint
            svc.answer_complaint(admin, c, "Jawaban.")
        return c

    first = fill(2).tracking_number
    base = f"/kelola/{slug}/pengaduan"
    with count_queries() as few:
        assert client.get(base).status_code == 200
    with count_queries() as status_few:
        assert client.get(f"/pengaduan/{first}").status_code == 200
    last = fill(30)
    svc.dispute_complaint(db.session.get(User, ids["citizen"]), last, "Tidak.")
    svc.answer_complaint(db.session.get(User, ids["admin"]), last, "Lagi.")
    last_number = last.tracking_number
    with count_queries() as many:
        assert client.get(base).status_code == 200
    with count_queries() as status_many:
        assert client.get(f"/pengaduan/{last_number}").status_code == 200
    assert len(many) == len(few), many
    assert len(status_many) == len(status_few)
    assert len(status_many) <= 8, status_many
    print("query counts: staff list", len(many), "status page", len(status_many))


def test_staff_list_pages_by_keyset_newest_received_first(world):
    now = utcnow()
    made = []
    for days in (1, 25, 3, 10, 0):
        made.append(
            svc.file_complaint(
                world.admin,
                world.agency,
                what=WHAT,
                channel="paper",
                received_at=now - dt.timedelta(days=days),
                now=now,
            ).complaint.tracking_number
        )
    seen, cursor = [], None
    while True:
        page = reads.staff_list(world.admin, world.agency, cursor=cursor, limit=2, now=now)
        seen += [c.tracking_number for c in page.items]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    order = [made[i] for i in (4, 0, 2, 3, 1)]
    assert seen == order


def test_the_agency_sees_who_filed_a_confidential_complaint_and_the_public_never_sees_its_text(client, auth, world):
    filed = svc.file_complaint(world.citizen, world.agency, what=WHAT, confidential=True, publish_text=True)
    number = filed.complaint.tracking_number
    public = _text(client.get(f"/pengaduan/{number}"))
    assert WHAT not in public and world.citizen.name not in public
    auth.login(world.moderator)
    staff = _text(client.get(f"/kelola/{world.agency.slug}/pengaduan"))
    assert number in staff and "rahasia" in staff and world.citizen.name in staff
