"""Rounds by state on a phone (360x640), with JavaScript on and off: /putaran grouped and filtered, and a closed
round's page, which offers nobody a control that can only fail or a promise it cannot keep."""

from __future__ import annotations

import pytest

from consult.demo import load_demo
from consult.demo_content import CLOSED_POLICY, POLICY, SERVICE_STANDARD
from tests.browser.test_pages_browser import (
    AGENCY_ADMIN,
    SHOTS,
    assert_big_enough_targets,
    assert_no_horizontal_scroll,
    round_by_title,
    translated,
)

pytestmark = pytest.mark.browser

MODERATOR = "moderator@disdukcapil-sukamaju.example"


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_the_list_of_rounds_is_grouped_by_state_and_filters_on_a_phone(app, phone, axe_check, js):
    load_demo(sample_participation=False)
    page = phone(js=js)
    assert page.goto("/putaran").status == 200
    headings = page.locator("main h2").all_inner_texts()
    expected = [translated(app, m) for m in ("Open for comment", "Upcoming", "Closed")]
    assert headings == expected
    groups = page.locator("section.round-group")
    for index, title in enumerate((SERVICE_STANDARD["title"], POLICY["title"], CLOSED_POLICY["title"])):
        assert title in groups.nth(index).inner_text()
    # every date is a <time> with a machine-readable moment and a time zone a person can read
    times = page.locator("section.round-group time")
    assert times.count() >= 3
    assert all(t.get_attribute("datetime").endswith("+07:00") for t in times.all())
    assert all("WIB" in t.inner_text() for t in times.all())
    assert_no_horizontal_scroll(page)
    assert_big_enough_targets(page)
    if js:
        axe_check(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"putaran-{'js' if js else 'nojs'}.png"), full_page=True)

    page.select_option("#filter-status", "ditutup")
    with page.expect_navigation():
        page.locator("form.filter button[type=submit]").click()
    assert "status=ditutup" in page.url
    assert page.locator("main h2").all_inner_texts() == [translated(app, "Closed")]
    assert CLOSED_POLICY["title"] in page.locator("main").inner_text()
    assert POLICY["title"] not in page.locator("main").inner_text()


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_a_closed_round_offers_only_what_can_succeed_on_a_phone(app, phone, axe_check, js):
    load_demo(sample_participation=False)
    closed = round_by_title(CLOSED_POLICY["title"])
    change_times = translated(app, "Change the round's times")
    close_or_extend = translated(app, "Close early or extend this round")
    reopen = translated(app, "Reopen this round")
    log_in_to_take_part = translated(app, "Log in or register to take part in this consultation.")

    anonymous = phone(js=js)
    assert anonymous.goto(f"/rounds/{closed.id}").status == 200
    text = anonymous.locator("main").inner_text()
    assert log_in_to_take_part not in text
    assert translated(app, "Log in to follow this consultation by e-mail") not in text
    assert anonymous.locator("textarea").count() == 0  # no comment form on a closed round

    moderator = phone(js=js, email=MODERATOR)
    moderator.goto(f"/rounds/{closed.id}")
    links = moderator.locator("main a").all_inner_texts()
    assert change_times not in links and close_or_extend not in links and reopen not in links

    admin = phone(js=js, email=AGENCY_ADMIN)
    admin.goto(f"/rounds/{closed.id}")
    links = admin.locator("main a").all_inner_texts()
    assert change_times not in links and close_or_extend not in links
    assert reopen in links
    assert_no_horizontal_scroll(admin)
    if js:
        axe_check(admin)
    SHOTS.mkdir(parents=True, exist_ok=True)
    admin.screenshot(path=str(SHOTS / f"closed-round-admin-{'js' if js else 'nojs'}.png"))
    with admin.expect_navigation():
        admin.get_by_role("link", name=reopen).click()
    assert admin.locator("main form").count() >= 1  # the page to reopen it, with its reason
