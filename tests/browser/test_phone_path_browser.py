"""The phone path (issue 10), at 360x640 with JavaScript on and off: "Comment on this section" under every section,
the section kept after posting, the new comment only in a list that shows it, the reply count after an htmx reply,
a double-sent form that publishes once, and confirmation banners that do not stay over the text."""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from consult.extensions import db
from consult.participation.models import Comment
from tests.browser.test_pages_browser import translated
from tests.browser.test_participation_browser import (
    CITIZEN,
    JS_MODES,
    comment,
    demo,  # noqa: F401 - the fixture
    fresh,
    in_viewport,
    listed_ids,
    same_document,
    send,
    set_marker,
)

pytestmark = pytest.mark.browser
SHOTS = Path(tempfile.gettempdir()) / "phone-shots"  # screenshots to look at, not kept


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), caret="initial", animations="allow")  # no style injected: CSP


def round_comments(round_id: int) -> list[Comment]:
    db.session.commit()
    return list(db.session.scalars(sa.select(Comment).where(Comment.round_id == round_id).order_by(Comment.id)))


def test_anonymous_reader_gets_a_log_in_prompt_under_each_section_back_to_it(demo, phone):  # noqa: F811
    page = phone(js=False)
    page.goto(demo.url)
    section = demo.sections[3]
    cta = page.locator(f"section#{section.key} .section-cta a")
    assert cta.count() == 1
    target = urlparse(cta.get_attribute("href"))
    assert target.path == "/login"
    assert unquote(parse_qs(target.query)["next"][0]) == f"{demo.url}#{section.key}"
    assert page.locator(".section-cta").count() == len(demo.sections)


@JS_MODES
def test_comment_on_this_section_opens_the_form_for_it_and_keeps_the_section(app, demo, phone, js):  # noqa: F811
    section = demo.sections[2]
    page = phone(js=js, email=CITIZEN)
    page.goto(demo.url)
    set_marker(page)
    cta = page.locator(f"section#{section.key} .section-cta a")
    expect(cta).to_have_text(translated(app, "Comment on this section"))
    cta.scroll_into_view_if_needed()
    if js:
        send(page, cta, js=True)
        assert same_document(page)
        form = page.locator(f"section#{section.key} #form-komentar-{section.id}")
        expect(form).to_be_visible()
        body = form.locator("textarea")
        assert page.evaluate("() => document.activeElement.tagName") == "TEXTAREA", "the form is ready to type in"
        assert in_viewport(body)
    else:
        with page.expect_navigation():
            cta.click()
        form = page.locator("#form-komentar")
        body = form.locator("textarea[name=body]")
        assert in_viewport(form.locator("h3")), "the page jumps to the form"
    assert form.locator("select").input_value() == str(section.id), "the section is chosen"
    shot(page, f"cta-form-{'js' if js else 'nojs'}")
    body.fill("Persyaratan ini perlu contoh dokumen yang sah.")
    send(page, form.locator("button[type=submit]"), js)
    (posted,) = round_comments(demo.round.id)
    assert posted.section_id == section.id
    if js:
        form = page.locator(f"#form-komentar-{section.id}")
        note = form.locator(".posted-note")
        expect(note).to_be_visible()
        assert in_viewport(note), "the confirmation is where the person is"
        assert page.locator("#pesan").inner_text() == "", "said once, in the note, not in a banner over the text"
        # the focus stays where the person was writing, on the note that says it and leads to the comment
        assert note.evaluate("el => el === document.activeElement"), "the note has the focus"
        expect(note).to_contain_text(translated(app, "Your comment is published."))
        assert note.locator("a").get_attribute("href") == f"#c{posted.id}"
        assert form.locator("textarea").input_value() == "", "ready for the next comment"
    else:
        form = page.locator("#form-komentar")
        assert page.url.endswith(f"?tulis={section.id}&baru={posted.id}#c{posted.id}")
        note = page.locator(f"#c{posted.id} .flash")
        expect(note).to_contain_text(translated(app, "Your comment is published."))
        assert in_viewport(note), "without JS the confirmation is on the comment, where the redirect lands"
    shot(page, f"cta-posted-{'js' if js else 'nojs'}")
    assert form.locator("select").input_value() == str(section.id), "the form keeps the section"
    assert listed_ids(page)[0] == posted.id
    if js:  # the note's link leads to the comment in the discussion
        note.locator("a").click()
        page.wait_for_url(f"**#c{posted.id}")
        assert in_viewport(page.locator(f"#c{posted.id}"))
        shot(page, "cta-posted-js-followed")


