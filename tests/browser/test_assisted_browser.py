"""Voices from outside the web and the round's promise, on a phone (360x640): a moderator enters a comment a
citizen gave at a service counter (a plain POST form; that it works without JavaScript is in
tests/participation/test_assisted.py), a refused date first with the input kept, and finds it listed with who
entered it; a reader sees on the round page the level of participation with its promise near the top, and the
comment marked in words ("Disampaikan di loket · … · dicatat petugas"). axe-core (WCAG 2.2 AA) on each page; no
horizontal scrolling; tap targets of 24 px at least. Screenshots in /tmp/consult-shots/assisted-*.png.
"""

from __future__ import annotations

import datetime as dt

import pytest

from consult.extensions import db
from consult.participation.services.assisted import local_today
from consult.rounds.levels import set_iap2_level
from tests.browser.test_moderation_browser import check_page, submit
from tests.browser.test_pages_browser import SHOTS
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

TEXT = "Mohon loket KTP juga buka hari Sabtu, saya bekerja di hari biasa."


@pytest.fixture
def world(make):
    agency = make.agency(slug="kecamatan-sukamaju", name="Kecamatan Sukamaju")
    rnd = make.round(agency, state="open")
    set_iap2_level("cli", rnd, "consult")
    moderator = make.user("moderator", agency, name="Budi Petugas")
    db.session.commit()
    return {"round": rnd.id, "slug": agency.slug, "moderator": moderator.email, "today": local_today(rnd)}


def test_staff_enter_a_counter_comment_and_the_round_page_marks_it_with_the_promise(world, phone, axe_check):
    mod = phone(email=world["moderator"], password=PASSWORD)  # axe-core needs scripts; the form is a plain POST
    mod.goto(f"/kelola/{world['slug']}/putaran/{world['round']}/masukan")
    check_page(mod, axe_check, shot="assisted-form")
    form = mod.locator("form.assisted-form")
    form.get_by_label("Di loket layanan").check()
    form.get_by_label("Tempat").fill("Kantor Kecamatan Sukamaju")
    form.get_by_label("Tanggal").fill((world["today"] + dt.timedelta(days=1)).isoformat())
    form.get_by_label("Komentar warga").fill(TEXT)
    submit(mod, form)
    # refused: the date is in the future; what was typed stays, the error is next to the field
    assert "Tanggal tidak boleh di masa depan." in mod.locator("form.assisted-form").inner_text()
    assert mod.locator("form.assisted-form").get_by_label("Tempat").input_value() == "Kantor Kecamatan Sukamaju"
    assert mod.locator("form.assisted-form").get_by_label("Komentar warga").input_value() == TEXT
    check_page(mod, axe_check, shot="assisted-refused")
    form = mod.locator("form.assisted-form")
    form.get_by_label("Tanggal").fill(world["today"].isoformat())
    submit(mod, form)
    entry = mod.locator("ol.assisted-entries li").first
    assert "Dicatat oleh Budi Petugas" in entry.inner_text()
    assert "Disampaikan di loket" in entry.inner_text()
    check_page(mod, axe_check, shot="assisted-listed")

    reader = phone()
    reader.goto(f"/rounds/{world['round']}")
    promise = reader.locator(".iap2-promise")
    assert promise.inner_text().startswith("Tingkat partisipasi: Konsultasi — Kami akan")
    assert promise.bounding_box()["y"] < 640 * 2  # near the top, within the first two screens
    mark = reader.locator("#daftar-komentar .channel-mark").first
    text = " ".join(mark.inner_text().split())
    assert text.startswith("✎ Disampaikan di loket · ") and text.endswith(
        "· Kantor Kecamatan Sukamaju · dicatat petugas"
    )
    check_page(reader, axe_check, shot="assisted-round-page")
    mark.scroll_into_view_if_needed()
    reader.screenshot(path=str(SHOTS / "assisted-mark.png"))
