"""Accounts people can use, in a real browser on a phone (360x640), with JavaScript and without it, checked by
axe-core: a citizen asks an agency to verify them from the profile, the agency admin approves on the workspace,
the citizen's profile says so; the header's "Masuk" brings a reader back to the page they were reading; "Komentar
saya" lists the person's comments."""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from consult.extensions import db
from consult.participation import services as participation
from tests.browser.test_accounts_browser import check_page, log_in, submit
from tests.browser.test_pages_browser import translated
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
JS_MODES = pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
SHOTS = Path(tempfile.gettempdir()) / "acct10-shots"  # /tmp/acct10-shots: screenshots to look at, not kept


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@JS_MODES
def test_citizen_asks_to_be_verified_the_agency_admin_approves_and_the_profile_says_so(
    app, make, new_context, axe_check, js
):
    mode = "js" if js else "nojs"
    agency = make.agency(slug="dukcapil-sukamaju", name="Dinas Dukcapil Sukamaju")
    make.agency(slug="dinas-lain", name="Dinas Perhubungan")
    citizen = make.user(name="Sari Lestari", email="sari@contoh.example")
    admin = make.user("agency_admin", agency, email="pengelola@contoh.example")
    db.session.commit()

    page = new_context(java_script_enabled=js).new_page()
    log_in(page, citizen.email, PASSWORD)
    page.goto("/profil#verifikasi")
    section = page.locator("#verifikasi")
    ask = section.get_by_role("link", name=translated(app, "Ask an agency to verify you"))
    assert ask.is_visible()
    with page.expect_navigation():
        ask.click()
    assert urlsplit(page.url).path == "/profil/verifikasi"
    assert "NIK" in page.locator("#note-hint").inner_text()  # the form says no identity number is asked
    page.select_option("select[name=agency]", label="Dinas Dukcapil Sukamaju")
    page.fill("textarea[name=note]", "KTP sudah saya tunjukkan di loket, Senin pagi.")
    check_page(page, axe_check, js)
    shot(page, f"verification-request-{mode}")
    submit(page)
    assert urlsplit(page.url).path == "/profil"
    pending = translated(app, "Your request to %(agency)s is waiting for its decision (sent %(time)s).")
    assert pending.split("%(agency)s")[0].strip() in page.locator("#verifikasi").inner_text()
    assert "Dinas Dukcapil Sukamaju" in page.locator("#verifikasi").inner_text()
    check_page(page, axe_check, js)
    shot(page, f"verification-pending-{mode}")

    staff = new_context(java_script_enabled=js).new_page()
    log_in(staff, admin.email, PASSWORD)
    staff.goto("/kelola/dukcapil-sukamaju")
    with staff.expect_navigation():
        staff.get_by_role("link", name=translated(app, "Verification requests")).click()
    card = staff.locator("li.card", has_text="Sari Lestari")
    assert "sari@contoh.example" in card.inner_text() and "KTP sudah saya tunjukkan" in card.inner_text()
    check_page(staff, axe_check, js)
    shot(staff, f"verification-list-{mode}")
    with staff.expect_navigation():
        card.get_by_role("button", name=translated(app, "Approve")).click()
    assert "Sari Lestari" in staff.locator(".flashes").inner_text()
    assert staff.locator("li.card", has_text="Sari Lestari").count() == 0
    check_page(staff, axe_check, js)

    page.goto("/profil#verifikasi")
    verified = page.locator("#verifikasi").inner_text()
    assert "Dinas Dukcapil Sukamaju" in verified
    assert page.locator("#verifikasi").get_by_role("link", name=translated(app, "Ask again")).count() == 0
    check_page(page, axe_check, js)
    shot(page, f"verification-approved-{mode}")


@JS_MODES
def test_a_refused_citizen_reads_the_reason_and_asks_again(app, make, new_context, axe_check, js):
    from consult.agencies import verification

    agency = make.agency(slug="dukcapil-sukamaju", name="Dinas Dukcapil Sukamaju")
    citizen = make.user(email="sari@contoh.example")
    admin = make.user("agency_admin", agency)
    row = verification.request_verification(citizen, agency.id)
    db.session.commit()
    staff = new_context(java_script_enabled=js).new_page()
    log_in(staff, admin.email, PASSWORD)
    staff.goto(f"/kelola/dukcapil-sukamaju/verifikasi/{row.id}")
    submit(staff, "form[action$='/tolak'] button[type=submit]")  # no reason: the form says so, at its field
    assert staff.locator("#tolak-reason-error").is_visible()
    staff.fill("#tolak-reason", "Nama di akun tidak sama dengan KTP.")
    submit(staff, "form[action$='/tolak'] button[type=submit]")
    assert urlsplit(staff.url).path == "/kelola/dukcapil-sukamaju/verifikasi"

    page = new_context(java_script_enabled=js).new_page()
    log_in(page, citizen.email, PASSWORD)
    page.goto("/profil#verifikasi")
    assert "Nama di akun tidak sama dengan KTP." in page.locator("#verifikasi").inner_text()
    assert page.locator("#verifikasi").get_by_role("link", name=translated(app, "Ask again")).is_visible()
    check_page(page, axe_check, js)
    shot(page, f"verification-refused-{'js' if js else 'nojs'}")


@JS_MODES
def test_the_header_log_in_link_brings_the_reader_back_to_the_page(app, make, new_context, axe_check, js):
    rnd = make.round()
    user = make.user()
    db.session.commit()
    page = new_context(java_script_enabled=js).new_page()
    address = f"/rounds/{rnd.id}?urut=setuju"
    page.goto(address)
    with page.expect_navigation():
        page.locator("header.site").get_by_role("link", name=translated(app, "Log in")).click()
    assert urlsplit(page.url).path == "/login"
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    check_page(page, axe_check, js)
    submit(page)
    parts = urlsplit(page.url)
    assert parts.path + "?" + parts.query == address
    assert page.locator("header.site").get_by_role("link", name=translated(app, "Profile")).is_visible()
    check_page(page, axe_check, js)
    shot(page, f"login-returned-{'js' if js else 'nojs'}")


@JS_MODES
def test_my_comments_on_the_profile_and_their_own_page(app, make, new_context, axe_check, js):
    first, second = make.round(), make.round()
    me = make.user()
    comment = participation.post_comment(me, first, "Jam layanan Sabtu pagi sangat membantu.")
    participation.post_comment(make.user(), first, "Setuju, saya juga.", parent_id=comment.id)
    participation.post_comment(
        me, second, "Persyaratan perlu disederhanakan.", section_id=second.version.sections[1].id
    )
    db.session.commit()
    page = new_context(java_script_enabled=js).new_page()
    log_in(page, me.email, PASSWORD)
    page.goto("/profil#komentar-saya")
    mine = page.locator("#komentar-saya li.my-comment")
    assert mine.count() == 2 and "Persyaratan perlu disederhanakan." in mine.first.inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name=translated(app, "All my comments")).click()
    assert urlsplit(page.url).path == "/profil/komentar"
    card = page.locator("li.my-comment", has_text="Jam layanan Sabtu pagi")
    with page.expect_navigation():
        card.get_by_role("link", name=translated(app, "%(n)s replies").replace("%(n)s", "1")).click()
    assert urlsplit(page.url).path == f"/comments/{comment.id}"
    page.go_back()
    check_page(page, axe_check, js)
    shot(page, f"my-comments-{'js' if js else 'nojs'}")
