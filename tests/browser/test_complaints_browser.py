"""Complaints on a phone (360x640): file → receipt (the code once) → follow → dispute with the secret code (no
JavaScript) and confirm as the owner; the staff list and the counter entry form. No sideways scrolling, big
enough targets, axe-core clean."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from consult.accountability.models import Complaint
from consult.accountability.services import complaints as svc
from consult.extensions import db
from tests.accountability.complaint_world import build_world
from tests.browser.test_pages_browser import assert_big_enough_targets, assert_no_horizontal_scroll
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
SHOTS = None  # set to a directory to look at the pages


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_file_receipt_follow_dispute_and_confirm_on_a_phone(make, phone, axe_check):
    world = build_world(make)
    db.session.commit()
    page = phone(js=True, email=world.citizen.email, password=PASSWORD)
    assert page.goto(f"/instansi/{world.agency.slug}/pengaduan/baru").status == 200
    assert page.locator("h1").inner_text() == "Ajukan pengaduan"
    assert_no_horizontal_scroll(page)
    assert_big_enough_targets(page)
    axe_check(page)
    _shot(page, "new")
    page.select_option("#about", f"c{world.commitment.id}")
    page.fill("#what", "Petugas meminta biaya padahal layanan gratis.")
    page.fill("#where", "Loket 2")
    with page.expect_navigation():
        page.locator("button", has_text="Kirim pengaduan").click()
    assert "/tanda-terima" in page.url
    text = page.locator("main").inner_text()
    secret = re.search(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", text).group(0)
    number = re.search(r"ADU-[2-9A-Z]{9}", text).group(0)
    assert "hanya ditampilkan sekali" in text
    assert_no_horizontal_scroll(page)
    axe_check(page)
    _shot(page, "receipt")
    page.reload()
    assert secret not in page.locator("main").inner_text()

    db.session.rollback()  # see what the server committed
    complaint = db.session.scalar(sa.select(Complaint).where(Complaint.tracking_number == number))
    svc.answer_complaint(world.admin, complaint, "Biaya dikembalikan dan petugas ditegur.")
    db.session.commit()

    # someone without an account (the complainant on another phone), without JavaScript, with the code
    other = phone(js=False)
    assert other.goto("/pengaduan").status == 200
    other.fill("#nomor", number.lower())
    with other.expect_navigation():
        other.locator("button", has_text="Cari").click()
    assert other.url.endswith(f"/pengaduan/{number}")
    assert "Biaya dikembalikan" in other.locator("main").inner_text()
    assert_no_horizontal_scroll(other)
    assert_big_enough_targets(other)
    _shot(other, "follow")
    other.fill("#reason", "Uangnya belum kembali.")
    other.locator("form", has=other.locator("#reason")).locator("#secret").fill(secret)
    with other.expect_navigation():
        other.locator("button", has_text="sanggah").click()
    assert "Disanggah" in other.locator("main").inner_text()

    db.session.rollback()
    svc.answer_complaint(world.admin, db.session.get(Complaint, complaint.id), "Sudah ditransfer kembali.")
    db.session.commit()
    assert page.goto(f"/pengaduan/{number}").status == 200
    axe_check(page)
    with page.expect_navigation():
        page.locator("button", has_text="Ya, terima jawaban").click()
    assert "Selesai" in page.locator("main").inner_text()
    _shot(page, "confirmed")
    db.session.rollback()
    assert db.session.get(Complaint, complaint.id).status == "confirmed"


def test_staff_pages_on_a_phone(make, phone, axe_check):
    world = build_world(make)
    svc.file_complaint(world.citizen, world.agency, what="Antrean terlalu lama.", publish_text=True)
    db.session.commit()
    page = phone(js=True, email=world.admin.email, password=PASSWORD)
    for path, name in (
        (f"/kelola/{world.agency.slug}/pengaduan", "staff"),
        (f"/kelola/{world.agency.slug}/pengaduan/catat", "enter"),
        (f"/kelola/{world.agency.slug}/komitmen", "commitments"),
    ):
        assert page.goto(path).status == 200, path
        assert_no_horizontal_scroll(page)
        assert_big_enough_targets(page)
        axe_check(page)
        _shot(page, name)
