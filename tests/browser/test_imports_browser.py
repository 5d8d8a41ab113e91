"""Importing a draft in a real browser at 360x640, with JavaScript on and off: pasted Markdown and a Word file
go through the preview (the sections as the public will see them, what is not kept), "Ubah lagi" gives back
everything typed, "Simpan" saves. axe-core clean, no horizontal scrolling, no console or CSP errors."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from consult.demo import load_demo
from consult.demo_content import AGENCY
from consult.documents.models import Document
from consult.extensions import db
from tests.browser.test_pages_browser import assert_big_enough_targets, assert_no_horizontal_scroll
from tests.documents.docx_files import agency_draft

pytestmark = pytest.mark.browser

AGENCY_ADMIN = "pengelola@disdukcapil-sukamaju.example"
SHOTS = Path(tempfile.gettempdir()) / "imports-shots"  # /tmp/imports-shots: screenshots to look at, not kept
PASTED = (
    "Pengantar rancangan.\n\n## Jam Layanan\n\n"
    'Loket buka <span style="color:red">08.00</span> sampai 14.00.\n\n### Hari libur\n\nLoket tutup.\n\n'
    "## Denah\n\n![Denah loket](https://contoh.example/denah.png)\n\nLoket 3.\n"
)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def documents_titled(title: str) -> int:
    db.session.rollback()  # a fresh snapshot: the server thread committed
    return db.session.scalar(sa.select(sa.func.count()).select_from(Document).where(Document.title == title))


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_pasted_markdown_is_previewed_changed_again_and_saved(phone, axe_check, js):
    load_demo(sample_participation=False)
    page = phone(js=js, email=AGENCY_ADMIN, axe=True)
    page.goto(f"/kelola/{AGENCY['slug']}/dokumen/baru?jenis=policy")
    title = f"Rancangan Jam Layanan ({'js' if js else 'tanpa js'})"
    page.fill("#title", title)
    page.fill("#body", PASTED)
    with page.expect_navigation():
        page.get_by_role("button", name="Pratinjau").click()

    assert page.get_by_role("heading", name=f"Pratinjau: {title}").is_visible()
    assert page.locator("#belum-disimpan").is_visible()
    report = page.locator(".dropped").inner_text()
    assert "Bagian 2 (Jam Layanan): HTML <span> dibuang" in report
    assert "Bagian 3 (Denah): gambar ![Denah loket](https://contoh.example/denah.png)" in report
    assert "uraikan dengan kata-kata" in report
    headings = page.locator("main section.doc-section h2").all_inner_texts()
    assert headings == ["Pembuka", "Jam Layanan", "Denah"]
    assert page.locator("main .prose h3", has_text="Hari libur").is_visible()  # deeper heading inside its section
    assert "<span" not in page.locator("main section.doc-section").nth(1).inner_text()
    assert documents_titled(title) == 0
    assert_no_horizontal_scroll(page)
    assert_big_enough_targets(page)
    if js:  # axe-core runs as a script: a page without JavaScript is checked in the run with it
        axe_check(page)
    shot(page, f"preview-markdown-{'js' if js else 'nojs'}")

    with page.expect_navigation():
        page.get_by_role("button", name="Ubah lagi").first.click()
    assert page.locator("#title").input_value() == title
    assert page.locator("#body").input_value().replace("\r\n", "\n") == PASTED
    assert page.locator("#split_level").input_value() == "2"
    shot(page, f"form-again-{'js' if js else 'nojs'}")

    with page.expect_navigation():
        page.get_by_role("button", name="Pratinjau").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Simpan").first.click()
    assert "Rancangan disimpan" in page.locator(".flashes").inner_text() or documents_titled(title) == 1
    assert documents_titled(title) == 1
    assert page.locator("main h2", has_text="Jam Layanan").is_visible()
    assert "#jam-layanan" not in page.locator("main").inner_text()  # keys are anchors, not text
    assert_no_horizontal_scroll(page)


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_a_word_file_is_previewed_with_its_image_reported_and_saved(phone, axe_check, js):
    load_demo(sample_participation=False)
    page = phone(js=js, email=AGENCY_ADMIN, axe=True)
    page.goto(f"/kelola/{AGENCY['slug']}/dokumen/baru?jenis=policy")
    title = f"Standar KK dari Word ({'js' if js else 'tanpa js'})"
    page.fill("#title", title)
    page.select_option("#split_level", "1")
    page.set_input_files(
        "#file",
        files=[{"name": "rancangan-kk.docx", "mimeType": "application/octet-stream", "buffer": agency_draft()}],
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Pratinjau").click()

    assert "Teks diambil dari berkas rancangan-kk.docx." in page.locator("#belum-disimpan").inner_text()
    headings = page.locator("main section.doc-section h2").all_inner_texts()
    assert headings == ["Pembuka", "Persyaratan", "Prosedur", "Biaya", "Denah loket"]
    assert (
        "Bagian 5 (Denah loket): gambar ![Denah ruang pelayanan lantai 1](gambar-1)"
        in page.locator(".dropped").inner_text()
    )
    assert page.locator("main .prose table th", has_text="Layanan").is_visible()
    assert page.locator("main .prose li li", has_text="dua lembar fotokopi").is_visible()  # nested, as in Word
    assert page.locator("main .prose h3", has_text="Catatan petugas").is_visible()
    assert_no_horizontal_scroll(page)
    if js:  # axe-core runs as a script: a page without JavaScript is checked in the run with it
        axe_check(page)
    shot(page, f"preview-docx-{'js' if js else 'nojs'}")

    with page.expect_navigation():
        page.get_by_role("button", name="Ubah lagi").first.click()
    assert page.locator("#body").input_value().startswith("**Rancangan Standar Pelayanan Kartu Keluarga**")
    assert page.locator("#split_level").input_value() == "1"
    with page.expect_navigation():
        page.get_by_role("button", name="Pratinjau").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Simpan").first.click()
    assert documents_titled(title) == 1


def test_a_damaged_word_file_is_refused_with_a_clear_message_and_the_form_kept(phone):
    load_demo(sample_participation=False)
    page = phone(js=True, email=AGENCY_ADMIN)
    page.goto(f"/kelola/{AGENCY['slug']}/dokumen/baru?jenis=policy")
    page.fill("#title", "Judul yang diketik")
    page.set_input_files(
        "#file", files=[{"name": "rusak.docx", "mimeType": "application/octet-stream", "buffer": b"x"}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Pratinjau").click()
    assert "tidak dapat dibaca sebagai dokumen Word" in page.locator("#file-error").inner_text()
    assert page.locator("#title").input_value() == "Judul yang diketik"
    assert page.locator("#form-errors").is_visible()
    shot(page, "docx-refused")