@JS_MODES
def test_a_new_comment_goes_only_into_a_list_that_shows_its_section(app, demo, phone, js):  # noqa: F811
    shown, other = demo.sections[1], demo.sections[4]
    older = comment(demo.neighbour, demo.round, "Tentang bagian yang ditampilkan.", section_id=shown.id)
    page = phone(js=js, email=CITIZEN)
    page.goto(f"{demo.url}?bagian={shown.id}#diskusi")
    set_marker(page)
    form = page.locator("#form-komentar")
    assert form.locator("select").input_value() == str(shown.id)
    form.locator("select").select_option(str(other.id))
    form.locator("textarea[name=body]").fill("Komentar untuk bagian lain.")
    send(page, form.locator("button[type=submit]"), js)
    posted = round_comments(demo.round.id)[-1]
    assert posted.section_id == other.id
    if js:
        assert same_document(page)
        assert listed_ids(page) == [older.id], "not inserted into a list filtered to another section"
        # one message, in the form where the person is (with the focus), saying where the comment went
        note = page.locator("#form-komentar .posted-note")
        expect(note).to_contain_text(other.title)
        assert note.evaluate("el => el === document.activeElement")
        assert page.locator("#pesan").inner_text() == "", "no banner over the text besides"
        link = note.locator("a")
        assert f"bagian={other.id}" in link.get_attribute("href")
        assert page.locator("#form-komentar select").input_value() == str(other.id)
        shot(page, "filtered-js")
        with page.expect_navigation():
            link.click()
        assert listed_ids(page)[0] == posted.id
        assert in_viewport(page.locator(f"#c{posted.id}"))
    else:
        assert f"bagian={other.id}" in page.url, "the redirect switches to the list where it went"
        assert listed_ids(page)[0] == posted.id
        assert in_viewport(page.locator(f"#c{posted.id}"))
        assert page.locator("#form-komentar select").input_value() == str(other.id)
        shot(page, "filtered-nojs")


def test_reply_count_is_right_after_a_reply_with_htmx(app, demo, phone):  # noqa: F811
    thread = comment(demo.neighbour, demo.round, "Apakah bisa diwakilkan?")
    comment(demo.neighbour, demo.round, "Bisa, dengan surat kuasa.", parent_id=thread.id)
    page = phone(js=True, email=CITIZEN)
    page.goto(f"/comments/{thread.id}")
    heading = page.locator("#balasan--judul")
    assert "(1)" in heading.inner_text()
    page.locator(f"#reply-body-{thread.id}").fill("Terima kasih.")
    send(page, page.locator(f"#balas-{thread.id} button[type=submit]"), js=True)
    expect(heading).to_contain_text("(2)")
    expect(page.locator(f"#c{thread.id} .actions-inline a[href='#balasan']")).to_contain_text("2")
    # and in the thread opened in place on the round page
    page.goto(f"{demo.url}#diskusi")
    link = page.locator(f"#c{thread.id} .actions-inline a[hx-get]")
    send(page, link, js=True)
    page.locator(f"#reply-body-{thread.id}").fill("Satu lagi.")
    send(page, page.locator(f"#balas-{thread.id} button[type=submit]"), js=True)
    expect(link).to_contain_text("3")
    assert fresh(Comment, thread.id).reply_count == 3


def test_a_form_sent_twice_on_a_flaky_connection_publishes_once(demo, phone):  # noqa: F811
    page = phone(js=False, email=CITIZEN)
    page.goto(f"{demo.url}#diskusi")
    form = page.locator("#form-komentar")
    form.locator("textarea[name=body]").fill("Sinyal lemah, terkirim dua kali.")
    data = page.evaluate(
        "() => Object.fromEntries(new FormData(document.getElementById('form-komentar')))"
    )  # what the browser sends, twice: the first answer was lost on the way back
    url = form.get_attribute("action")
    first = page.request.post(url, form=data, max_redirects=0)
    again = page.request.post(url, form=data, max_redirects=0)
    assert first.status == again.status == 303
    assert first.headers["location"] == again.headers["location"]
    assert len(round_comments(demo.round.id)) == 1


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_confirmation_banner_can_be_closed_and_leaves_on_its_own(app, demo, phone, motion):  # noqa: F811
    page = phone(js=True, email=CITIZEN)
    page.emulate_media(reduced_motion=motion)
    page.goto(f"{demo.url}#diskusi")
    page.locator("#form-komentar textarea[name=body]").fill("Komentar pertama.")
    send(page, page.locator("#form-komentar button[type=submit]"), js=True)
    banner = page.locator("#pesan .flash")
    expect(banner).to_be_visible()
    close = banner.locator("button.flash-close")
    expect(close).to_have_attribute("aria-label", translated(app, "Close"))
    shot(page, f"banner-{motion}")
    duration = banner.evaluate("el => getComputedStyle(el).transitionDuration")
    assert (duration == "0s") == (motion == "reduce"), f"fading: {duration}"
    close.click()
    expect(page.locator("#pesan .flash")).to_have_count(0, timeout=5000)
    assert not page.locator("#pesan").is_visible(), "the sticky region no longer covers the text"
    # the next one leaves by itself after a few seconds
    page.locator("#form-komentar textarea[name=body]").fill("Komentar kedua.")
    send(page, page.locator("#form-komentar button[type=submit]"), js=True)
    expect(page.locator("#pesan .flash")).to_be_visible()
    expect(page.locator("#pesan .flash")).to_have_count(0, timeout=15_000)


def test_the_phone_path_is_accessible(demo, phone, axe_check):  # noqa: F811
    page = phone(js=True, email=CITIZEN, axe=True)
    page.goto(demo.url)
    section = demo.sections[2]
    send(page, page.locator(f"section#{section.key} .section-cta a"), js=True)
    axe_check(page)
    anonymous = phone(js=True, axe=True)
    anonymous.goto(demo.url)
    axe_check(anonymous)
