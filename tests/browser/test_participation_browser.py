"""Taking part in a round in a real browser on a phone (360x640): with JavaScript (htmx swaps in place) and
without it (plain forms, POST → 303 → GET).

Stances, comments, replies, votes, reports, edit and withdraw, "load more", the refusals, the live counter,
the keyboard, tap targets and axe-core (WCAG 2.2 AA). The pages are Indonesian by default and their
participation strings are still being translated, so texts are compared through the catalog (`translated`)
and elements are found by id, class or role.

The functional tests run with the Content-Security-Policy enforced (contexts made with axe=False), as a
real visitor gets the pages; only the accessibility tests bypass it to inject axe-core.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlparse

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from consult.accounts.models import User
from consult.demo import load_demo
from consult.demo_content import SERVICE_STANDARD
from consult.documents.models import Section
from consult.extensions import db, write_transaction
from consult.participation import services
from consult.participation.models import Comment, Report
from consult.rounds.models import Round
from tests.browser.test_pages_browser import (
    SHOTS,
    assert_big_enough_targets,
    assert_no_horizontal_scroll,
    round_by_title,
    translated,
)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

CITIZEN = "warga@contoh.example"  # verified demo citizen
STANCES = ("support", "neutral", "oppose")
JS_MODES = pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
MARKER = "window.__sameDocument"  # set before an htmx action; a page reload would lose it


# --- data ------------------------------------------------------------------------------------------------


@dataclass
class Demo:
    round: Round
    sections: list[Section]
    citizen: User  # logs in in the browser
    neighbour: User  # another verified citizen: writes the comments the citizen votes on, reports, answers

    @property
    def url(self) -> str:
        return f"/rounds/{self.round.id}"


@pytest.fixture
def demo(make) -> Demo:
    """The demo data: the open service-standard round (14 sections) and a second, verified citizen."""
    load_demo(sample_participation=False)
    rnd = round_by_title(SERVICE_STANDARD["title"])
    citizen = db.session.scalar(sa.select(User).where(User.email == CITIZEN))
    neighbour = make.user(verified=True, name="Tetangga Warga")
    return Demo(rnd, list(rnd.version.sections), citizen, neighbour)


def comment(user, rnd, body, **kwargs) -> Comment:
    return services.post_comment(user, rnd, body, **kwargs)


def fresh(model, row_id):
    """A row as committed now (the browser's requests ran in the server thread)."""
    db.session.rollback()
    return db.session.get(model, row_id)


# --- browser helpers -----------------------------------------------------------------------------------------


def set_marker(page) -> None:
    page.evaluate(f"() => {{ {MARKER} = true; }}")


def focused_id(page) -> str:
    return page.evaluate("() => document.activeElement.id")


def focused_comment(page) -> str | None:
    return page.evaluate("() => document.activeElement.closest('li.comment')?.id")


def same_document(page) -> bool:
    return page.evaluate(f"() => {MARKER} === true")


SETTLED_JS = """() => {
  window.__settled = false;
  document.body.addEventListener('htmx:afterSettle', () => { window.__settled = true; }, {once: true});
}"""
SETTLED = "() => window.__settled === true"  # htmx swapped the answer in and settled (autofocus done)


def send(page, button, js: bool) -> None:
    """Press a submit button (or link): with JS wait for htmx's answer, without JS for the next page."""
    if js:
        page.evaluate(SETTLED_JS)
        button.click()
        page.wait_for_function(SETTLED)
    else:
        with page.expect_navigation():
            button.click()


def count(text: str) -> int:
    """The number at the end of a label such as "Mendukung 3" or "Setuju 1"."""
    return int(re.findall(r"\d+", text)[-1])


def in_viewport(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] < 640 and box["y"] + box["height"] > 0


def tally(page, section_id: int) -> dict[str, int]:
    box = page.locator(f"#sikap-{section_id}")
    return {v: count(box.locator(f".t-{v}").inner_text()) for v in STANCES}


def pressed(form) -> dict[str, str]:
    buttons = form.locator("button[name=value]")
    return {
        buttons.nth(i).get_attribute("value"): buttons.nth(i).get_attribute("aria-pressed")
        for i in range(buttons.count())
    }


def votes(page, comment_id: int) -> dict[str, int]:
    buttons = page.locator(f"#suara-{comment_id} button[name=value]")
    return {buttons.nth(i).get_attribute("value"): count(buttons.nth(i).inner_text()) for i in range(3)}


def listed_ids(page, selector: str = "#daftar-komentar > li.comment") -> list[int]:
    return [int(i[1:]) for i in page.locator(selector).evaluate_all("els => els.map(e => e.id)")]


def assert_unique_ids(page) -> None:
    """htmx swaps must not leave two elements with one id (labels, aria references and anchors would break)."""
    duplicates = page.evaluate(
        "() => { const seen = new Set(), twice = new Set();"
        " for (const el of document.querySelectorAll('[id]')) { (seen.has(el.id) ? twice : seen).add(el.id); }"
        " return [...twice]; }"
    )
    assert duplicates == [], f"ids used more than once on {page.url}: {duplicates}"


def assert_field_error(page, field_id: str, error_id: str, expected_value: str, message: str) -> None:
    """The message sits below its own field (same .field block), the field points to it, the text is kept."""
    textarea = page.locator(f"#{field_id}")
    error = page.locator(f"#{error_id}")
    expect(error).to_be_visible()
    assert message in error.inner_text()
    assert page.locator(".field", has=textarea).locator(f"#{error_id}").count() == 1
    assert textarea.get_attribute("aria-invalid") == "true"
    assert error_id in (textarea.get_attribute("aria-describedby") or "").split()
    assert textarea.input_value() == expected_value


def assert_landed_on(page, path: str, comment_id: int, query: dict[str, list[str]]) -> None:
    """After a post without JavaScript: the redirect's page and its #c<id>, with exactly these parameters."""
    url = urlparse(page.url)
    assert (url.path, url.fragment, parse_qs(url.query)) == (path, f"c{comment_id}", query), page.url


def assert_confirmation_on(page, comment_id: int, message: str) -> None:
    """The confirmation is shown on the comment the redirect landed on, on screen, and nowhere else (the top of a
    long page is out of sight)."""
    notice = page.locator(f"#c{comment_id} .flashes[role=status]")
    assert message in notice.inner_text()
    assert in_viewport(notice)
    assert page.locator(".flashes").count() == 1, "the confirmation once, on the comment"


def busy_round(demo: Demo) -> dict[str, Comment]:
    """Comments, a reply, stances and votes from the neighbour and the citizen, as a round in use looks."""
    rnd, sections, citizen, neighbour = demo.round, demo.sections, demo.citizen, demo.neighbour
    first = comment(
        neighbour,
        rnd,
        "Syarat fotokopi KTP sebaiknya dihapus: datanya sudah ada di sistem kependudukan.",
        section_id=sections[1].id,
        stance="support",
    )
    reply = comment(citizen, rnd, "Setuju, antreannya jadi lebih pendek.", parent_id=first.id)
    own = comment(
        citizen,
        rnd,
        "Jam layanan Sabtu perlu ditambah untuk pekerja.\n\n- buka pukul 08.00\n- tutup pukul 12.00",
        section_id=sections[3].id,
        stance="oppose",
    )
    services.vote(neighbour, own, 1)
    services.vote(citizen, first, 1)
    services.set_stance(citizen, rnd, sections[0].id, "neutral")
    whole = comment(neighbour, rnd, "Dokumen ini mudah dibaca, terima kasih.", show_name=True)
    return {"first": first, "reply": reply, "own": own, "whole": whole}


# --- 1. stances ----------------------------------------------------------------------------------------------


@JS_MODES
def test_take_a_stance_and_change_it(app, demo, phone, js):
    section = demo.sections[2]
    services.set_stance(demo.neighbour, demo.round, section.id, "oppose")
    page = phone(js=js, email=CITIZEN)
    page.goto(demo.url)
    set_marker(page)
    box = page.locator(f"#sikap-{section.id}")
    assert tally(page, section.id) == {"support": 0, "neutral": 0, "oppose": 1}
    assert pressed(box.locator("form")) == dict.fromkeys(STANCES, "false")

    for value, expected in (
        ("support", {"support": 1, "neutral": 0, "oppose": 1}),
        ("neutral", {"support": 0, "neutral": 1, "oppose": 1}),  # changed, not added
        ("neutral", {"support": 0, "neutral": 1, "oppose": 1}),  # the same again: nothing moves
    ):
        send(page, box.locator(f"button[value={value}]"), js)
        assert tally(page, section.id) == expected, value
        assert pressed(box.locator("form")) == {v: str(v == value).lower() for v in STANCES}
        if js:
            assert same_document(page), "the stance should be saved in place, without a page load"
            assert focused_id(page) == f"sikap-{section.id}-{value}", "the pressed button keeps the focus"
        else:
            # back in the section, at its stance buttons (not at its heading, maybe screens above them), with
            # the confirmation there (not at the top of the page, out of sight)
            url = urlparse(page.url)
            assert (url.path, url.fragment, parse_qs(url.query)) == (
                demo.url,
                f"sikap-{section.id}",
                {"sikap": [str(section.id)]},
            ), "one confirmation parameter, however often the buttons are pressed"
            assert page.locator(f"section#{section.key} #sikap-{section.id}").count() == 1
            assert in_viewport(box.locator("button[value=support]"))
            notice = box.locator(".flashes[role=status]")
            assert translated(app, "Your stance is saved.") in notice.inner_text()
            assert in_viewport(notice)
            assert page.locator(".flashes").count() == 1, "the confirmation once, at the stance buttons"
            shot(page, "participation-stance-nojs")
    assert box.locator("button[aria-pressed=true]").is_visible()


# --- 2. and 3. comments, bad input -------------------------------------------------------------------------


@JS_MODES
def test_comment_on_a_section_with_a_stance(app, demo, phone, js):
    section = demo.sections[4]
    older = comment(demo.neighbour, demo.round, "Komentar yang lebih dulu.")
    page = phone(js=js, email=CITIZEN)
    page.goto(f"{demo.url}#diskusi")
    set_marker(page)
    page.evaluate("() => { document.getElementById('pesan').__original = true; }")
    form = page.locator("#form-komentar")
    text = "Biaya Rp0 perlu ditulis jelas di loket, supaya tidak ada pungutan liar."
    form.locator("select[name=section_id]").select_option(str(section.id))
    form.locator("textarea[name=body]").fill(text)
    form.locator("input[name=stance][value=oppose]").check()
    send(page, form.locator("button[type=submit]"), js)

    items = page.locator("#daftar-komentar > li.comment")
    expect(items).to_have_count(2)
    first = items.first
    assert text in first.locator(".prose").inner_text()
    assert first.locator(".badge.stance-oppose").is_visible()
    assert section.title in first.locator(".comment-meta").inner_text()
    new_id = int(first.get_attribute("id")[1:])
    assert listed_ids(page) == [new_id, older.id]
    published = translated(app, "Your comment is published.")
    if js:
        assert same_document(page), "the comment should be posted in place, without a page load"
        expect(page.locator("#pesan")).to_contain_text(published)
        # into the live region that was there (a new region would not be announced by screen readers)
        assert page.evaluate("() => document.getElementById('pesan').__original === true")
        assert focused_comment(page) == f"c{new_id}", "the new comment takes the focus of the replaced button"
    else:
        # the redirect lands on the new comment, which carries the confirmation (not the top of the page), and
        # the page's form stays about the section (?tulis=)
        assert_landed_on(page, demo.url, new_id, {"tulis": [str(section.id)], "baru": [str(new_id)]})
        assert in_viewport(first)
        assert_confirmation_on(page, new_id, published)
    # the form is ready for the next comment, about the same section
    form = page.locator("#form-komentar")
    assert form.locator("select[name=section_id]").input_value() == str(section.id)
    assert form.locator("textarea[name=body]").input_value() == ""
    assert form.locator("#body-counter").inner_text().startswith("0 /")
    assert form.locator("input[name=stance][value='']").is_checked()
    # and the stance counts for the section
    page.goto(demo.url)
    assert tally(page, section.id) == {"support": 0, "neutral": 0, "oppose": 1}
    assert page.locator(f"#sikap-{section.id} button[value=oppose]").get_attribute("aria-pressed") == "true"


@JS_MODES
def test_bad_input_keeps_what_was_typed(app, demo, phone, js):
    thread = comment(demo.neighbour, demo.round, "Apakah formulir F-1.06 masih wajib?")
    page = phone(js=js, email=CITIZEN)
    page.goto(f"{demo.url}#diskusi")
    set_marker(page)
    too_long = ("Antrean di loket terlalu panjang pada hari Senin.\n" * 41).strip()  # 2,049 characters
    assert len(too_long) > 2000
    # the textarea has maxlength=2000: a value set by script is not cut, as an old browser would send it
    page.locator("#body").evaluate("(el, text) => { el.value = text; }", too_long)
    page.locator("#form-komentar input[name=stance][value=support]").check()
    send(page, page.locator("#form-komentar button[type=submit]"), js)
    assert_field_error(page, "body", "body-error", too_long, str(len(too_long)))
    assert page.locator("#body-counter").inner_text() == f"{len(too_long)} / 2000"  # a line break counts once
    assert focused_id(page) == "body", "the focus goes to the field to correct"
    assert page.locator("#form-komentar input[name=stance][value=support]").is_checked()
    assert listed_ids(page) == [thread.id], "nothing was published"
    if js:
        assert same_document(page)
    else:
        assert in_viewport(page.locator("#body-error")) or in_viewport(page.locator("#body"))

    page.locator("#body").fill("   \n  ")  # only white space: "empty"
    send(page, page.locator("#form-komentar button[type=submit]"), js)
    assert_field_error(
        page,
        "body",
        "body-error",
        page.locator("#body").input_value(),
        translated(app, "Write your comment before sending it."),
    )

    # a reply, on the comment's page
    page.goto(f"/comments/{thread.id}")
    set_marker(page)
    page.locator(f"#reply-body-{thread.id}").evaluate("(el, text) => { el.value = text; }", too_long)
    send(page, page.locator(f"#balas-{thread.id} button[type=submit]"), js)
    assert_field_error(page, f"reply-body-{thread.id}", f"reply-error-{thread.id}", too_long, str(len(too_long)))
    assert focused_id(page) == f"reply-body-{thread.id}"
    assert page.locator(f"#daftar-balasan-{thread.id} > li").count() == 0
    if js:
        assert same_document(page)


# --- 4. the live counter -------------------------------------------------------------------------------------


def test_live_character_counter(demo, phone):
    thread = comment(demo.neighbour, demo.round, "Loketnya buka jam berapa?")
    comment(demo.neighbour, demo.round, "Pukul delapan.", parent_id=thread.id)
    page = phone(email=CITIZEN)
    page.goto(f"{demo.url}#diskusi")
    counter = page.locator("#body-counter")
    assert counter.inner_text() == "0 / 2000"
    page.locator("#body").press_sequentially("Halo loket")
    expect(counter).to_have_text("10 / 2000")
    page.locator("#body").press("Backspace")
    expect(counter).to_have_text("9 / 2000")
    page.locator("#body").press("Enter")  # a line break is one character, as the server counts it
    expect(counter).to_have_text("10 / 2000")

    # the reply form loaded later by htmx counts too
    send(page, page.locator(f"#c{thread.id} .actions-inline a[hx-get]"), js=True)
    page.locator(f"#reply-body-{thread.id}").press_sequentially("Terima kasih")
    expect(page.locator(f"#reply-counter-{thread.id}")).to_have_text("12 / 2000")


# --- 5. replies ----------------------------------------------------------------------------------------------


@JS_MODES
def test_open_a_thread_and_reply(app, demo, phone, js):
    thread = comment(
        demo.neighbour, demo.round, "Apakah KK bisa diambil oleh tetangga?", section_id=demo.sections[5].id
    )
    answer = comment(demo.neighbour, demo.round, "Dengan surat kuasa, bisa.", parent_id=thread.id)
    page = phone(js=js, email=CITIZEN)
    page.goto(f"{demo.url}#diskusi")
    set_marker(page)
    link = page.locator(f"#c{thread.id} .actions-inline a[href$='#balasan']")
    assert count(link.inner_text()) == 1  # "1 balasan"
    send(page, link, js)
    if js:
        replies = f"#balasan-{thread.id} #daftar-balasan-{thread.id} > li.comment"
        assert same_document(page), "the replies should open in place"
    else:
        assert page.url.endswith(f"/comments/{thread.id}#balasan")
        replies = f"#daftar-balasan-{thread.id} > li.comment"
    expect(page.locator(replies)).to_have_count(1)
    assert listed_ids(page, replies) == [answer.id]

    text = "Terima kasih, surat kuasanya pakai meterai?"
    page.locator(f"#reply-body-{thread.id}").fill(text)
    send(page, page.locator(f"#balas-{thread.id} button[type=submit]"), js)
    expect(page.locator(replies)).to_have_count(2)
    ids = listed_ids(page, replies)
    assert ids[0] == answer.id  # oldest first: the new reply comes last
    assert text in page.locator(f"#c{ids[1]}").inner_text()
    assert page.locator(f"#reply-body-{thread.id}").input_value() == ""
    if js:
        assert same_document(page)
        expect(page.locator("#pesan")).to_contain_text(translated(app, "Your reply is published."))
        assert focused_comment(page) == f"c{ids[1]}"
    else:
        assert_landed_on(page, f"/comments/{thread.id}", ids[1], {"baru": [str(ids[1])]})
        assert in_viewport(page.locator(f"#c{ids[1]}"))
        assert_confirmation_on(page, ids[1], translated(app, "Your reply is published."))
    assert fresh(Comment, thread.id).reply_count == 2
    assert_unique_ids(page)

    # on the comment's own page the replies are shown already: its "N replies" link only moves down to them
    page.goto(f"/comments/{thread.id}")
    link = page.locator(f"#c{thread.id} .actions-inline a[href$='#balasan']")
    assert count(link.inner_text()) == 2
    link.click()
    page.wait_for_url(f"**/comments/{thread.id}#balasan")
    expect(page.locator(f"#c{ids[1]}")).to_have_count(1)
    assert_unique_ids(page)


# --- 6. votes ------------------------------------------------------------------------------------------------


@JS_MODES
def test_vote_on_someone_elses_comment(demo, phone, js, make):
    theirs = comment(demo.neighbour, demo.round, "Pengambilan KK cukup lewat pos.")
    services.vote(make.user(verified=True), theirs, -1)  # someone else disagreed already
    own = comment(demo.citizen, demo.round, "Komentar saya sendiri.")
    services.vote(demo.neighbour, own, 1)
    page = phone(js=js, email=CITIZEN)
    page.goto(f"{demo.url}#diskusi")
    set_marker(page)
    form = page.locator(f"#suara-{theirs.id}")
    assert votes(page, theirs.id) == {"1": 0, "-1": 1, "0": 0}
    assert pressed(form) == {"1": "false", "-1": "false", "0": "false"}

    for value, expected in (
        ("1", {"1": 1, "-1": 1, "0": 0}),
        ("1", {"1": 1, "-1": 1, "0": 0}),  # the same again changes nothing
        ("-1", {"1": 0, "-1": 2, "0": 0}),  # changed: moved, not added
        ("0", {"1": 0, "-1": 1, "0": 1}),
    ):
        send(page, form.locator(f"button[value='{value}']"), js)
        assert votes(page, theirs.id) == expected, value
        assert pressed(form) == {v: str(v == value).lower() for v in ("1", "-1", "0")}
        if js:
            assert same_document(page)
            key = {"1": "setuju", "-1": "tidak", "0": "lewati"}[value]
            assert focused_id(page) == f"suara-{theirs.id}-{key}", "the pressed button keeps the focus"
        else:
            assert page.url.endswith(f"{demo.url}#c{theirs.id}")
            assert in_viewport(form)
    row = fresh(Comment, theirs.id)
    assert (row.agree_count, row.disagree_count, row.pass_count) == (0, 1, 1)

    # one's own comment: the counts, no buttons
    mine = page.locator(f"#suara-{own.id}")
    assert mine.locator("button").count() == 0
    assert [count(part) for part in mine.inner_text().split("·")] == [1, 0, 0]


# --- 7. reports ----------------------------------------------------------------------------------------------


def test_report_a_comment_once(app, demo, phone):
    theirs = comment(demo.neighbour, demo.round, "Datang saja jam 5 pagi, kasih uang rokok ke petugas.")
    page = phone(js=False, email=CITIZEN)
    page.goto(f"{demo.url}#diskusi")
    with page.expect_navigation():
        page.locator(f"#c{theirs.id} a[href$='/laporkan']").click()
    assert page.url.endswith(f"/comments/{theirs.id}/laporkan")
    assert "uang rokok" in page.locator("blockquote.quoted").inner_text()
    reason = page.locator("textarea[name=reason]")
    reason.fill("Menganjurkan suap kepada petugas.")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url.endswith(f"/comments/{theirs.id}")
    assert (
        translated(app, "Thank you. The moderators will look at this comment.") in page.locator(".flashes").inner_text()
    )

    # a second time: the comment says so instead of offering the link, and the form itself sends the person back
    assert page.locator(f"#c{theirs.id} a[href$='/laporkan']").count() == 0
    assert translated(app, "You have reported this") in page.locator(f"#c{theirs.id}").inner_text()
    page.goto(f"/comments/{theirs.id}/laporkan")
    assert page.url.endswith(f"/comments/{theirs.id}")
    message = page.locator(".flashes .flash-info")
    assert message.inner_text() == translated(
        app, "You have already reported this comment. The moderators will look at it."
    )
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Report.id)).where(Report.comment_id == theirs.id)) == 1
    assert fresh(Comment, theirs.id).report_count == 1


