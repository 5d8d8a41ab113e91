"""Moderation in a real browser on a phone (360x640), with the demo data: a moderator opens the queue and hides
a reported comment citing a house rule; its author sees why and appeals; another moderator (the agency admin)
decides; the public moderation log shows every step. axe-core (WCAG 2.2 AA) on the queue, the review, the
appeal pages and the log; no horizontal scrolling; tap targets of 24 px at least.

The functional steps run with the Content-Security-Policy enforced (axe=False); axe runs in its own contexts.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consult.accounts.models import User
from consult.demo import load_demo
from consult.demo_content import AGENCY, SERVICE_STANDARD
from consult.extensions import db
from consult.moderation import services as moderation
from consult.participation import services as participation
from consult.participation.models import Comment
from tests.browser.test_pages_browser import (
    SHOTS,
    assert_big_enough_targets,
    assert_no_horizontal_scroll,
    round_by_title,
    translated,
)
from tests.browser.test_participation_browser import CITIZEN, fresh

pytestmark = pytest.mark.browser

MODERATOR = "moderator@disdukcapil-sukamaju.example"
AGENCY_ADMIN = "pengelola@disdukcapil-sukamaju.example"
SLUG = AGENCY["slug"]
TEXT = "Petugas loket itu, Bu Ani yang rumahnya di Jalan Kenanga 12, selalu lambat."


@pytest.fixture
def reported(make) -> int:
    """A comment by the demo citizen in the open demo round, reported twice (below the threshold of 3)."""
    load_demo(sample_participation=False)
    rnd = round_by_title(SERVICE_STANDARD["title"])
    author = db.session.scalar(sa.select(User).where(User.email == CITIZEN))
    comment = participation.post_comment(author, rnd, TEXT, section_id=rnd.version.sections[2].id)
    for reason in ("Menyebut alamat rumah petugas.", "Data pribadi orang lain."):
        participation.report_comment(make.user(verified=True), fresh(Comment, comment.id), reason)
    db.session.commit()
    return comment.id


def check_page(page, axe_check=None, shot: str | None = None) -> None:
    assert_no_horizontal_scroll(page)
    assert_big_enough_targets(page)
    if axe_check is not None:
        axe_check(page)
    if shot:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)


def submit(page, form) -> None:
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_hide_appeal_and_decide_on_a_phone(app, reported, phone):
    comment_id = reported
    # 1. the moderator finds the queue from the menu and opens the comment
    mod = phone(email=MODERATOR)
    mod.goto("/")
    with mod.expect_navigation():
        mod.get_by_role("link", name=translated(app, "Moderation"), exact=True).click()
    assert mod.url.endswith(f"/kelola/{SLUG}/moderasi")
    item = mod.locator(f"#antrean-{comment_id}")
    assert TEXT in item.inner_text() and "Menyebut alamat rumah petugas." in item.inner_text()
    assert translated(app, "%(n)s open reports") % {"n": 2} in item.inner_text()
    check_page(mod)
    with mod.expect_navigation():
        item.get_by_role("link").filter(has_text=f"#{comment_id}").click()
    assert mod.url.endswith(f"/moderasi/komentar/{comment_id}")
    check_page(mod)

    # 2. a reason is required; then it is hidden citing rule 2
    hide = mod.locator(f"form[action$='/komentar/{comment_id}/sembunyikan']")
    hide.locator("select[name=hide-rule]").select_option("2")
    submit(mod, hide)
    assert mod.locator("#hide-reason-error").is_visible()
    assert mod.locator("select[name=hide-rule]").input_value() == "2"  # kept
    hide = mod.locator(f"form[action$='/komentar/{comment_id}/sembunyikan']")
    hide.locator("textarea[name=hide-reason]").fill("Menyebut nama dan alamat rumah petugas.")
    submit(mod, hide)
    assert mod.url.endswith(f"/kelola/{SLUG}/moderasi")
    assert translated(app, "No reported comments are waiting.") in mod.locator("main").inner_text()
    assert fresh(Comment, comment_id).status == "hidden"

    # 3. the public sees the notice, not the text
    visitor = phone(js=False)
    visitor.goto(f"/comments/{comment_id}")
    notice = visitor.locator(f"#c{comment_id} .notice-hidden")
    assert "Menyebut nama dan alamat rumah petugas." in notice.inner_text()
    assert "Jalan Kenanga" not in visitor.content()

    # 4. the author sees why and appeals, once
    author = phone(email=CITIZEN)
    author.goto(f"/comments/{comment_id}")
    panel = author.locator("#banding")
    assert panel.is_visible() and "Jalan Kenanga" not in author.content()
    check_page(author)
    with author.expect_navigation():
        panel.get_by_role("link", name=translated(app, "Appeal"), exact=True).click()
    check_page(author)
    author.locator("textarea[name=body]").fill("Saya hanya mengeluhkan layanan; nama dan alamat akan saya hapus.")
    submit(author, author.locator("main form"))
    assert author.url.endswith(f"/comments/{comment_id}")
    assert author.locator("#banding").get_by_role("link", name=translated(app, "Appeal"), exact=True).count() == 0

    # 5. the moderator who hid it may not decide; the agency admin does
    mod.goto(f"/kelola/{SLUG}/moderasi/banding")
    with mod.expect_navigation():
        mod.locator("main .card a.button").first.click()
    assert mod.locator("input[name=outcome]").count() == 0
    admin = phone(email=AGENCY_ADMIN)
    admin.goto(mod.url)
    admin.locator("input[name=outcome][value=rejected]").check()
    admin.locator("textarea[name=reason]").fill("Nama dan alamat tetap data pribadi; silakan tulis ulang tanpa itu.")
    submit(admin, admin.locator("main form"))
    assert admin.url.endswith(f"/kelola/{SLUG}/moderasi/banding")
    assert fresh(Comment, comment_id).status == "hidden"

    # 6. the author sees the outcome; the log shows every step under pseudonyms
    author.goto(f"/comments/{comment_id}")
    assert "silakan tulis ulang tanpa itu" in author.locator("#banding").inner_text()
    visitor.goto("/moderasi")
    entries = visitor.locator(".log-entry")
    assert entries.count() == 2
    assert translated(app, "Appeal rejected") in entries.nth(0).inner_text()
    assert "Moderator-" in entries.nth(1).inner_text() and "Budi" not in visitor.content()
    check_page(visitor, shot="moderation-log")


def test_moderation_pages_are_accessible(app, reported, phone, axe_check):
    comment_id = reported
    mod = phone(email=MODERATOR, axe=True)
    for path, shot in (
        (f"/kelola/{SLUG}/moderasi", "moderation-queue"),
        (f"/kelola/{SLUG}/moderasi/komentar/{comment_id}", "moderation-review"),
    ):
        mod.goto(path)
        check_page(mod, axe_check, shot)
    mod.locator("details.decision summary").click()  # the block form, opened
    axe_check(mod)
    hide = mod.locator(f"form[action$='/komentar/{comment_id}/sembunyikan']")
    submit(mod, hide)  # with errors
    check_page(mod, axe_check)

    author = db.session.scalar(sa.select(User).where(User.email == CITIZEN))
    moderator = db.session.scalar(sa.select(User).where(User.email == MODERATOR))
    moderation.hide_comment(moderator, fresh(Comment, comment_id), 2, "Menyebut alamat rumah petugas.")
    appeal = moderation.file_appeal(
        author, fresh(Comment, comment_id), "Mohon ditinjau kembali, saya akan menghapusnya."
    )
    moderation.block_author(
        moderator, fresh(Comment, comment_id), moderation.default_block_end(), "Berulang kali menyebut data pribadi."
    )
    db.session.commit()
    admin = phone(email=AGENCY_ADMIN, axe=True)
    for path in (
        f"/kelola/{SLUG}/moderasi/banding",
        f"/kelola/{SLUG}/moderasi/banding/{appeal.id}",
        f"/kelola/{SLUG}/moderasi/blokir",
        f"/kelola/{SLUG}/aturan",
    ):
        admin.goto(path)
        check_page(admin, axe_check)
    admin.goto(f"/kelola/{SLUG}/moderasi/banding/{appeal.id}")
    submit(admin, admin.locator("main form"))  # without a decision: the errors
    check_page(admin, axe_check)

    citizen = phone(email=CITIZEN, axe=True)
    for path in (f"/comments/{comment_id}", f"/comments/{comment_id}/banding", "/profil/moderasi"):
        citizen.goto(path)
        check_page(citizen, axe_check)
    rnd = round_by_title(SERVICE_STANDARD["title"])
    citizen.goto(f"/rounds/{rnd.id}#diskusi")  # blocked: the reason instead of the forms
    assert "Berulang kali menyebut data pribadi." in citizen.locator("#form-komentar").inner_text()
    axe_check(citizen)

    visitor = phone(axe=True)
    for path in ("/moderasi", f"/rounds/{rnd.id}/moderasi", f"/instansi/{SLUG}/aturan", f"/comments/{comment_id}"):
        visitor.goto(path)
        check_page(visitor, axe_check)
