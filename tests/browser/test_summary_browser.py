"""The published deliberation summary on a phone (360x640), with JavaScript on and off: readable without
scrolling sideways, big enough targets, axe-core clean; the stance chart has its table alternative."""

from __future__ import annotations

import pytest

from consult.deliberation.services import summary as service
from consult.extensions import db
from tests.browser.test_pages_browser import assert_big_enough_targets, assert_no_horizontal_scroll
from tests.deliberation.test_summary import _answer_all, _close, world  # noqa: F401 - world is the fixture

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_the_published_summary_on_a_phone(world, phone, axe_check, js):  # noqa: F811 - the fixture
    rnd = _close(world["round"])
    _answer_all(world)
    service.publish_summary(rnd, world["admin"])
    db.session.commit()
    page = phone(js=js)
    assert page.goto(f"/rounds/{rnd.id}/ringkasan").status == 200
    assert page.locator("h1").inner_text() == "Ringkasan konsultasi"
    assert page.locator("figure.chart svg").is_visible()
    assert "Waktu layanan" in page.locator("main").inner_text()
    assert "Diterima sebagian" in page.locator("main").inner_text()
    assert page.locator("main form").count() == 0  # the public sees no staff form
    assert_no_horizontal_scroll(page)
    assert_big_enough_targets(page)
    if js:
        axe_check(page)


def test_the_draft_with_its_staff_forms_on_a_phone(world, phone, axe_check):  # noqa: F811 - the fixture
    from tests.conftest import PASSWORD

    rnd = _close(world["round"])
    page = phone(js=True, email=world["admin"].email, password=PASSWORD)
    assert page.goto(f"/rounds/{rnd.id}/ringkasan").status == 200
    assert "DRAF" in page.locator(".draft-banner").inner_text()
    assert page.locator("textarea#overview").is_visible()
    with page.expect_navigation():
        page.locator("button", has_text="Terbitkan ringkasan").click()
    assert "Waktu layanan" in page.locator(".flash").inner_text()  # the 409's reasons, shown as a message
    assert_no_horizontal_scroll(page)
    assert_big_enough_targets(page)
    axe_check(page)