# --- 8. load more --------------------------------------------------------------------------------------------


@JS_MODES
def test_load_more_comments(demo, phone, js):
    ids = [comment(demo.neighbour, demo.round, f"Komentar nomor {n}.").id for n in range(1, 46)]
    newest_first = ids[::-1]
    page = phone(js=js, email=CITIZEN)
    page.goto(f"{demo.url}#diskusi")
    set_marker(page)
    assert listed_ids(page) == newest_first[:20]
    more = page.locator("#daftar-komentar > li.more a")
    send(page, more, js)
    if js:
        expect(page.locator("#daftar-komentar > li.comment")).to_have_count(40)
        assert listed_ids(page) == newest_first[:40]  # appended in order, no duplicates
    else:
        assert "cursor=" in page.url and page.url.endswith("#daftar-komentar")
        assert listed_ids(page) == newest_first[20:40]  # the next page
        assert in_viewport(page.locator("#daftar-komentar > li.comment").first)

    # a vote on a comment of the second page: in place, or back on that same page without JavaScript
    on_page_two = newest_first[25]
    send(page, page.locator(f"#suara-{on_page_two} button[value='1']"), js)
    assert votes(page, on_page_two)["1"] == 1
    if not js:
        assert "cursor=" in page.url and page.url.endswith(f"#c{on_page_two}")
        assert in_viewport(page.locator(f"#suara-{on_page_two}"))

    if js:  # with the keyboard: the focus goes to the first new comment, so Tab goes on through the new ones
        more.focus()
        page.evaluate(SETTLED_JS)
        page.keyboard.press("Enter")
        page.wait_for_function(SETTLED)
        expect(page.locator("#daftar-komentar > li.comment")).to_have_count(45)
        assert listed_ids(page) == newest_first
        assert same_document(page)
        assert focused_comment(page) == f"c{newest_first[40]}"
        page.keyboard.press("Tab")
        assert focused_comment(page) == f"c{newest_first[40]}"
        assert_unique_ids(page)
    else:
        send(page, more, js)
        assert listed_ids(page) == newest_first[40:]
    assert more.count() == 0, "no more link after the last page"


