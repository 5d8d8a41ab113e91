"""The staff themes pages on a phone (360x640), with JavaScript on and off: an agency admin creates a theme,
tags a comment into it and answers it; no sideways scrolling, big enough targets, axe-core clean."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consult.deliberation.models import Theme, ThemeComment
from consult.extensions import db
from tests.browser.test_pages_browser import assert_big_enough_targets, assert_no_horizontal_scroll
from tests.conftest import PASSWORD
from tests.deliberation import theme_world

pytestmark = pytest.mark.browser


def _check(page, axe_check, js: bool) -> None:
    assert_no_horizontal_scroll(page)
    assert_big_enough_targets(page)
    if js:
        axe_check(page)


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_create_tag_and_answer_a_theme_on_a_phone(make, phone, axe_check, js):
    w = theme_world.build(make)
    page = phone(js=js, email=w.admin.email, password=PASSWORD)
    assert page.goto(f"/kelola/{w.agency.slug}/putaran/{w.round.id}").status == 200
    with page.expect_navigation():
        page.get_by_role("link", name="Tema dan jawaban instansi").click()
    assert page.locator("h1").inner_text() == "Tema"
    _check(page, axe_check, js)
    page.get_by_label("Judul", exact=True).fill("Jam layanan loket")
    page.get_by_label("Sintesis (opsional)").fill("Warga meminta loket buka sampai malam.")
    with page.expect_navigation():
        page.get_by_role("button", name="Buat tema").click()
    assert page.locator("h1").inner_text() == "Jam layanan loket"
    assert "Tema “Jam layanan loket” dibuat." in page.locator(".flashes").inner_text()
    db.session.commit()  # end the test's read transaction: see what the server committed
    theme = db.session.scalar(sa.select(Theme).where(Theme.title == "Jam layanan loket"))
    _check(page, axe_check, js)

    with page.expect_navigation():
        page.get_by_role("link", name="Tandai komentar").first.click()
    _check(page, axe_check, js)
    page.get_by_label(f"Komentar #{w.comments[0].id}", exact=True).check()
    page.locator("#selection-theme").select_option(str(theme.id))
    with page.expect_navigation():
        page.get_by_role("button", name="Tandai komentar terpilih").click()
    assert "1 komentar ditandai" in page.locator(".flashes").inner_text()
    db.session.commit()
    assert db.session.scalar(sa.select(ThemeComment.comment_id).where(ThemeComment.theme_id == theme.id)) == (
        w.comments[0].id
    )

    assert page.goto(f"/kelola/{w.agency.slug}/putaran/{w.round.id}/tema/{theme.id}").status == 200
    assert "1 komentar, 1 tanda tangan" in page.locator("main").inner_text()
    page.get_by_label("Diterima sebagian").check()
    page.get_by_label("Tanggapan (untuk “tidak diterima”: alasannya)").fill("Loket buka sampai pukul 19.00.")
    with page.expect_navigation():
        page.get_by_role("button", name="Simpan jawaban").click()
    assert "disimpan sebagai draf" in page.locator(".flashes").inner_text()
    _check(page, axe_check, js)
    db.session.commit()
    answered = db.session.get(Theme, theme.id)
    assert (answered.disposition_value, answered.disposition_response) == (
        "partly_adopted",
        "Loket buka sampai pukul 19.00.",
    )
