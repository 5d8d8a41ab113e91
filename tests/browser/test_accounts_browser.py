"""The account flows in a real browser on a phone (360x640), with JavaScript and without it, checked by axe-core:
registration → the confirmation link from the outbox → taking part, and "forgot password" → the reset link → a new
password, after which the sessions logged in before have ended."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from consult.demo import load_demo
from consult.demo_content import SERVICE_STANDARD
from consult.extensions import db
from consult.participation.models import Comment
from consult.participation.services import UNCONFIRMED_MESSAGE
from tests.browser.test_pages_browser import (
    SHOTS,
    assert_big_enough_targets,
    assert_no_horizontal_scroll,
    round_by_title,
    translated,
)
from tests.conftest import PASSWORD
from tests.mailbox import last_mail, link

pytestmark = pytest.mark.browser
JS_MODES = pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])

NAME, EMAIL, SECRET = "Sari Lestari", "sari.lestari@contoh.example", "Es-cendol-di-alun-alun"
NEW_SECRET = "Sore-hujan-di-Tasikmalaya"


def check_page(page, axe_check, js: bool, shot: str | None = None) -> None:
    """Fits 360 px with big enough tap targets and, where scripts run (axe-core is one), no axe violation."""
    assert_no_horizontal_scroll(page)
    assert_big_enough_targets(page)
    if js:
        axe_check(page)
    if shot:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)


def submit(page, selector: str = "main form button[type=submit]") -> None:
    with page.expect_navigation():
        page.click(selector)


def log_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    submit(page)
    assert urlsplit(page.url).path != "/login", page.locator(".alert, .error").all_inner_texts()


@JS_MODES
def test_register_confirm_by_mail_and_take_part(app, new_context, axe_check, js):
    load_demo(sample_participation=False)
    rnd = round_by_title(SERVICE_STANDARD["title"])
    page = new_context(java_script_enabled=js).new_page()

    page.goto("/register")
    page.fill("input[name=name]", NAME)
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", SECRET)
    submit(page)
    assert urlsplit(page.url).path == "/cek-surel"
    assert page.locator("h1").inner_text() == translated(app, "Check your e-mail")
    assert page.locator("header.site").get_by_role("button", name=translated(app, "Log out")).count() == 0
    check_page(page, axe_check, js, f"account-check-mail-{'js' if js else 'nojs'}")

    # logged in but unconfirmed: reads, is told what to do, cannot take part yet
    log_in(page, EMAIL, SECRET)
    page.goto(f"/rounds/{rnd.id}")
    notice = page.locator("section.confirm-notice")
    assert notice.locator("#konfirmasi-h").inner_text() == translated(app, "Confirm your e-mail address")
    assert notice.get_by_role("button", name=translated(app, "Send the confirmation e-mail again")).is_visible()
    assert page.locator("#form-komentar textarea").count() == 0
    with app.test_request_context(), force_locale("id"):
        why = str(UNCONFIRMED_MESSAGE)
    assert why in page.locator("#form-komentar").inner_text()
    check_page(page, axe_check, js, f"account-unconfirmed-round-{'js' if js else 'nojs'}")

    # the link in the e-mail, opened in the same browser
    page.goto(link(last_mail(EMAIL, "account_confirm"), "/konfirmasi/"))
    check_page(page, axe_check, js)
    submit(page)
    assert urlsplit(page.url).path == "/"
    assert (
        translated(app, "Your e-mail address is confirmed. You can take part now.")
        in page.locator(".flashes").inner_text()
    )
    assert page.locator("section.confirm-notice").count() == 0

    page.goto(f"/rounds/{rnd.id}#diskusi")
    text = "Jam layanan Sabtu pagi sangat membantu warga yang bekerja."
    page.locator("#form-komentar textarea[name=body]").fill(text)
    if js:
        page.locator("#form-komentar button[type=submit]").click()
        page.locator("#daftar-komentar > li.comment").first.wait_for()
    else:
        submit(page, "#form-komentar button[type=submit]")
    assert text in page.locator("#daftar-komentar > li.comment").first.inner_text()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment).where(Comment.body == text)) == 1


@JS_MODES
def test_forgot_password_reset_ends_the_old_sessions(app, make, new_context, axe_check, js):
    user = make.user(email=EMAIL, name=NAME)
    old = new_context(axe=False).new_page()  # a session left open on another device, with "keep me logged in"
    old.goto("/login")
    old.fill("input[name=email]", EMAIL)
    old.fill("input[name=password]", PASSWORD)
    old.check("input[name=remember]")
    submit(old)
    assert old.goto("/profil").status == 200 and urlsplit(old.url).path == "/profil"

    page = new_context(java_script_enabled=js).new_page()
    page.goto("/login")
    with page.expect_navigation():
        page.get_by_role("link", name=translated(app, "Forgot your password?")).click()
    assert urlsplit(page.url).path == "/lupa-sandi"
    check_page(page, axe_check, js, f"account-forgot-{'js' if js else 'nojs'}")
    page.fill("input[name=email]", EMAIL.upper())
    submit(page)
    assert urlsplit(page.url).path == "/cek-surel"

    path = link(last_mail(EMAIL, "password_reset"), "/sandi-baru/")
    response = page.goto(path)
    assert response.headers["cache-control"] == "no-store"
    assert EMAIL in page.locator("main").inner_text()
    check_page(page, axe_check, js, f"account-reset-{'js' if js else 'nojs'}")

    page.fill("input[name=password]", "iloveyou12")  # refused next to the field, the link still usable
    page.fill("input[name=repeat]", "iloveyou12")
    submit(page)
    field = page.locator("input[name=password]")
    assert field.get_attribute("aria-invalid") == "true"
    assert page.locator("#password-error").is_visible()
    check_page(page, axe_check, js)

    page.fill("input[name=password]", NEW_SECRET)
    page.fill("input[name=repeat]", NEW_SECRET)
    submit(page)
    assert urlsplit(page.url).path == "/login"
    log_in(page, EMAIL, NEW_SECRET)

    old.goto("/profil")
    assert urlsplit(old.url).path == "/login", "the session opened before the reset has ended"
    page.goto(path)
    assert page.locator("h1").inner_text() == translated(app, "This link does not work")  # used once
    assert user.id