@JS_MODES
def test_load_more_keeps_the_section_and_the_order(demo, phone, js):
    """Filtered by one section, most agreed first: "load more" continues that list (a template shadowed
    gettext's _ when the section filter was on, and the page failed with a 500)."""
    section = demo.sections[2]
    ids = [
        comment(demo.neighbour, demo.round, f"Nomor {n}.", section_id=section.id if n % 2 else None).id
        for n in range(1, 50)
    ]
    in_section = ids[::2]  # 25 comments on the section
    liked = in_section[3:20:4]  # agreed once each
    for comment_id in liked:
        services.vote(demo.citizen, fresh(Comment, comment_id), 1)
    expected = liked[::-1] + [i for i in in_section[::-1] if i not in liked]

    page = phone(js=js)
    page.goto(f"{demo.url}#diskusi")
    page.locator("#filter-bagian").select_option(str(section.id))
    page.locator("input[name=urut][value=setuju]").check()
    with page.expect_navigation():
        page.locator("form.filter button[type=submit]").click()
    assert listed_ids(page) == expected[:20]
    send(page, page.locator("#daftar-komentar > li.more a"), js)
    if js:
        expect(page.locator("#daftar-komentar > li.comment")).to_have_count(25)
        assert listed_ids(page) == expected
    else:
        assert listed_ids(page) == expected[20:]
        assert page.locator("#filter-bagian").input_value() == str(section.id)
        assert page.locator("input[name=urut][value=setuju]").is_checked()


