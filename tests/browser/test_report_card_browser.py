"""The report card and the satisfaction survey on a phone (360x640): the card's figures, its SVG trend chart (with
an accessible name) and the chart's table alternative over several quarters; the citizen's nine questions with
JavaScript and without (a missing or bad answer named, the other answers kept); staff typing in paper forms on the
same page. No sideways scrolling, big enough targets, axe-core clean."""

from __future__ import annotations

import datetime as dt
import os

import pytest
import sqlalchemy as sa

from consult.accountability import ikm
from consult.accountability.models import SurveyResponse
from consult.accountability.services import complaints, surveys
from consult.accountability.services import report_card as cards
from consult.extensions import db
from consult.timeutil import utcnow
from tests.accountability.complaint_world import build_world
from tests.browser.test_pages_browser import assert_big_enough_targets, assert_no_horizontal_scroll
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SHOTS")  # a directory to look at the pages in
SERVICE = "Penerbitan Akta Kelahiran"
SCORES = [4, 3, 3, 4, 4, 3, 4, 2, 3]


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/card-{name}.png", full_page=True)


def _answer(page, scores: dict[str, int]) -> None:
    for code, score in scores.items():
        page.check(f"input[name={code}][value='{score}']")


def _submit(page):
    with page.expect_navigation() as sent:
        page.locator("button", has_text="Kirim jawaban saya").click()
    return sent.value


def _responses():
    db.session.rollback()  # see what the server committed
    return db.session.scalars(sa.select(SurveyResponse).order_by(SurveyResponse.id)).all()


