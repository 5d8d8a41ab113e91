"""The revised charter on a phone (360x640): the agency admin's revision editor (a change that cites nothing is
refused naming its section, then cited and adopted; with JavaScript and without), the public word diff (marks that
are more than colour, no sideways scroll with a long unbroken word, another version to compare with) and the
traceability table (every theme with its answer, links that land on the diff's section). axe-core clean."""

from __future__ import annotations

import os

import pytest

from consult.deliberation.services import dispositions, revisions, summary, themes
from consult.extensions import db
from tests.browser.test_pages_browser import assert_big_enough_targets, assert_no_horizontal_scroll
from tests.conftest import PASSWORD
from tests.deliberation import theme_world

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SHOTS")  # a directory to look at the pages in
LONG_WORD = "https://layanan.contoh.go.id/" + "pendaftaranantreandaringuntuksemualoket" * 4


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/charter-{name}.png", full_page=True)


def _world(make):
    """A closed round with a published summary of two answered themes: one adopted (comments on section 1), one
    not adopted (comments on section 2)."""
    world = theme_world.build(make)
    hours = themes.create_theme(world.moderator, world.round, "Jam layanan", "Warga minta jam layanan lebih lama.")
    themes.tag(world.moderator, hours, comment_ids=[world.comments[0].id])
    online = themes.create_theme(world.moderator, world.round, "Antrean daring", "Antrean daring di semua loket.")
    themes.tag(world.moderator, online, comment_ids=[world.comments[1].id])
    dispositions.set_theme_disposition(world.admin, hours, "adopted", "Jam layanan diperpanjang.")
    dispositions.set_theme_disposition(world.admin, online, "not_adopted", "Belum ada anggaran tahun ini.")
    summary.publish_summary(world.round, world.admin)
    db.session.commit()
    world.hours, world.online = hours, online
    return world


def _adopt(world, edit, changes):
    """Adopt a revision of the newest version: edit(sections) changes the list of dicts in place."""
    base = revisions.base_version(world.round.document)
    secs = [{"key": s.key, "title": s.title, "body": s.body} for s in base.sections]
    edit(secs)
    version = revisions.adopt_version(world.admin, revisions.start_revision(world.admin, world.round, secs, changes))
    db.session.commit()
    return version


def _revise_second(secs):
    secs[1]["body"] = "Loket buka setiap hari kerja sampai pukul 20.00 dan " + LONG_WORD + " untuk mendaftar."


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_the_editor_refuses_an_uncited_change_then_adopts_it(make, phone, axe_check, js):
    world = _world(make)
    first = world.round.version.sections[0]
    url = f"/kelola/{world.agency.slug}/putaran/{world.round.id}/revisi"
    page = phone(js=js, email=world.admin.email, password=PASSWORD)
    assert page.goto(url).status == 200
    assert page.locator("h1").inner_text() == "Versi revisi"
    assert page.locator(f"#bagian-{first.key} legend").first.inner_text() == first.title
    # the themes are offered beside the sections their comments are on, with the agency's answer
    near = page.locator(f"#bagian-{world.round.version.sections[1].key} .themes > label.check")
    assert [" ".join(t.split()) for t in near.all_inner_texts()] == ["Jam layanan — Diterima"]
    assert_no_horizontal_scroll(page)
    assert_big_enough_targets(page)
    if js:
        axe_check(page)
    _shot(page, f"editor-{'js' if js else 'nojs'}")

    added = "\n\nLoket buka sampai pukul 20.00 pada hari kerja."
    page.locator("#body-0").fill(first.body + added)
    with page.expect_navigation() as refused:
        page.locator("button", has_text="Simpan dan adopsi").click()
    assert refused.value.status == 409
    alert = page.locator(".flash-error[role=alert]")
    assert first.title in alert.inner_text()
    assert page.locator("#body-0").input_value() == first.body + added  # the edit is kept
    assert revisions.adopted_from_round(world.round.id) is None
    assert_no_horizontal_scroll(page)
    if js:
        axe_check(page)
    _shot(page, f"editor-refused-{'js' if js else 'nojs'}")

    # section 0 has no theme of its own: the adopted one is under "Tema lainnya"
    page.locator(f"#bagian-{first.key} details summary").click()
    page.locator(f"#bagian-{first.key} input[name=themes-0][value='{world.hours.id}']").check()
    with page.expect_navigation() as adopted:
        page.locator("button", has_text="Simpan dan adopsi").click()
    assert adopted.value.status == 200
    db.session.rollback()  # see what the server committed
    version = revisions.adopted_from_round(world.round.id)
    assert version is not None and version.state == "adopted"
    assert version.sections[0].body == first.body + added
    assert revisions.changes_of(version.id)[first.key]["theme_ids"] == [world.hours.id]
    assert page.url.endswith(f"/dokumen/{version.document_id}/versi/{version.number}/perubahan")
    assert f"Versi {version.number} diadopsi dan berlaku." in page.locator(".flash").inner_text()
    assert "pukul 20.00" in page.locator(f"#{first.key} .diff ins").inner_text()
    assert page.locator(f"#{first.key} .agency-answer a").inner_text() == "Jam layanan"
    assert_no_horizontal_scroll(page)


