"""The opinion-groups page and the moderators' campaigns page on a phone (360x640), with JavaScript on and off:
readable without scrolling sideways, big enough targets, axe-core clean, no console errors; the map's data
opens without JavaScript, the section selector and "Hitung ulang kampanye" are plain links and forms."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from consult.deliberation import services
from consult.participation.services import post_comment
from tests.browser.test_pages_browser import assert_big_enough_targets, assert_no_horizontal_scroll
from tests.conftest import PASSWORD
from tests.deliberation.test_opinion_pages import LETTER, STATEMENTS, _round_with_votes, store_synthetic_result

pytestmark = pytest.mark.browser

SHOTS = Path(tempfile.gettempdir()) / "shots-pages"  # /tmp/shots-pages: screenshots to look at, not kept


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_the_opinion_page_on_a_phone(make, phone, axe_check, js):
    _agency, rnd, _comments, _ = _round_with_votes(make)
    section = rnd.version.sections[1]
    services.refresh_opinion(rnd.id)
    page = phone(js=js)
    assert page.goto(f"/rounds/{rnd.id}").status == 200
    with page.expect_navigation():
        page.locator("p.opinion-link a").click()
    assert page.url.endswith(f"/rounds/{rnd.id}/pendapat")
    assert page.locator("h1").inner_text() == "Kelompok pendapat"
    assert page.locator("svg.opinion-map").is_visible()
    box = page.locator("svg.opinion-map").bounding_box()
    assert 300 <= box["width"] <= 360 and box["height"] >= 0.45 * box["width"]  # no taller than the points need
    assert page.locator("section.opinion-group").count() == 2
    assert STATEMENTS[-1] in page.locator("section.opinion-consensus").inner_text()
    # the map's data: a <details>, which opens without JavaScript
    assert not page.locator("details.map-data table").is_visible()
    page.locator("details.map-data summary").click()
    assert page.locator("details.map-data table").is_visible()
    assert_no_horizontal_scroll(page)
    assert_big_enough_targets(page)
    if js:
        axe_check(page)
    _shot(page, f"opinion-{'js' if js else 'nojs'}")
    # a section without a result of its own: the empty state, no map
    assert page.goto(f"/rounds/{rnd.id}/pendapat?bagian={section.key}").status == 200
    assert "Belum ada kelompok pendapat" in page.locator("main").inner_text()
    if js:
        axe_check(page)


def test_the_opinion_page_of_33000_participants_on_a_phone(make, phone, axe_check):
    rnd = make.round()
    author = make.user()
    comments = [post_comment(author, rnd, text) for text in STATEMENTS]
    store_synthetic_result(rnd, comments)
    page = phone(js=True)
    assert page.goto(f"/rounds/{rnd.id}/pendapat").status == 200
    assert page.locator("svg.opinion-map path.group-3").count() == 1
    assert_no_horizontal_scroll(page)
    assert_big_enough_targets(page)
    axe_check(page)
    page.locator("svg.opinion-map").screenshot(path=str(SHOTS / "opinion-33000-map.png"))
    _shot(page, "opinion-33000")


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_the_campaigns_page_on_a_phone(make, phone, axe_check, js):
    agency = make.agency()
    rnd = make.round(agency)
    for i in range(5):
        extra = f" Anak saya {i + 1} kali ditolak di loket." if i % 2 else ""
        post_comment(make.user(), rnd, f"Yth. Bapak/Ibu, {LETTER}{extra}")
    post_comment(make.user(), rnd, "Tolong perbaiki jaringan internet di kantor kecamatan.")
    services.refresh_campaigns(rnd.id)
    moderator = make.user("moderator", agency)
    page = phone(js=js, email=moderator.email, password=PASSWORD)
    assert page.goto(f"/kelola/{agency.slug}/putaran/{rnd.id}").status == 200
    with page.expect_navigation():
        page.get_by_role("link", name="Kampanye: komentar yang hampir identik").click()
    assert page.locator("h2").first.inner_text() == "kampanye: 5 komentar hampir identik"
    assert "Anak saya 2 kali ditolak di loket." in page.locator("main").inner_text()
    assert_no_horizontal_scroll(page)
    assert_big_enough_targets(page)
    if js:
        axe_check(page)
    _shot(page, f"campaigns-{'js' if js else 'nojs'}")
    with page.expect_navigation():
        page.get_by_role("button", name="Hitung ulang kampanye").click()
    assert "dihitung ulang" in page.locator(".flashes").inner_text()
    if js:
        axe_check(page)
