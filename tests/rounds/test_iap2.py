"""The round's IAP2 level of participation: chosen when scheduling (default "consult"), changed on the reschedule
page and by `flask rounds set-level` while the round is not closed (audited), shown with its promise on the
round page, and "iap2_level" in the API."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import sqlalchemy as sa

from consult.audit import AuditEntry
from consult.errors import Conflict, Invalid, NotAllowed
from consult.extensions import db
from consult.rounds.levels import set_iap2_level
from consult.rounds.models import Round
from consult.rounds.services import schedule_round
from consult.timeutil import utcnow

JAKARTA = dt.timedelta(hours=7)
FORM_TIME = "%Y-%m-%dT%H:%M"


def _future_local(days: int, hour: int = 9) -> dt.datetime:
    return (utcnow() + JAKARTA + dt.timedelta(days=days)).replace(hour=hour, minute=30, second=0, microsecond=0)


def checked_level(html: str) -> str | None:
    """The value of the checked radio of the level field."""
    for tag in re.findall(r"<input[^>]*>", html):
        if 'name="iap2_level"' in tag and " checked" in tag:
            return re.search(r'value="([^"]*)"', tag)[1]
    return None


def entries(action: str) -> list[AuditEntry]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)))


def test_a_round_promises_consult_unless_told_otherwise(make):
    rnd = make.round()
    assert rnd.iap2_level == "consult"
    assert entries("round.scheduled")[-1].data["iap2_level"] == "consult"


def test_scheduling_takes_a_level_and_refuses_an_unknown_one_naming_the_field(make):
    agency = make.agency()
    version = make.policy(agency).latest_published
    times = {"opens_at": utcnow() + dt.timedelta(days=1), "closes_at": utcnow() + dt.timedelta(days=9)}
    with pytest.raises(Invalid) as refused:
        schedule_round("test", version, title="Uji", iap2_level="decide", **times)
    assert set(refused.value.fields) == {"iap2_level"}
    rnd = schedule_round("test", version, title="Uji", iap2_level="involve", **times)
    assert db.session.get(Round, rnd.id).iap2_level == "involve"


def test_the_schedule_form_offers_every_level_with_its_promise_and_saves_the_choice(client, auth, make):
    agency = make.agency()
    auth.login(make.user("agency_admin", agency))
    document = make.policy(agency)
    url = f"/kelola/{agency.slug}/dokumen/{document.id}/putaran-baru"
    html = client.get(url).get_data(as_text=True)
    for level in ("inform", "consult", "involve", "collaborate", "empower"):
        assert f'value="{level}"' in html
    assert checked_level(html) == "consult" and "Kami akan melaksanakan apa yang Anda putuskan." in html
    data = {
        "title": "Konsultasi Parkir",
        "opens_at": _future_local(2).strftime(FORM_TIME),
        "closes_at": _future_local(30).strftime(FORM_TIME),
    }
    bad = client.post(url, data={**data, "iap2_level": "vote"})
    assert bad.status_code == 422 and "Pilih salah satu tingkat partisipasi." in bad.get_data(as_text=True)
    assert client.post(url, data={**data, "iap2_level": "collaborate"}).status_code == 303
    assert db.session.scalar(sa.select(Round.iap2_level)) == "collaborate"


def test_the_reschedule_form_changes_the_level_and_the_audit_says_from_what(client, auth, make):
    agency = make.agency()
    admin = make.user("agency_admin", agency)
    rnd = make.round(agency, state="open")
    auth.login(admin)
    url = f"/kelola/{agency.slug}/putaran/{rnd.id}/jadwal"
    page = client.get(url).get_data(as_text=True)
    assert checked_level(page) == "consult"
    closes = (rnd.closes_at + JAKARTA).strftime(FORM_TIME)
    answer = client.post(
        url,
        data={"opens_at": (rnd.opens_at + JAKARTA).strftime(FORM_TIME), "closes_at": closes, "iap2_level": "inform"},
    )
    assert answer.status_code == 303
    assert db.session.get(Round, rnd.id).iap2_level == "inform"
    (entry,) = entries("round.iap2_level_changed")
    assert entry.actor == f"user:{admin.id}" and entry.data == {"before": "consult", "iap2_level": "inform"}
    assert entries("round.rescheduled") == []  # the times did not change


def test_only_agency_admins_change_the_level_and_never_of_a_closed_round(make):
    agency = make.agency()
    rnd = make.round(agency, state="open")
    with pytest.raises(NotAllowed):
        set_iap2_level(make.user("moderator", agency), rnd, "empower")
    set_iap2_level("cli", rnd, "consult")  # the same level: nothing to record
    assert entries("round.iap2_level_changed") == []
    closed = make.round(agency, state="closed")
    with pytest.raises(Conflict):
        set_iap2_level(make.user("agency_admin", agency), closed, "empower")
    with pytest.raises(Invalid) as refused:
        set_iap2_level("cli", rnd, "vote")
    assert set(refused.value.fields) == {"iap2_level"}
    assert db.session.get(Round, closed.id).iap2_level == "consult"


def test_the_cli_sets_the_level_and_lists_it(runner, make):
    rnd = make.round(state="scheduled")
    result = runner.invoke(args=["rounds", "set-level", str(rnd.id), "empower"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"id": rnd.id, "iap2_level": "empower"}
    assert entries("round.iap2_level_changed")[-1].actor == "cli"
    listed = runner.invoke(args=["rounds", "list"])
    assert json.loads(listed.stdout.strip().splitlines()[-1])[0]["iap2_level"] == "empower"
    assert runner.invoke(args=["rounds", "set-level", str(rnd.id), "vote"]).exit_code != 0


def test_the_round_page_shows_the_level_and_its_promise_near_the_top(client, make):
    rnd = make.round(state="open")
    set_iap2_level("cli", rnd, "involve")
    html = client.get(f"/rounds/{rnd.id}").get_data(as_text=True)
    promise = html.index('class="iap2-promise"')
    assert promise < html.index('id="diskusi"')
    line = html[promise : html.index("</p>", promise)]
    assert "Tingkat partisipasi: Melibatkan" in line and "Kami akan bekerja bersama Anda" in line


def test_the_api_gives_the_level_on_the_round_and_in_the_list(client, make):
    rnd = make.round(state="open")
    set_iap2_level("cli", rnd, "collaborate")
    assert client.get(f"/api/v1/rounds/{rnd.id}").get_json()["iap2_level"] == "collaborate"
    items = client.get("/api/v1/rounds").get_json()["items"]
    assert [(r["id"], r["iap2_level"]) for r in items] == [(rnd.id, "collaborate")]
