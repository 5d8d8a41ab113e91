"""The agency's own voice and moderation where the comments are, on a phone (360x640), with JavaScript on and off,
with the demo data: a moderator answers on the round page and appears as "Tanggapan Dinas" (no stance
controls), hides a citizen's comment from the round page citing a house rule; a citizen reports a comment
picking the rule and then sees "Anda sudah melaporkan"; the queue lists all new comments of the round.
axe-core (WCAG 2.2 AA) on each page; no horizontal scrolling; tap targets of 24 px at least. Screenshots in
/tmp/consult-shots/voice-*.png.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consult.accounts.models import User
from consult.demo import load_demo
from consult.demo_content import AGENCY, SERVICE_STANDARD
from consult.extensions import db
from consult.participation import services as participation
from consult.participation.models import Comment, Report
from tests.browser.test_moderation_browser import MODERATOR, check_page, submit
from tests.browser.test_pages_browser import SHOTS, round_by_title
from tests.browser.test_participation_browser import CITIZEN, JS_MODES, MARKER, fresh
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

SLUG = AGENCY["slug"]
TEXT = "Loket 3 selalu tutup jam 11 padahal jadwalnya sampai jam 15."


def shot(page, name: str, locator=None) -> None:
    """What a person sees at 360x640 (the viewport, scrolled to `locator`), saved to look at."""
    if locator is not None:
        locator.scroll_into_view_if_needed()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


@pytest.fixture
def demo_round(make):
    load_demo(sample_participation=False)
    rnd = round_by_title(SERVICE_STANDARD["title"])
    author = db.session.scalar(sa.select(User).where(User.email == CITIZEN))
    comment = participation.post_comment(author, rnd, TEXT, section_id=rnd.version.sections[2].id)
    reporter = make.user(verified=True)
    db.session.commit()
    return {"round": rnd.id, "comment": comment.id, "reporter": reporter.email}


@JS_MODES
def test_a_moderator_answers_as_the_agency_and_hides_a_comment_from_the_round_page(app, demo_round, phone, js):
    rnd, comment_id = demo_round["round"], demo_round["comment"]
    mode = "js" if js else "nojs"
    mod = phone(js=js, email=MODERATOR)
    mod.goto(f"/rounds/{rnd}")
    form = mod.locator("#form-komentar")
    assert form.locator("input[name=stance]").count() == 0 and mod.locator(".stance-form").count() == 0
    assert "Anda menulis sebagai" in form.inner_text()
    form.locator("textarea[name=body]").fill("Terima kasih. Mulai bulan depan loket 3 buka sampai pukul 15.00.")
    if js:
        form.locator("button[type=submit]").click()
        mod.locator("#daftar-komentar li.official").first.wait_for()
    else:
        submit(mod, form)
    official = mod.locator("#daftar-komentar li.official").first
    assert "Tanggapan Dinas" in official.inner_text() and AGENCY["name"] in official.inner_text()
    assert "Moderator" in official.inner_text() and "Warga-" not in official.inner_text()
    check_page(mod)
    shot(mod, f"voice-moderator-round-{mode}", official)

    # hide the citizen's (unreported) comment from the round page
    item = mod.locator(f"#c{comment_id}")
    item.scroll_into_view_if_needed()
    if js:
        mod.evaluate(f"() => {{ {MARKER} = true; }}")
        item.get_by_role("link", name="Sembunyikan", exact=True).click()
        slot = mod.locator(f"#moderasi-{comment_id} form")
        slot.wait_for()
        check_page(mod)
        shot(mod, f"voice-hide-in-place-{mode}", slot)
        slot.locator("select").select_option("3")
        slot.locator("textarea").fill("Keluhan jadwal dipindahkan ke kanal pengaduan.")
        slot.locator("button[type=submit]").click()
        mod.locator(f"#c{comment_id} .notice-hidden").wait_for()
        assert mod.evaluate(f"() => {MARKER} === true")  # swapped in place, no reload
    else:
        with mod.expect_navigation():
            item.get_by_role("link", name="Sembunyikan", exact=True).click()
        assert mod.url.split("?")[0].endswith(f"/comments/{comment_id}/sembunyikan") and TEXT in mod.content()
        check_page(mod)
        shot(mod, f"voice-hide-page-{mode}")
        mod.locator("main form select").select_option("3")
        mod.locator("main form textarea").fill("Keluhan jadwal dipindahkan ke kanal pengaduan.")
        submit(mod, mod.locator("main form"))
        assert f"/rounds/{rnd}" in mod.url
    notice = mod.locator(f"#c{comment_id} .notice-hidden")
    assert "Keluhan jadwal dipindahkan" in notice.inner_text() and TEXT not in mod.content()
    assert fresh(Comment, comment_id).status == "hidden"
    check_page(mod)
    shot(mod, f"voice-hidden-{mode}", notice)

    visitor = phone(js=js)
    visitor.goto(f"/rounds/{rnd}")
    assert "Tanggapan Dinas" in visitor.locator("#daftar-komentar li.official").first.inner_text()
    assert visitor.get_by_role("link", name="Sembunyikan", exact=True).count() == 0
    check_page(visitor)
    shot(visitor, f"voice-public-round-{mode}", visitor.locator("#daftar-komentar li.official").first)


@JS_MODES
def test_a_citizen_reports_naming_a_rule_and_then_sees_already_reported(app, demo_round, phone, js):
    rnd, comment_id = demo_round["round"], demo_round["comment"]
    citizen = phone(js=js, email=demo_round["reporter"], password=PASSWORD)
    citizen.goto(f"/rounds/{rnd}")
    item = citizen.locator(f"#c{comment_id}")
    with citizen.expect_navigation():
        item.get_by_role("link", name="Laporkan", exact=True).click()
    check_page(citizen)
    shot(citizen, f"voice-report-form-{'js' if js else 'nojs'}", citizen.locator("main form"))
    citizen.locator("main form input[name=rule][value='3']").check()
    submit(citizen, citizen.locator("main form"))
    assert citizen.url.endswith(f"/comments/{comment_id}")
    db.session.rollback()  # the report was written by the server thread
    assert db.session.scalar(sa.select(Report.rule_number).where(Report.comment_id == comment_id)) == 3
    assert "Anda sudah melaporkan" in citizen.locator(f"#c{comment_id}").inner_text()
    citizen.goto(f"/rounds/{rnd}")
    item = citizen.locator(f"#c{comment_id}")
    assert "Anda sudah melaporkan" in item.inner_text() and item.get_by_role("link", name="Laporkan").count() == 0
    check_page(citizen)
    shot(citizen, f"voice-already-reported-{'js' if js else 'nojs'}", item)


def test_the_queue_shows_all_new_comments_of_a_round_and_pages_pass_axe(app, demo_round, phone, axe_check):
    rnd, comment_id = demo_round["round"], demo_round["comment"]
    mod = phone(email=MODERATOR, axe=True)
    mod.goto(f"/kelola/{SLUG}/moderasi")
    mod.locator("select[name=putaran]").select_option(str(rnd))
    mod.locator("input[name=tampil][value=semua]").check()
    with mod.expect_navigation():
        mod.locator("main form.queue-filter button[type=submit]").click()
    assert f"putaran={rnd}" in mod.url and "tampil=semua" in mod.url
    item = mod.locator(f"#antrean-{comment_id}")
    assert TEXT in item.inner_text() and "Tidak ada laporan terbuka" in item.inner_text()
    check_page(mod, axe_check)
    shot(mod, "voice-queue-all-new", item)
    mod.goto(f"/rounds/{rnd}")
    check_page(mod, axe_check)
    mod.goto(f"/comments/{comment_id}/sembunyikan")
    check_page(mod, axe_check)
    reporter = phone(email=demo_round["reporter"], password=PASSWORD, axe=True)
    reporter.goto(f"/comments/{comment_id}/laporkan")
    check_page(reporter, axe_check)
