"""The archives page of a round on a phone (360x640): long hashes wrap, no sideways scrolling, big enough
targets, axe-core clean; the round page links to it once the round is closed."""

from __future__ import annotations

import pytest

from consult.extensions import db
from consult.scheduler.jobs import run_due_jobs
from consult.timeutil import utcnow
from tests.browser.test_pages_browser import assert_big_enough_targets, assert_no_horizontal_scroll
from tests.deliberation.theme_world import build

pytestmark = pytest.mark.browser


def test_the_archives_of_a_closed_round_on_a_phone(make, phone, axe_check):
    world = build(make)
    run_due_jobs(utcnow())
    db.session.commit()
    page = phone(js=True)
    assert page.goto(f"/rounds/{world.round.id}").status == 200
    with page.expect_navigation():
        page.locator("a", has_text="Arsip catatan publik").click()
    assert page.url.endswith(f"/rounds/{world.round.id}/arsip")
    text = page.locator("main").inner_text()
    assert "Saat penutupan" in text and "SHA-256" in text
    assert_no_horizontal_scroll(page)
    assert_big_enough_targets(page)
    axe_check(page)
    with page.expect_download() as download:
        page.locator("a", has_text="Saat penutupan").click()
    assert download.value.suggested_filename.endswith("-closed-" + utcnow().strftime("%Y%m%d") + ".zip")
