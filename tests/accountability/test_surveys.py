"""Satisfaction surveys (IKM, Permenpan RB 14/2017) and the report card: the service, the API, the tallies, the
query count. The figures are checked against consult.accountability.ikm computed over the same rows."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import sqlalchemy as sa

from consult.accountability import ikm
from consult.accountability.models import (
    ELEMENT_COLUMNS,
    Complaint,
    Service,
    SurveyResponse,
    SurveyTally,
)
from consult.accountability.services import report_card as cards
from consult.accountability.services import surveys
from consult.accounts.services import create_api_token
from consult.audit import AuditEntry
from consult.errors import Conflict, Invalid, NotAllowed
from consult.extensions import db
from consult.timeutil import utcnow
from tests.accountability.complaint_world import build_world
from tests.participation.test_my_comments import count_queries

SERVICE = "Penerbitan Akta Kelahiran"


def _bearer(user) -> dict:
    token = create_api_token(user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def w(make):
    world = build_world(make)
    world.service_id = world.service.id
    return world


def _tallies_match_rows(service_id: int) -> None:
    sums = [sa.func.sum(getattr(SurveyResponse, c)) for c in ELEMENT_COLUMNS]
    rows = {
        (y, q): (n, p, *s)
        for y, q, n, p, *s in db.session.execute(
            sa.select(
                SurveyResponse.year,
                SurveyResponse.quarter,
                sa.func.count(),
                sa.func.sum(sa.case((SurveyResponse.channel == "paper", 1), else_=0)),
                *sums,
            )
            .where(SurveyResponse.service_id == service_id)
            .group_by(SurveyResponse.year, SurveyResponse.quarter)
        )
    }
    tallies = {
        (t.year, t.quarter): (t.responses, t.paper_responses, *(getattr(t, f"sum_{c}") for c in ELEMENT_COLUMNS))
        for t in db.session.scalars(sa.select(SurveyTally).where(SurveyTally.service_id == service_id))
    }
    assert tallies == rows


def test_a_citizen_answers_once_per_quarter_and_staff_enter_paper_forms(w):
    now = dt.datetime(2026, 11, 20, 3, 0)
    response = surveys.record_survey(w.citizen, w.agency, SERVICE, [4, 3, 3, 4, 4, 3, 4, 2, 3], now=now)
    assert (response.year, response.quarter, response.channel, response.respondent_id) == (2026, 4, "web", w.citizen.id)
    with pytest.raises(Conflict) as refused:
        surveys.record_survey(w.citizen, w.agency, SERVICE.lower(), [4] * 9, now=now + dt.timedelta(days=3))
    assert "triwulan" in str(refused.value.message)
    # the next quarter (in Jakarta: 31 December 18:00 UTC is already 1 January) is a new one
    surveys.record_survey(w.citizen, w.agency, SERVICE, [3] * 9, now=dt.datetime(2026, 12, 31, 18, 0))
    for _ in range(3):  # paper forms: no respondent, no limit, the entering officer kept
        paper = surveys.record_survey(
            w.moderator, w.agency, SERVICE, [2] * 9, channel="paper", served_on=dt.date(2026, 11, 2), now=now
        )
        assert paper.respondent_id is None and paper.entered_by_id == w.moderator.id
    _tallies_match_rows(w.service.id)
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "survey.recorded")).all()
    assert len(entries) == 5
    assert all(str(w.citizen.id) not in str(e.data) and w.citizen.email not in str(e.data) for e in entries)


def test_bad_answers_are_refused_with_a_message_naming_the_element(w):
    with pytest.raises(Invalid) as refused:
        surveys.record_survey(w.citizen, w.agency, SERVICE, [4, 4, 5, 4, 4, 4, 4, 4, 4])
    assert "U3" in str(refused.value.message) and "scores.U3" in refused.value.fields
    for scores in ([4] * 8, "4444", [4.0] * 9, [True] * 9, None):
        with pytest.raises(Invalid):
            surveys.record_survey(w.citizen, w.agency, SERVICE, scores)
    with pytest.raises(Invalid):
        surveys.record_survey(w.citizen, w.agency, "  ", [4] * 9)
    with pytest.raises(NotAllowed):
        surveys.record_survey(w.citizen, w.agency, SERVICE, [4] * 9, channel="paper")
    with pytest.raises(NotAllowed):
        surveys.record_survey(w.other_admin, w.agency, SERVICE, [4] * 9, channel="paper")
    with pytest.raises(NotAllowed):
        surveys.record_survey(None, w.agency, SERVICE, [4] * 9)
    with pytest.raises(Invalid):  # a paper form for a service delivered in the future
        surveys.record_survey(
            w.moderator, w.agency, SERVICE, [4] * 9, channel="paper", served_on=dt.date.today() + dt.timedelta(days=3)
        )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyResponse)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyTally)) == 0


def test_a_service_without_a_standard_is_recorded_apart(w):
    surveys.record_survey(w.citizen, w.agency, "Legalisir dokumen", [3] * 9)
    service = db.session.scalar(sa.select(Service).where(Service.name == "Legalisir dokumen"))
    assert service is not None and service.document_id is None
    card = cards.report_card(w.agency)
    names = [(c.service.name, c.covered) for c in card.services]
    assert names == [(SERVICE, True), ("Legalisir dokumen", False)]


def test_the_index_equals_the_regulations_formula_over_the_rows(w, make):
    rng = random.Random(7)
    now = utcnow()
    people = [make.user(verified=True) for _ in range(40)]
    answers = []
    for person in people:
        scores = [rng.choice((2, 3, 3, 4)) for _ in range(9)]
        answers.append(scores)
        surveys.record_survey(person, w.agency, SERVICE, scores, now=now)
    card = cards.report_card(w.agency, now)
    row = card.services[0]
    expected = ikm.compute_ikm(answers)
    assert row.ikm.responses == 40 and row.ikm.index == expected.index and row.ikm.grade == expected.grade
    assert row.trend[-1][1].index == expected.index and all(r.responses == 0 for _, r in row.trend[:-1])
    _tallies_match_rows(w.service.id)


def test_the_grade_boundaries_after_rounding():
    # 9 elements, one response: the index is 25 × mean; totals chosen to land on each side of B/A
    assert ikm.ikm_from_totals(1, [4] * 9).grade.letter == "A"
    assert ikm.grade("88.30").letter == "B" and ikm.grade("88.31").letter == "A"
    assert ikm.grade("76.60").letter == "C" and ikm.grade("76.61").letter == "B"
    assert ikm.grade("64.99").letter == "D" and ikm.grade("65.00").letter == "C"
    # 7 × 4 + 2 × 3 over 9 elements → 34 / 9 × 25 = 94.444… → 94.44
    assert str(ikm.ikm_from_totals(1, [4] * 7 + [3] * 2).index) == "94.44"
    with pytest.raises(ValueError):
        ikm.ikm_from_totals(2, [9] * 9)


def test_people_served_gives_the_minimum_sample(w):
    surveys.set_people_served(w.admin, w.service, 1200, "per triwulan")
    surveys.record_survey(w.citizen, w.agency, SERVICE, [4] * 9)
    row = cards.report_card(w.agency).services[0]
    assert row.sample == {"responses": 1, "population": 1200, "minimum_sample": 291, "below_minimum": True}
    with pytest.raises(NotAllowed):
        surveys.set_people_served(w.citizen, w.service, 10, None)
    with pytest.raises(Invalid):
        surveys.set_people_served(w.admin, w.service, -1, None)


def _complaint(w, n: int, now: dt.datetime, **values) -> Complaint:
    received = values.pop("received_at", now - dt.timedelta(days=n % 30))
    row = Complaint(
        tracking_number=f"ADU-T{n:07d}",
        secret_digest="x" * 64,
        agency_id=w.agency.id,
        service_id=values.pop("service_id", None) or w.service_id,
        what="Teks",
        received_at=received,
        due_at=received + dt.timedelta(days=14),
        first_due_at=received + dt.timedelta(days=14),
        created_at=received,
        **values,
    )
    db.session.add(row)
    return row


def test_complaint_figures_are_derived_from_the_times(w):
    now = utcnow()
    _complaint(w, 1, now, received_at=now - dt.timedelta(days=20))  # overdue
    _complaint(
        w,
        2,
        now,
        received_at=now - dt.timedelta(days=20),
        status="answered",
        answered_at=now - dt.timedelta(days=10),
        first_answered_at=now - dt.timedelta(days=10),
        answered_on_time=True,
    )
    _complaint(
        w,
        3,
        now,
        received_at=now - dt.timedelta(days=25),
        status="disputed",
        first_answered_at=now - dt.timedelta(days=20),
        answered_on_time=True,
        disputed_at=now - dt.timedelta(days=2),
        dispute_count=1,
    )  # disputed, answered once, due again in 12 days: not overdue
    _complaint(w, 4, now, received_at=now - dt.timedelta(days=1))  # fresh
    _complaint(w, 5, now, received_at=now - dt.timedelta(days=30), status="confirmed", confirmed_at=now)
    db.session.commit()
    db.session.execute(
        sa.update(Complaint)
        .where(Complaint.tracking_number == "ADU-T0000003")
        .values(due_at=now + dt.timedelta(days=12))
    )
    db.session.commit()
    row = cards.report_card(w.agency, now).services[0]
    assert row.complaints.as_dict() == {
        "received": 5,
        "answered": 2,
        "answered_on_time": 2,
        "overdue": 1,
        "disputed": 1,
    }


def test_the_report_card_runs_a_constant_number_of_queries(w, make, client):
    from consult.accounts.models import User
    from consult.agencies.models import Agency

    slug, agency_id, moderator_id = w.agency.slug, w.agency.id, w.moderator.id

    def queries() -> tuple[int, int]:
        with count_queries() as api:
            assert client.get(f"/api/v1/agencies/{slug}/report-card").status_code == 200
        with count_queries() as page:
            assert client.get(f"/instansi/{slug}/rapor").status_code == 200
        return len(api), len(page)

    now = utcnow()
    for n in range(5):
        _complaint(w, n, now)
    db.session.commit()
    few = queries()
    w.agency, moderator = db.session.get(Agency, agency_id), db.session.get(User, moderator_id)
    for n in range(5, 205):
        _complaint(w, n, now)
    for n in range(60):
        surveys.record_survey(moderator, w.agency, SERVICE if n % 2 else "Legalisir", [3] * 9, channel="paper")
    db.session.commit()
    many = queries()
    assert many == few and max(many) <= 8, (few, many)


def test_the_api_follows_the_contract(w, client):
    citizen, staff = _bearer(w.citizen), _bearer(w.moderator)
    slug = w.agency.slug
    r = client.post(f"/api/v1/agencies/{slug}/surveys", json={"service": SERVICE, "scores": [4] * 9}, headers=citizen)
    assert r.status_code == 201, r.json
    assert {"id", "service", "quarter", "channel"} <= set(r.json) and r.json["service"] == SERVICE
    r = client.post(f"/api/v1/agencies/{slug}/surveys", json={"service": SERVICE, "scores": [4] * 9}, headers=citizen)
    assert r.status_code == 409 and r.json["error"]["code"] == "conflict"
    r = client.post(f"/api/v1/agencies/{slug}/surveys", json={"service": SERVICE, "scores": [0] * 9}, headers=citizen)
    assert r.status_code == 422 and "U1" in r.json["error"]["message"]
    r = client.post(f"/api/v1/agencies/{slug}/surveys", json={"service": SERVICE, "scores": [4] * 9})
    assert r.status_code == 401
    body = {"service": SERVICE, "scores": [3] * 9, "channel": "paper"}
    assert client.post(f"/api/v1/agencies/{slug}/surveys", json=body, headers=citizen).status_code == 403
    for _ in range(2):
        assert client.post(f"/api/v1/agencies/{slug}/surveys", json=body, headers=staff).status_code == 201
    assert client.post("/api/v1/agencies/tidak-ada/surveys", json=body, headers=staff).status_code == 404
    card = client.get(f"/api/v1/agencies/{slug}/report-card")
    assert card.status_code == 200
    data = card.json
    assert data["commitments"] == w_commitments(w) and isinstance(data["services"], list)
    row = data["services"][0]
    assert row["service"] == SERVICE
    assert {"responses", "index", "grade"} <= set(row["ikm"])
    assert row["ikm"]["responses"] == 3
    assert row["ikm"]["index"] == float(ikm.compute_ikm([[4] * 9, [3] * 9, [3] * 9]).index)
    assert row["ikm"]["grade"] == "B"  # 83.33
    assert set(row["complaints"]) >= {"received", "answered", "answered_on_time", "overdue", "disputed"}
    assert "email" not in card.get_data(as_text=True)


def w_commitments(w) -> int:
    from consult.accountability.models import Commitment

    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Commitment)
        .where(Commitment.agency_id == w.agency.id, Commitment.state == "published")
    )


def test_the_report_card_and_survey_pages(w, client, auth):
    slug = w.agency.slug
    auth.login(w.citizen)
    form = client.get(f"/instansi/{slug}/survei")
    assert form.status_code == 200 and "U9" in form.get_data(as_text=True)
    data = {"service": SERVICE, **{f"U{n}": "3" for n in range(1, 10)}}
    missing = client.post(f"/instansi/{slug}/survei", data={**data, "U4": ""})
    assert missing.status_code == 422 and "U4" in missing.get_data(as_text=True)
    assert client.post(f"/instansi/{slug}/survei", data=data).status_code == 303
    again = client.post(f"/instansi/{slug}/survei", data=data)
    assert again.status_code == 409 and "triwulan" in again.get_data(as_text=True)
    auth.logout()
    assert client.get(f"/instansi/{slug}/survei").status_code in (302, 303)  # log in first
    page = client.get(f"/instansi/{slug}/rapor")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Rapor layanan" in html and SERVICE in html
    assert "<svg" in html and "<table" in html and "75,00" in html
    assert w.citizen.email not in html