def test_the_word_diff_marks_changes_by_more_than_colour(make, phone, axe_check):
    world = _world(make)
    old = world.round.version
    one, two = old.sections[1], old.sections[2]

    def edit(secs):
        _revise_second(secs)
        secs[2]["body"] += " Berlaku mulai tahun depan."

    version = _adopt(world, edit, {one.key: {"theme_ids": [world.hours.id]}, two.key: {"reason": "Aturan baru."}})
    page = phone(js=True)
    url = f"/dokumen/{version.document_id}/versi/{version.number}/perubahan"
    assert page.goto(url).status == 200
    assert page.locator("h1").inner_text() == f"Perubahan pada versi {version.number}"
    assert f"Dibandingkan dengan versi {old.number}." in page.locator("main").inner_text()
    section = page.locator(f"section#{one.key}")
    assert section.locator(".change-mark").inner_text() == "Diubah"
    inserted, deleted = section.locator(".diff ins"), section.locator(".diff del")
    assert inserted.count() >= 1 and deleted.count() >= 1
    assert LONG_WORD in " ".join(inserted.all_inner_texts())
    assert one.body.split()[-1] in " ".join(deleted.all_inner_texts())
    # more than colour: a text marker read out by screen readers, and underline / strike-through
    assert inserted.first.locator(".visually-hidden").inner_text().strip() == "[ditambahkan]"
    assert deleted.first.locator(".visually-hidden").inner_text().strip() == "[dihapus]"
    style = "(el) => getComputedStyle(el).textDecorationLine"
    assert inserted.first.evaluate(style) == "underline" and deleted.first.evaluate(style) == "line-through"
    assert page.locator(f"section#{two.key} .agency-answer").inner_text() == "Alasan: Aturan baru."
    assert page.locator(f"section#{old.sections[0].key} .change-mark").inner_text() == "Tidak berubah"
    assert_no_horizontal_scroll(page)  # the long unbroken word wraps
    assert_big_enough_targets(page)
    axe_check(page)
    _shot(page, "diff")

    # a further revision: three published versions give the "compare with" form (a plain GET form)
    third = _adopt(
        world,
        lambda secs: secs.append({"title": "Bagian baru", "body": "Isi bagian baru."}),
        {"bagian-baru": {"reason": "Aturan daerah yang baru."}},
    )
    no_js = phone(js=False)
    assert no_js.goto(f"/dokumen/{third.document_id}/versi/{third.number}/perubahan").status == 200
    assert f"Dibandingkan dengan versi {version.number}." in no_js.locator("main").inner_text()
    assert no_js.locator("#dengan option").all_inner_texts() == [str(old.number), str(version.number)]
    no_js.select_option("#dengan", str(old.number))
    with no_js.expect_navigation():
        no_js.locator("button", has_text="Bandingkan").click()
    assert no_js.url.endswith(f"/versi/{third.number}/perubahan?dengan={old.number}")
    assert f"Dibandingkan dengan versi {old.number}." in no_js.locator("main").inner_text()
    assert no_js.locator(f"section#{one.key} .change-mark").inner_text() == "Diubah"
    assert no_js.locator("section .change-mark", has_text="Ditambahkan").count() == 1
    assert_no_horizontal_scroll(no_js)
    assert_big_enough_targets(no_js)
    _shot(no_js, "diff-dengan")
    assert page.goto(f"{url}?dengan={third.number}").status == 200  # against a newer version works too
    axe_check(page)