# --- 9. edit and withdraw ------------------------------------------------------------------------------------


def test_edit_within_15_minutes_then_withdraw(app, demo, phone):
    mine = comment(demo.citizen, demo.round, "Jam layanan Sabtu sebaiknya ditambah.", section_id=demo.sections[3].id)
    old = comment(demo.citizen, demo.round, "Komentar lama.")
    with write_transaction():
        db.session.get(Comment, old.id).created_at -= dt.timedelta(minutes=16)
    page = phone(js=False, email=CITIZEN)
    page.goto(f"{demo.url}#diskusi")
    assert page.locator(f"#c{old.id} a[href$='/ubah']").count() == 0, "too late to edit"
    assert page.locator(f"#c{old.id} a[href$='/tarik']").count() == 1, "withdrawing is always possible"
    with page.expect_navigation():
        page.locator(f"#c{mine.id} a[href$='/ubah']").click()
    body = page.locator("#body")
    assert body.input_value() == "Jam layanan Sabtu sebaiknya ditambah."
    body.fill("Jam layanan Sabtu sebaiknya ditambah sampai pukul 14.00.")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert_landed_on(page, f"/comments/{mine.id}", mine.id, {"baru": [str(mine.id)]})
    assert_confirmation_on(page, mine.id, translated(app, "Your comment is updated."))

    public = phone(js=False)
    public.goto(f"{demo.url}#diskusi")
    item = public.locator(f"#c{mine.id}")
    assert "sampai pukul 14.00" in item.locator(".prose").inner_text()
    assert item.locator(".edited").inner_text() == f"({translated(app, 'edited')})"
    assert public.locator(f"#c{old.id} .edited").count() == 0

    page.goto(f"/comments/{old.id}/ubah")  # after 15 minutes the edit page sends the author back, with why
    assert page.url.endswith(f"/comments/{old.id}")
    assert page.locator(".flashes .flash-error").inner_text() == translated(
        app, "A comment can be edited only in the first 15 minutes after posting it."
    )

    page.goto(f"/comments/{mine.id}")
    with page.expect_navigation():
        page.locator(f"#c{mine.id} a[href$='/tarik']").click()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert translated(app, "Your comment is withdrawn.") in page.locator(".flashes").inner_text()

    public.reload()
    item = public.locator(f"#c{mine.id}")
    assert item.locator(".notice").inner_text() == translated(app, "This comment was withdrawn by its author.")
    assert "14.00" not in item.inner_text()
    assert listed_ids(public) == [old.id, mine.id], "it keeps its place in the list"