def _in_quarter_before(now: dt.datetime, back: int) -> dt.datetime:
    """A moment in the middle of the quarter `back` quarters before now's (Jakarta) quarter."""
    if back == 0:
        return now
    q = ikm.quarter_of(now)
    n = q.year * 4 + q.quarter - 1 - back
    return dt.datetime(n // 4, n % 4 * 3 + 2, 15, 3, 0)


def test_the_report_card_with_its_trend_over_several_quarters(make, phone, axe_check):
    world = build_world(make)
    now = utcnow()
    # answers in four of the last eight quarters (one quarter left out: a gap in the line), by different people
    for back in (0, 1, 3, 5):
        when = _in_quarter_before(now, back)
        for n in range(back + 1):
            scores = [max(1, s - back % 2) for s in SCORES] if n % 2 else SCORES
            surveys.record_survey(make.user(verified=True), world.agency, SERVICE, scores, now=when)
    surveys.record_survey(world.citizen, world.agency, "Legalisir dokumen", [3] * 9)  # a service with no standard
    surveys.set_people_served(world.admin, world.service, 1200, "per triwulan")
    first = complaints.file_complaint(
        world.citizen, world.agency, what="Antrean lama.", commitment_id=world.commitment.id
    )
    complaints.file_complaint(world.citizen, world.agency, what="Biaya diminta.", commitment_id=world.commitment.id)
    complaints.answer_complaint(world.admin, first.complaint, "Loket ditambah.")
    db.session.commit()
    card = cards.report_card(world.agency)
    row = card.services[0]

    page = phone(js=True)
    assert page.goto(f"/instansi/{world.agency.slug}/rapor").status == 200
    assert page.locator("h1").inner_text() == "Rapor layanan"
    first_q, last_q = (str(q).replace("-Q", " T") for q in card.period)
    assert f"dari {first_q} sampai {last_q}" in page.locator("main").inner_text()  # 2026 T1, not the API's 2026-Q1
    section = page.locator(f"section#{world.service.slug}")
    figures = {
        dt_.inner_text(): dd.inner_text()
        for dt_, dd in zip(section.locator("dt").all(), section.locator("dd").all(), strict=True)
    }
    index = f"{row.ikm.index:.2f}".replace(".", ",")
    assert (
        figures["Indeks Kepuasan Masyarakat (IKM)"].startswith(index)
        and row.ikm.grade.letter in figures["Indeks Kepuasan Masyarakat (IKM)"]
    )
    assert figures["Responden"] == str(row.ikm.responses) == str(1 + 2 + 4)  # the last four quarters only
    assert figures["Pengaduan diterima"] == "2" and figures["Dijawab tepat waktu"] == "1"
    assert figures["Komitmen yang berlaku"] == str(row.commitments) != "0"
    assert "291" in section.locator(".notice.warning").inner_text()  # below the minimum sample for 1200 people

    # the chart: an image named by its <title> (and described by its <desc>), and the same figures in a table
    title = f"Indeks kepuasan per triwulan: {SERVICE}"
    chart = section.get_by_role("img", name=title)
    assert chart.count() == 1 and chart.evaluate("el => el.tagName") == "svg"
    assert chart.locator("title").text_content() == title
    assert "triwulan" in chart.locator("desc").text_content()
    assert chart.locator("circle").count() == 4 and chart.locator("path").count() >= 1
    table = section.locator("table.chart-table")
    assert table.locator("caption").inner_text() == title
    cells = {r.locator("th").inner_text(): r.locator("td").inner_text() for r in table.locator("tbody tr").all()}
    assert len(cells) == 8
    expected = {str(q).replace("-Q", " T"): r.index for q, r in row.trend}
    assert sum(1 for v in expected.values() if v is not None) == 4
    for quarter, value in expected.items():
        assert cells[quarter] == ("–" if value is None else f"{value:.2f}".replace(".", ","))
    assert ikm.quarter_of(now).year == int(list(cells)[-1].split()[0])
    legalisir = page.locator("section", has=page.locator("h2", has_text="Legalisir dokumen"))
    assert "Belum ada standar pelayanan" in legalisir.locator(".muted").first.inner_text()
    assert_no_horizontal_scroll(page)
    assert_big_enough_targets(page)
    axe_check(page)
    _shot(page, "report-card")
    no_js = phone(js=False)
    assert no_js.goto(f"/instansi/{world.agency.slug}/rapor").status == 200
    assert no_js.locator("svg[role=img] title").count() == 2
    assert_no_horizontal_scroll(no_js)


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_a_citizen_answers_the_nine_questions(make, phone, axe_check, js):
    world = build_world(make)
    db.session.commit()
    page = phone(js=js, email=world.citizen.email, password=PASSWORD)
    url = f"/instansi/{world.agency.slug}/survei"
    assert page.goto(url).status == 200
    assert page.locator("h1").inner_text() == "Survei kepuasan masyarakat"
    assert page.locator("fieldset.survey-question").count() == 9
    assert page.locator("legend", has_text="Petugas instansi").count() == 0  # no paper form for a citizen
    assert_no_horizontal_scroll(page)
    assert_big_enough_targets(page)
    if js:
        axe_check(page)
    _shot(page, f"survey-{'js' if js else 'nojs'}")

    answers = {e.code: s for e, s in zip(ikm.ELEMENTS, SCORES, strict=True)}
    _answer(page, {k: v for k, v in answers.items() if k != "U4"})  # one question left out
    assert _submit(page).status == 422
    assert page.locator(".flash-error[role=alert]").inner_text() == "U4 Biaya/tarif: pilih nilai 1 sampai 4."
    for code, score in answers.items():  # the other eight answers are kept
        checked = page.locator(f"input[name={code}]:checked")
        assert checked.count() == (0 if code == "U4" else 1), code
        if code != "U4":
            assert checked.get_attribute("value") == str(score)
    assert page.locator("#service").input_value() == SERVICE
    assert _responses() == []
    assert_no_horizontal_scroll(page)
    if js:
        axe_check(page)
        # a tampered answer (5 is not on the scale) is refused naming its question, the others kept
        page.evaluate("() => { const r = document.querySelector('input[name=U3][value=\"4\"]'); r.value = '5'; }")
        _answer(page, {"U4": answers["U4"]})
        page.check("input[name=U3][value='5']")
        assert _submit(page).status == 422
        assert page.locator(".flash-error").inner_text() == "U3 Waktu penyelesaian: pilih nilai 1 sampai 4."
        assert page.locator("input[name=U4]:checked").get_attribute("value") == str(answers["U4"])
        assert page.locator("input[name=U3]:checked").count() == 0
    _shot(page, f"survey-refused-{'js' if js else 'nojs'}")

    _answer(page, answers)
    sent = _submit(page)
    assert sent.status == 200 and page.url.endswith(f"/instansi/{world.agency.slug}/rapor")
    assert "Terima kasih" in page.locator(".flash").inner_text()
    [response] = _responses()
    assert (response.channel, response.respondent_id, response.entered_by_id) == ("web", world.citizen.id, None)
    assert [getattr(response, f"u{n}") for n in range(1, 10)] == SCORES
    assert page.locator(f"section#{world.service.slug} dd").nth(1).inner_text() == "1"  # counted on the card

    assert page.goto(url).status == 200  # once a quarter
    _answer(page, answers)
    assert _submit(page).status == 409
    assert "triwulan" in page.locator(".flash-error").inner_text()
    assert page.locator("input[name=U9]:checked").get_attribute("value") == str(answers["U9"])
    assert len(_responses()) == 1


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_staff_type_in_paper_forms_on_the_same_page(make, phone, axe_check, js):
    world = build_world(make)
    db.session.commit()
    page = phone(js=js, email=world.moderator.email, password=PASSWORD)
    assert page.goto(f"/instansi/{world.agency.slug}/survei").status == 200
    staff = page.locator("fieldset.card", has=page.locator("legend", has_text="Petugas instansi"))
    assert staff.is_visible() and staff.locator("input[name=channel][value=paper]").count() == 1
    assert_no_horizontal_scroll(page)
    assert_big_enough_targets(page)
    if js:
        axe_check(page)
    _shot(page, f"survey-staff-{'js' if js else 'nojs'}")

    served = dt.date.today() - dt.timedelta(days=120)
    for n, score in enumerate((2, 3)):  # one form after another
        page.check("input[name=channel][value=paper]")
        page.fill("#served_on", served.isoformat())
        _answer(page, {e.code: score for e in ikm.ELEMENTS})
        assert _submit(page).status == 200
        assert "/survei?layanan=" in page.url
        assert "Formulir kertas tersimpan" in page.locator(".flash").inner_text()
        assert page.locator("#service").input_value() == SERVICE  # the next form is for the same service
        assert page.locator("input[type=radio]:checked").count() == 0
        responses = _responses()
        assert len(responses) == n + 1
        last = responses[-1]
        assert (last.channel, last.respondent_id, last.entered_by_id) == ("paper", None, world.moderator.id)
        assert last.served_on == served and ikm.Quarter(last.year, last.quarter) == ikm.quarter_of(served)
        assert last.u1 == score
    if js:
        axe_check(page)
