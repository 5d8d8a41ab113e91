"""Closing and extending a round, following it, the e-mail settings and unsubscribe pages, in a real browser at
360x640: without JavaScript, with htmx, axe-core clean (WCAG 2.2 AA), no horizontal scrolling, big tap targets."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consult.demo import load_demo
from consult.demo_content import AGENCY, SERVICE_STANDARD
from consult.extensions import db
from consult.notifications import mail
from consult.notifications.models import RoundFollow
from consult.rounds.models import Round
from tests.browser.test_pages_browser import (
    assert_big_enough_targets,
    assert_no_horizontal_scroll,
    log_in,
    round_by_title,
)

pytestmark = pytest.mark.browser

MODERATOR = "moderator@disdukcapil-sukamaju.example"
AGENCY_ADMIN = "pengelola@disdukcapil-sukamaju.example"
CITIZEN = "warga@contoh.example"
REASON = "Ditutup lebih awal karena standar pelayanan ditarik untuk direvisi."


def test_a_moderator_closes_a_round_without_javascript_and_the_public_sees_why(new_context):
    load_demo(sample_participation=False)
    rnd = round_by_title(SERVICE_STANDARD["title"])
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, MODERATOR)
    page.goto(f"/rounds/{rnd.id}")
    with page.expect_navigation():
        page.get_by_role("link", name="Tutup lebih awal atau perpanjang putaran ini").click()
    assert page.url.endswith(f"/kelola/{AGENCY['slug']}/putaran/{rnd.id}")
    assert_no_horizontal_scroll(page)
    assert_big_enough_targets(page)

    with page.expect_navigation():  # refused: too short; the typed text stays, the error is announced
        page.fill("#reason", "ok")
        page.get_by_role("button", name="Tutup putaran").click()
    assert page.locator("#reason").input_value() == "ok"
    assert page.locator("#form-errors").is_visible()

    with page.expect_navigation():
        page.fill("#reason", REASON)
        page.get_by_role("button", name="Tutup putaran").click()
    assert page.url.endswith(f"/rounds/{rnd.id}")
    changes = page.locator(".changes")
    assert "Ditutup lebih awal" in changes.inner_text() and REASON in changes.inner_text()
    assert_no_horizontal_scroll(page)
    db.session.rollback()  # a fresh snapshot
    assert db.session.get(Round, rnd.id, populate_existing=True).closed_at is not None


def test_an_agency_admin_reopens_a_round_in_the_workspace(page, axe_check):
    load_demo(sample_participation=False)
    rnd = round_by_title(SERVICE_STANDARD["title"])
    log_in(page, AGENCY_ADMIN)
    page.goto(f"/kelola/{AGENCY['slug']}/putaran/{rnd.id}")
    axe_check(page)
    with page.expect_navigation():  # refused: the error summary and the marked field are accessible too
        page.get_by_role("button", name="Tutup putaran").click()
    axe_check(page)
    page.fill("#reason", REASON)
    with page.expect_navigation():
        page.get_by_role("button", name="Tutup putaran").click()
    axe_check(page)  # the round page with its public record of the change
    page.goto(f"/kelola/{AGENCY['slug']}/putaran/{rnd.id}")
    assert page.get_by_role("heading", name="Buka kembali putaran").is_visible()
    assert_no_horizontal_scroll(page)
    axe_check(page)


def test_a_citizen_follows_with_htmx_and_without_javascript(new_context, axe_check):
    load_demo(sample_participation=False)
    rnd = round_by_title(SERVICE_STANDARD["title"])

    page = new_context().new_page()
    log_in(page, CITIZEN)
    page.goto(f"/rounds/{rnd.id}")
    url = page.url
    page.get_by_role("button", name="Ikuti konsultasi ini").click()  # htmx: swapped in place, no navigation
    page.get_by_role("button", name="Berhenti mengikuti").wait_for()
    assert page.url == url
    assert page.locator("#ikuti [role=status]").inner_text().startswith("Anda mengikuti konsultasi ini")
    assert_big_enough_targets(page)
    axe_check(page)

    plain = new_context(java_script_enabled=False).new_page()
    log_in(plain, CITIZEN)
    plain.goto(f"/rounds/{rnd.id}")
    with plain.expect_navigation():
        plain.get_by_role("button", name="Berhenti mengikuti").click()
    assert plain.get_by_role("button", name="Ikuti konsultasi ini").is_visible()
    db.session.rollback()  # a fresh snapshot
    following = db.session.scalar(sa.select(RoundFollow.active).execution_options(populate_existing=True))
    assert following is False


def test_settings_and_unsubscribe_pages(page, axe_check):
    load_demo(sample_participation=False)
    from consult.accounts.models import User

    user = db.session.scalar(sa.select(User).where(User.email == CITIZEN))
    rnd = round_by_title(SERVICE_STANDARD["title"])
    token = mail.unsubscribe_token(user.id, mail.round_scope(rnd.id))
    db.session.commit()

    assert page.goto(f"/berhenti/{token}").status == 200  # no login needed
    assert_no_horizontal_scroll(page)
    assert_big_enough_targets(page)
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Hentikan semua notifikasi e-mail").click()
    assert "tidak akan mengirim notifikasi e-mail lagi" in page.locator("main").inner_text()
    axe_check(page)

    assert page.goto("/berhenti/rusak").status == 400
    axe_check(page)

    log_in(page, CITIZEN)
    assert page.goto("/profil/notifikasi").status == 200
    assert not page.get_by_label("Kirimi saya notifikasi e-mail").is_checked()
    assert_no_horizontal_scroll(page)
    assert_big_enough_targets(page)
    axe_check(page)