# --- 10. refusals --------------------------------------------------------------------------------------------


def close(rnd: Round) -> None:
    """Close an open round now (as make.round(state="closed") does), after comments were written in it."""
    with write_transaction():
        db.session.get(Round, rnd.id).closes_at = db.session.get(Round, rnd.id).opens_at + dt.timedelta(days=1)


@pytest.mark.parametrize("case", ["anonymous", "closed", "unverified"])
def test_who_may_not_take_part_sees_why_and_no_forms(app, make, phone, case):
    rnd = make.round(verified_only=case == "unverified")
    author = make.user(verified=True)
    theirs = comment(author, rnd, "Komentar yang sudah ada.", section_id=rnd.version.sections[0].id)
    email = mine = None
    if case == "closed":
        viewer = make.user(verified=True)
        email = viewer.email
        mine = comment(viewer, rnd, "Komentar saya, lima menit sebelum ditutup.")
        close(rnd)
    elif case == "unverified":
        email = make.user(verified=False).email
    page = phone(email=email, password=PASSWORD)
    page.goto(f"/rounds/{rnd.id}")

    why = {
        "anonymous": "Log in or register to take part in this consultation.",
        "closed": "This consultation is closed; it no longer accepts comments, votes or stances.",
        "unverified": (
            "Only verified citizens may take part in this consultation. Ask the agency to verify your account."
        ),
    }[case]
    notice = page.locator("#form-komentar")
    assert notice.evaluate("el => el.tagName") == "DIV"
    assert translated(app, why) in notice.inner_text()
    forms = page.locator("main form[method=post]").count() - page.locator("#ikuti form").count()  # following stays
    assert forms == 0, "no comment, stance or vote forms"
    assert page.locator(f"#suara-{theirs.id}").inner_text().count("0") == 3  # the counts are still shown
    assert page.locator(f"#c{theirs.id} a[href*='#balas-']").count() == 0, "no reply link"
    # the section tallies stay readable
    assert page.locator(f"#sikap-{rnd.version.sections[0].id} .tally-numbers").is_visible()

    if case == "anonymous":
        page.goto(f"/comments/{theirs.id}")  # the reply form's place: the same prompt, back to the thread
        reply_login = page.locator(f"#balas-{theirs.id}").get_by_role("link", name=translated(app, "Log in"))
        assert unquote(reply_login.get_attribute("href")).endswith(f"next=/comments/{theirs.id}#balas-{theirs.id}")
        page.goto(f"/rounds/{rnd.id}")
        login = notice.get_by_role("link", name=translated(app, "Log in"))
        assert notice.get_by_role("link", name=translated(app, "Register")).get_attribute("href") == "/register"
        with page.expect_navigation():
            login.click()
        page.fill("input[name=email]", author.email)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        assert page.url.endswith(f"/rounds/{rnd.id}#diskusi"), "back at the discussion after logging in"
        assert page.locator("form#form-komentar").is_visible()
    if case == "closed":
        notice = translated(app, "This consultation is closed. The comments stay here as the public record.")
        assert notice in page.locator(".round > header .notice").inner_text()
        # unlawful content must stay reportable after the round closed
        assert page.locator(f"#c{theirs.id} a[href$='/laporkan']").count() == 1
        # one's own comment: still within 15 minutes, but no longer editable; withdrawing stays possible
        assert page.locator(f"#c{mine.id} a[href$='/ubah']").count() == 0
        assert page.locator(f"#c{mine.id} a[href$='/tarik']").count() == 1


