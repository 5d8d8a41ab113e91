"""The service charter and the staff's services page on a phone (360x640): no sideways scrolling, big enough
targets, axe-core clean; the charter printed keeps the promises and drops the site's menus and forms."""

from __future__ import annotations

import pytest

from consult.extensions import db
from tests.accountability.complaint_world import build_world
from tests.browser.test_pages_browser import assert_big_enough_targets, assert_no_horizontal_scroll
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
SHOTS = None  # set to a directory to look at the pages


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_the_charter_on_a_phone_and_printed(make, phone, axe_check):
    world = build_world(make)
    db.session.commit()
    page = phone(js=True)
    url = f"/instansi/{world.agency.slug}/layanan/{world.service.slug}/maklumat"
    assert page.goto(url).status == 200
    assert page.locator("h1").inner_text() == "Maklumat Pelayanan"
    text = page.locator("main").inner_text()
    assert "Selesai paling lama 14 hari kerja." in text and "Gratis: Rp 0." in text
    assert_no_horizontal_scroll(page)
    assert_big_enough_targets(page)
    axe_check(page)
    _shot(page, "maklumat")
    assert not page.locator(".print-only").first.is_visible()
    page.emulate_media(media="print")
    assert page.locator("header.site").first.is_hidden() and page.locator(".no-print").first.is_hidden()
    assert page.locator(".print-only").first.is_visible()  # the address to follow a complaint, on paper
    assert page.locator(".promise").count() >= 4 and page.locator(".promise").first.is_visible()
    page.emulate_media(media="screen")
    with page.expect_navigation():
        page.locator("a", has_text="Ajukan pengaduan").click()
    assert "/login" in page.url  # filing needs an account; following does not


def test_the_services_page_on_a_phone(make, phone, axe_check):
    world = build_world(make)
    db.session.commit()
    page = phone(js=True, email=world.moderator.email, password=PASSWORD)
    assert page.goto(f"/kelola/{world.agency.slug}/layanan").status == 200
    assert_no_horizontal_scroll(page)
    assert_big_enough_targets(page)
    axe_check(page)
    _shot(page, "services")
    field = page.locator(f"#s{world.service.id}-people_served")
    field.fill("banyak")
    with page.expect_navigation():
        page.locator("button", has_text="Simpan").click()
    assert "mulai dari 0" in page.locator("main").inner_text()
    assert field.input_value() == "banyak"
    axe_check(page)
    field.fill("1200")
    with page.expect_navigation():
        page.locator("button", has_text="Simpan").click()
    assert "tersimpan" in page.locator("main").inner_text()
    assert page.locator(f"#s{world.service.id}-people_served").input_value() == "1200"