def test_the_traceability_table_links_each_theme_to_its_change(make, phone, axe_check):
    world = _world(make)
    one = world.round.version.sections[1]
    version = _adopt(world, _revise_second, {one.key: {"theme_ids": [world.hours.id]}})
    page = phone(js=True)
    assert page.goto(f"/rounds/{world.round.id}/jejak").status == 200
    assert page.locator("h1").inner_text() == "Apa yang diubah setiap tema"
    rows = page.locator("table.trace-table tbody tr")
    assert rows.count() == 2
    by_theme = {r.locator("th").inner_text(): r for r in rows.all()}
    assert set(by_theme) == {"Jam layanan", "Antrean daring"}
    assert "Diterima" in by_theme["Jam layanan"].inner_text()
    assert "Tidak diterima" in by_theme["Antrean daring"].inner_text()
    assert "Belum ada anggaran tahun ini." in by_theme["Antrean daring"].inner_text()  # the reason it changed nothing
    assert_no_horizontal_scroll(page)
    assert_big_enough_targets(page)
    axe_check(page)
    _shot(page, "traceability")

    link = by_theme["Jam layanan"].locator("td a")
    assert link.inner_text() == one.title
    with page.expect_navigation():
        link.click()
    assert page.url.endswith(f"/dokumen/{version.document_id}/versi/{version.number}/perubahan#{one.key}")
    target = page.locator(f"section#{one.key}")
    assert page.evaluate("() => document.querySelector(':target').id") == one.key
    assert target.locator(".change-mark").inner_text() == "Diubah" and target.is_visible()
    assert page.evaluate(f"() => document.getElementById('{one.key}').getBoundingClientRect().top") < 640
    assert_no_horizontal_scroll(page)


def test_the_draft_shows_only_to_the_agency_admin(make, phone):
    world = _world(make)
    one = world.round.version.sections[1]
    base = revisions.base_version(world.round.document)
    secs = [{"key": s.key, "title": s.title, "body": s.body} for s in base.sections]
    _revise_second(secs)
    draft = revisions.start_revision(world.admin, world.round, secs, {one.key: {"theme_ids": [world.hours.id]}})
    db.session.commit()
    public = phone(js=False)
    assert public.goto(f"/dokumen/{draft.document_id}/versi/{draft.number}/perubahan").status == 404
    assert public.goto(f"/rounds/{world.round.id}/jejak").status == 200
    assert public.locator("table.trace-table a[href*='/perubahan']").count() == 0
    staff = phone(js=False, email=world.admin.email, password=PASSWORD)
    assert staff.goto(f"/rounds/{world.round.id}/jejak").status == 200
    assert "DRAF" in staff.locator(".draft-banner").inner_text()
    link = staff.locator("table.trace-table td a", has_text=one.title)
    assert link.get_attribute("href").endswith(f"/versi/{draft.number}/perubahan#{one.key}")
    assert_no_horizontal_scroll(staff)
    _shot(staff, "traceability-draft")