def test_edit_page_of_a_closed_round_sends_the_author_back(app, make, phone):
    rnd = make.round()
    author = make.user(verified=True)
    mine = comment(author, rnd, "Ditulis sebelum putaran ditutup.")
    close(rnd)
    page = phone(js=False, email=author.email, password=PASSWORD)
    page.goto(f"/comments/{mine.id}/ubah")
    assert page.url.endswith(f"/comments/{mine.id}"), "sent back to the comment"
    assert page.locator("textarea").count() == 0


# --- 11. accessibility, and screenshots to look at ------------------------------------------------------------


def shot(page, name: str, locator=None) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    if locator is not None:
        locator.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_participation_pages_are_accessible(demo, phone, axe_check):
    """axe-core finds no WCAG 2.2 AA violation on the round page in use, the permalink, report, edit, withdraw."""
    c = busy_round(demo)
    page = phone(email=CITIZEN, axe=True)
    page.goto(demo.url)
    assert_no_horizontal_scroll(page)
    axe_check(page)  # logged in, with stances, comments and votes
    shot(page, "participation-discussion", page.locator("#diskusi"))
    shot(page, "participation-tally", page.locator(f"#sikap-{demo.sections[1].id}"))
    page.locator("#diskusi").screenshot(path=str(SHOTS / "participation-discussion-full.png"))

    first = page.locator(f"#c{c['first'].id}")
    send(page, first.locator(".actions-inline a[hx-get]"), js=True)  # "1 balasan": the replies open in place
    expect(page.locator(f"#daftar-balasan-{c['first'].id} > li")).to_have_count(1)
    assert_no_horizontal_scroll(page)
    assert_unique_ids(page)
    axe_check(page)
    shot(page, "participation-replies-open", first)

    page.locator("#body").evaluate("(el, text) => { el.value = text; }", "x" * 2001)
    send(page, page.locator("#form-komentar button[type=submit]"), js=True)
    expect(page.locator("#body-error")).to_be_visible()
    assert_unique_ids(page)
    axe_check(page)  # after an error
    shot(page, "participation-comment-error", page.locator("#form-komentar"))
    page.locator("#body").fill("Terima kasih atas rancangannya.")
    send(page, page.locator("#form-komentar button[type=submit]"), js=True)
    assert_unique_ids(page)
    axe_check(page)  # after a comment was posted in place: the message, the new comment with the focus
    shot(page, "participation-comment-posted", page.locator("#daftar-komentar > li").first)

    page.goto(f"/comments/{c['first'].id}")
    assert_no_horizontal_scroll(page)
    axe_check(page)
    shot(page, "participation-thread")
    page.screenshot(path=str(SHOTS / "participation-thread-full.png"), full_page=True)

    for path, name in (
        (f"/comments/{c['reply'].id}", "participation-reply-permalink"),  # the thread, the reply highlighted
        (f"/comments/{c['first'].id}/laporkan", "participation-report"),
        (f"/comments/{c['own'].id}/ubah", "participation-edit"),
        (f"/comments/{c['own'].id}/tarik", "participation-withdraw"),
    ):
        assert page.goto(path).status == 200, path
        assert_no_horizontal_scroll(page)
        axe_check(page)
        shot(page, name, page.locator(".comment.focus") if "permalink" in name else None)

    anonymous = phone(axe=True)
    anonymous.goto(demo.url)
    axe_check(anonymous)  # the log-in prompt instead of the forms, votes as text
    shot(anonymous, "participation-anonymous", anonymous.locator("#diskusi"))

    page.goto(f"/comments/{c['first'].id}/laporkan")
    with page.expect_navigation():  # an empty reason: the page again, with its error
        page.locator("main form button[type=submit]").click()
    expect(page.locator("#reason-error")).to_be_visible()
    assert_no_horizontal_scroll(page)
    axe_check(page)
    shot(page, "participation-report-error")


