"""The statistics pages on a phone (360x640), with JavaScript and without: every chart an image named by its title
with its table beside it, the figures readable, no sideways scrolling, big enough targets, axe-core clean, and no
hidden comment's text."""

from __future__ import annotations

import os

import pytest

from consult.extensions import db
from tests.browser.test_pages_browser import assert_big_enough_targets, assert_no_horizontal_scroll
from tests.monitoring.test_statistics import HIDDEN_TEXT, WITHDRAWN_TEXT, build

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SHOTS")  # a directory to look at the pages in


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/statistics-{name}.png", full_page=True)


def _figures(section) -> dict[str, str]:
    return {
        dt_.inner_text(): dd.inner_text()
        for dt_, dd in zip(section.locator("dt").all(), section.locator("dd").all(), strict=True)
    }


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_the_round_statistics_on_a_phone(make, phone, axe_check, js):
    world = build(make)
    db.session.commit()
    page = phone(js=js)
    assert page.goto(f"/rounds/{world.round.id}").status == 200
    with page.expect_navigation():
        page.locator("main a", has_text="Statistik").click()
    assert page.url.endswith(f"/rounds/{world.round.id}/statistik")
    assert page.locator("h1").inner_text() == "Statistik"
    main = page.locator("main")
    assert HIDDEN_TEXT not in main.inner_text() and WITHDRAWN_TEXT not in main.inner_text()
    totals = _figures(page.locator("article > dl.figures"))
    assert totals["Komentar dan balasan"] == "6" and totals["Suara"] == "3" and totals["Sikap"] == "3"

    posts = page.get_by_role("img", name="Komentar dan balasan per hari")
    assert posts.count() == 1 and posts.locator("rect.chart-bar").count() == 8  # one column per day, empty ones flat
    heights = posts.locator("rect.chart-bar").evaluate_all("bars => bars.map(b => Number(b.getAttribute('height')))")
    assert sum(1 for h in heights if h > 0) == 4  # four of the eight days had posts
    assert page.locator("svg[role=img]").count() == 7
    days = page.locator("table.chart-table", has=page.locator("caption", has_text="Komentar dan balasan per hari"))
    rows = {r.locator("th").inner_text(): r.locator("td").all_inner_texts() for r in days.locator("tbody tr").all()}
    assert len(rows) == 8 and rows["6 Jan 2026"] == ["2", "0"] and rows["9 Jan 2026"] == ["1", "1"]
    for caption in ("Komentar menurut bagian", "Komentar menurut saluran", "Sikap per bagian"):
        chart = page.get_by_role("img", name=caption)
        assert chart.count() == 1 and chart.locator("title").first.text_content() == caption
        assert page.locator("table.chart-table caption", has_text=caption).count() == 1
    moderation = page.locator("section", has=page.locator("h2#moderasi"))
    reports = _figures(moderation.locator("dl.figures").nth(1))
    assert reports == {
        "Laporan diterima": "4",
        "Ditangani": "3",
        "Masih terbuka": "1",
        "Median waktu penanganan": "3 j 10 mnt",
        "Ditangani dalam 48 jam": "66,7 %",
    }
    assert moderation.get_by_role("img", name="Tindakan moderasi menurut aturan diskusi").count() == 1
    assert_no_horizontal_scroll(page)
    assert_big_enough_targets(page)
    if js:
        axe_check(page)
    _shot(page, f"round-{'js' if js else 'nojs'}")


def test_the_agency_statistics_on_a_phone(make, phone, axe_check):
    world = build(make)
    db.session.commit()
    page = phone(js=True)
    assert page.goto(f"/instansi/{world.agency.slug}/statistik").status == 200
    assert page.locator("h1").inner_text() == "Statistik"
    assert HIDDEN_TEXT not in page.locator("main").inner_text()
    complaints = _figures(page.locator("section", has=page.locator("h2#pengaduan")).locator("dl"))
    assert complaints["Pengaduan diterima"] == "0" and complaints["Porsi jawaban tepat waktu"] == "–"
    assert page.get_by_role("img", name="Sikap per konsultasi").count() == 1
    assert_no_horizontal_scroll(page)
    assert_big_enough_targets(page)
    axe_check(page)
    _shot(page, "agency")
    with page.expect_navigation():
        page.locator("section", has=page.locator("h2#putaran")).locator("h3 a").first.click()
    assert page.url.endswith(f"/rounds/{world.round.id}/statistik")