# --- 12. tap targets -----------------------------------------------------------------------------------------


def test_tap_targets_on_the_round_page_with_comments(demo, phone):
    c = busy_round(demo)
    page = phone(email=CITIZEN)
    page.goto(demo.url)
    send(page, page.locator(f"#c{c['first'].id} .actions-inline a[hx-get]"), js=True)  # replies open
    expect(page.locator(f"#daftar-balasan-{c['first'].id} > li")).to_have_count(1)
    assert_big_enough_targets(page)
    page.goto(f"/comments/{c['first'].id}")
    assert_big_enough_targets(page)
    anonymous = phone()
    anonymous.goto(demo.url)
    assert_big_enough_targets(anonymous)


# --- 13. the keyboard ----------------------------------------------------------------------------------------

FOCUS_JS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    id: el.id, tag: el.tagName.toLowerCase(), name: el.name || '', value: el.value || '',
    href: el.getAttribute('href') || '',
    visible: el.matches(':focus-visible') && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
  };
}"""


HIDDEN_UNDER_PESAN_JS = """() => {
  const el = document.activeElement, box = el.getBoundingClientRect();
  const cover = document.getElementById('pesan').getBoundingClientRect();
  const covered = cover.height > 0 && box.top >= cover.top && box.bottom <= cover.bottom;
  return covered ? `${el.outerHTML.slice(0, 80)} at ${box.top.toFixed(0)}-${box.bottom.toFixed(0)} px` : null;
}"""


def tab_to(page, predicate, limit: int = 25) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_JS)
        if predicate(focused):
            assert focused["visible"], f"no visible focus indicator on {focused}"
            return focused
    raise AssertionError(f"Tab did not reach the element within {limit} presses; last: {focused}")


def test_comment_with_the_keyboard_only(app, demo, phone):
    page = phone(email=CITIZEN)
    page.goto(demo.url)
    assert page.locator("#belum-ada").is_visible()
    tab_to(page, lambda f: f["href"] == "#diskusi")  # "Go to the discussion", near the top
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{demo.url}#diskusi")

    focused = tab_to(page, lambda f: f["tag"] in {"select", "textarea", "input", "button"}, limit=1)
    assert focused["id"] == "section_id", "the form comes first in the discussion"
    page.keyboard.press("ArrowDown")  # the first section instead of the whole document
    assert page.locator("#section_id").input_value() == str(demo.sections[0].id)
    assert tab_to(page, lambda f: True, limit=1)["id"] == "body"
    page.keyboard.type("Dasar hukumnya sudah lengkap.")
    expect(page.locator("#body-counter")).to_have_text("29 / 2000")
    focused = tab_to(page, lambda f: True, limit=1)
    assert (focused["name"], focused["value"]) == ("stance", "")  # the checked radio of the group
    page.keyboard.press("ArrowRight")
    assert page.evaluate(FOCUS_JS)["value"] == "support"
    assert tab_to(page, lambda f: True, limit=1)["name"] == "show_name"
    assert tab_to(page, lambda f: True, limit=1)["tag"] == "button"
    page.evaluate(SETTLED_JS)
    page.keyboard.press("Enter")
    page.wait_for_function(SETTLED)

    first = page.locator("#daftar-komentar > li.comment").first
    expect(first).to_contain_text("Dasar hukumnya sudah lengkap.")
    focused = page.evaluate(FOCUS_JS)
    assert focused_comment(page) == first.get_attribute("id") and focused["visible"], focused
    assert first.locator(".badge.stance-support").is_visible()
    expect(page.locator("#pesan")).to_contain_text(translated(app, "Your comment is published."))
    assert not page.locator("#belum-ada").is_visible(), '"No comments yet" under the first comment'
    shot(page, "participation-posted")

    # the message stays on screen (sticky) while one goes on: it must not hide what has the focus (WCAG 2.4.11)
    for _ in range(12):
        page.keyboard.press("Shift+Tab")  # backwards: what gets the focus scrolls in at the top, under it
        hidden = page.evaluate(HIDDEN_UNDER_PESAN_JS)
        assert hidden is None, f"the focused element is hidden under the message: {hidden}"


# --- the round closes while the page is open ------------------------------------------------------------------


@JS_MODES
def test_round_closes_while_the_page_is_open(app, demo, phone, js):
    """Stance, vote and comment are refused with the reason; a comment being written is not lost."""
    section = demo.sections[1]
    theirs = comment(demo.neighbour, demo.round, "Syaratnya terlalu banyak.")
    page = phone(js=js, email=CITIZEN)
    page.goto(demo.url)
    writing = page.context.new_page()  # a second tab, where a comment is being written
    writing.goto(f"{demo.url}#diskusi")
    close(demo.round)
    closed = translated(app, "This consultation is closed; it no longer accepts comments, votes or stances.")

    send(page, page.locator(f"#sikap-{section.id} button[value=support]"), js)
    if js:
        expect(page.locator("#pesan [role=alert]")).to_have_text(closed)
        send(page, page.locator(f"#suara-{theirs.id} button[value='1']"), js)
        expect(page.locator("#pesan [role=alert]")).to_have_text(closed)
        assert votes(page, theirs.id)["1"] == 0
    else:
        assert page.url.endswith(f"#sikap-{section.id}")
        assert page.locator(".flashes .flash-error").inner_text() == closed
        assert page.locator(f"#sikap-{section.id} form").count() == 0, "no stance buttons any more"
    assert tally(page, section.id)["support"] == 0

    text = "Komentar yang ditulis lama, sampai putaran ditutup."
    writing.locator("#body").fill(text)
    send(writing, writing.locator("#form-komentar button[type=submit]"), js)
    if js:  # the form stays, with the reason on top and the focus on it
        alert = writing.locator("#form-komentar .alert[role=alert]")
        assert alert.inner_text() == closed
        assert alert.evaluate("el => el === document.activeElement")
        assert writing.locator("#body").input_value() == text, "the typed text is kept"
    else:  # the page is the closed round's: the reason instead of the form, and the text read-only below it
        notice = writing.locator("#form-komentar")
        assert closed in notice.inner_text()
        assert notice.evaluate("el => el === document.activeElement")
        kept = notice.locator("textarea")
        assert kept.input_value() == text and kept.get_attribute("readonly") is not None, "the typed text is kept"
    assert fresh(Round, demo.round.id).comment_count == 1
