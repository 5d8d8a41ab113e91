"""Rounds: state from times (Python and SQL agree), the public pages, scheduling and rescheduling."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from markupsafe import escape

from consult.audit import AuditEntry
from consult.documents.models import DocumentKind
from consult.documents.services import create_document
from consult.errors import Conflict, Invalid, NotAllowed
from consult.extensions import db, write_transaction
from consult.rounds import services
from consult.rounds.models import Round, RoundOrigin, RoundState
from consult.timeutil import utcnow
from tests.conftest import needs_postgres_server, shared_file

JAKARTA = dt.timedelta(hours=7)  # Asia/Jakarta is UTC+7 all year
FORM_TIME = "%Y-%m-%dT%H:%M"


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)))


def _place(rnd: Round, opens_at: dt.datetime, closes_at: dt.datetime, closed_at: dt.datetime | None = None):
    """Put a round at fixed times (the services refuse past times, so write them directly)."""
    with write_transaction():
        r = db.session.get(Round, rnd.id)
        r.opens_at, r.closes_at, r.closed_at = opens_at, closes_at, closed_at
    return db.session.get(Round, rnd.id)


# --- state derived from times ------------------------------------------------------------------------------


def test_state_is_derived_from_times_in_python_and_in_sql_alike(make):
    agency = make.agency()
    document = make.policy(agency)
    t0 = dt.datetime(2031, 3, 1, 2, 0, 0)
    plain = _place(make.round(agency, document=document), t0, t0 + dt.timedelta(days=10))
    # Closed early by a moderator on day 4 (closed_at before closes_at).
    early = _place(
        make.round(agency, document=document), t0, t0 + dt.timedelta(days=10), closed_at=t0 + dt.timedelta(days=4)
    )
    # A closure stamp after the planned close changes nothing.
    late = _place(
        make.round(agency, document=document),
        t0 + dt.timedelta(days=1),
        t0 + dt.timedelta(days=2),
        closed_at=t0 + dt.timedelta(days=3),
    )
    rounds = [plain, early, late]
    us = dt.timedelta(microseconds=1)
    expected = {
        t0 - dt.timedelta(days=1): ("scheduled", "scheduled", "scheduled"),
        t0 - us: ("scheduled", "scheduled", "scheduled"),
        t0: ("open", "open", "scheduled"),  # opens_at == now: open
        t0 + dt.timedelta(days=1): ("open", "open", "open"),
        t0 + dt.timedelta(days=2) - us: ("open", "open", "open"),
        t0 + dt.timedelta(days=2): ("open", "open", "closed"),  # closes_at == now: closed
        t0 + dt.timedelta(days=4) - us: ("open", "open", "closed"),
        t0 + dt.timedelta(days=4): ("open", "closed", "closed"),  # closed_at == now: closed
        t0 + dt.timedelta(days=10) - us: ("open", "closed", "closed"),
        t0 + dt.timedelta(days=10): ("closed", "closed", "closed"),
        t0 + dt.timedelta(days=400): ("closed", "closed", "closed"),
    }
    predicates = {"scheduled": "is_scheduled_at", "open": "is_open_at", "closed": "is_closed_at"}
    for now, states in expected.items():
        assert tuple(r.state_at(now).value for r in rounds) == states, now
        for state, predicate in predicates.items():
            in_sql = set(db.session.scalars(sa.select(Round.id).where(getattr(Round, predicate)(now))))
            assert in_sql == {r.id for r, s in zip(rounds, states, strict=True) if s == state}, (now, state)
            # The hybrid methods give the same answer on an instance.
            assert [getattr(r, predicate)(now) for r in rounds] == [s == state for s in states]


def test_state_property_uses_the_current_time(make):
    agency = make.agency()
    assert make.round(agency, state="scheduled").state is RoundState.SCHEDULED
    assert make.round(agency, state="open").state is RoundState.OPEN
    assert make.round(agency, state="closed").state is RoundState.CLOSED


def test_home_rounds_groups_open_upcoming_and_closed(make):
    agency = make.agency()
    document = make.policy(agency)
    now = utcnow()
    day = dt.timedelta(days=1)
    open_late = _place(make.round(agency, document=document), now - 5 * day, now + 20 * day)
    open_soon = _place(make.round(agency, document=document), now - 5 * day, now + 2 * day)
    upcoming_far = _place(make.round(agency, document=document), now + 9 * day, now + 30 * day)
    upcoming_near = _place(make.round(agency, document=document), now + 3 * day, now + 30 * day)
    closed_old = _place(make.round(agency, document=document), now - 90 * day, now - 60 * day)
    closed_new = _place(make.round(agency, document=document), now - 30 * day, now - 2 * day)
    closed_early = _place(make.round(agency, document=document), now - 9 * day, now + 9 * day, closed_at=now - day)

    groups = services.home_rounds()

    assert [r.id for r in groups["open"]] == [open_soon.id, open_late.id]  # closing soonest first
    assert [r.id for r in groups["scheduled"]] == [upcoming_near.id, upcoming_far.id]  # opening soonest first
    assert {r.id for r in groups["closed"]} == {closed_old.id, closed_new.id, closed_early.id}
    assert [r.id for r in groups["closed"]][-1] == closed_old.id
    assert all(r.state is RoundState.CLOSED for r in groups["closed"])
    assert len(services.home_rounds(limit=1)["open"]) == 1


# --- public pages --------------------------------------------------------------------------------------------


def test_round_page_shows_every_section_title_of_the_real_draft(client, make):
    agency = make.agency()
    text = shared_file("documents", "us-omb-draft-federal-source-code-policy-2016.txt").read_text("utf-8")
    document = make.policy(agency, markdown=text, title="Federal Source Code Policy")
    rnd = make.round(agency, document=document)
    response = client.get(f"/rounds/{rnd.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    sections = document.latest_published.sections
    assert len(sections) > 10  # its eleven headings of level 1-2 (the default split) and its preamble
    for section in sections:
        assert f'id="{section.key}"' in html
        assert f">{escape(section.title)}</h2>" in html, section.title
    assert html.index('id="1-objectives"') < html.index('id="appendix-a-definitions"')


def test_service_standard_round_page_lists_the_14_components(client, make):
    agency = make.agency()
    rnd = make.round(agency, document=make.standard(agency))
    html = client.get(f"/rounds/{rnd.id}").get_data(as_text=True)
    for section in rnd.version.sections:
        assert f">{escape(section.title)}</h2>" in html


@pytest.mark.parametrize("path", ["/rounds/987654", "/rounds/0", "/rounds/abc", "/rounds/-1"])
def test_unknown_round_is_a_404_page(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Halaman tidak ditemukan" in response.get_data(as_text=True)


# --- scheduling (service) ------------------------------------------------------------------------------------


@pytest.fixture
def request_ctx(app):
    """Service errors carry lazily translated messages that (see consult/i18n.py) need a request to render."""
    with app.test_request_context():
        yield


def test_schedule_round_validates_and_audits(make, request_ctx):
    agency = make.agency()
    document = make.policy(agency)
    version = document.latest_published
    now = utcnow()
    cases = [
        ({"opens_at": None, "closes_at": None}, {"opens_at", "closes_at"}),
        ({"opens_at": now + dt.timedelta(days=2), "closes_at": now + dt.timedelta(days=1)}, {"closes_at"}),
        ({"opens_at": now - dt.timedelta(days=5), "closes_at": now - dt.timedelta(days=1)}, {"opens_at", "closes_at"}),
        ({"opens_at": now, "closes_at": now + dt.timedelta(days=400)}, {"closes_at"}),
    ]
    for times, fields in cases:
        with pytest.raises(Invalid) as info:
            services.schedule_round("test", version, title="Putaran", **times)
        assert set(info.value.fields) == fields
    assert _count(Round) == 0 and _audit("round.scheduled") == []

    with pytest.raises(NotAllowed):
        services.schedule_round(
            make.user("moderator", agency), version, title="x", opens_at=now, closes_at=now + dt.timedelta(days=1)
        )
    draft = create_document("test", agency, DocumentKind.POLICY, "Draf", "", markdown="## A\n\nb")
    with pytest.raises(Conflict):
        services.schedule_round(
            "test", draft.latest_version, title="x", opens_at=now, closes_at=now + dt.timedelta(days=1)
        )

    rnd = services.schedule_round(
        "test",
        version,
        title="  ",
        opens_at=now + dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=14),
        verified_only=True,
    )
    assert rnd.title == document.title and rnd.verified_only and rnd.state is RoundState.SCHEDULED
    [entry] = _audit("round.scheduled")
    assert entry.subject_id == str(rnd.id)
    assert entry.data["closes_at"] == (now + dt.timedelta(days=14)).isoformat() + "+00:00"
    assert entry.data["verified_only"] is True


def test_reschedule_round_rules(make, request_ctx):
    agency = make.agency()
    scheduled = make.round(agency, state="scheduled")
    opened = make.round(agency, state="open")
    now = utcnow()

    moved = services.reschedule_round(
        "cli", scheduled, opens_at=now + dt.timedelta(days=3), closes_at=now + dt.timedelta(days=9)
    )
    assert moved.opens_at == now + dt.timedelta(days=3) and moved.closes_at == now + dt.timedelta(days=9)
    entry = _audit("round.rescheduled")[-1]
    assert entry.actor == "cli" and entry.data["opens_at"] == (now + dt.timedelta(days=3)).isoformat() + "+00:00"
    assert entry.data["before"]["opens_at"] != entry.data["opens_at"]

    opens_before = opened.opens_at
    with pytest.raises(Invalid) as info:
        services.reschedule_round("cli", opened, opens_at=now - dt.timedelta(days=20))
    assert set(info.value.fields) == {"opens_at"}
    with pytest.raises(Invalid) as info:
        services.reschedule_round("cli", opened, closes_at=now - dt.timedelta(minutes=1))
    assert set(info.value.fields) == {"closes_at"}
    extended = services.reschedule_round("cli", opened, closes_at=now + dt.timedelta(days=60))
    assert extended.opens_at == opens_before and extended.closes_at == now + dt.timedelta(days=60)
    with pytest.raises(NotAllowed):
        services.reschedule_round(
            make.user("agency_admin", make.agency()), opened, closes_at=now + dt.timedelta(days=61)
        )


# --- scheduling and rescheduling through the agency workspace ------------------------------------------------


@pytest.fixture
def admin_client(client, auth, make):
    agency = make.agency()
    client.post("/bahasa", data={"lang": "en", "next": "/"})
    auth.login(make.user("agency_admin", agency))
    client.agency = agency
    return client


def _local(value: dt.datetime) -> str:
    return value.strftime(FORM_TIME)


def _future_local(days: int, hour: int = 9) -> dt.datetime:
    """A whole-minute local (Jakarta) time `days` from now."""
    return (utcnow() + JAKARTA + dt.timedelta(days=days)).replace(hour=hour, minute=30, second=0, microsecond=0)


def test_agency_admin_schedules_a_round_in_local_time(admin_client, make):
    agency = admin_client.agency
    document = make.policy(agency, title="Rancangan Perda Parkir")
    url = f"/kelola/{agency.slug}/dokumen/{document.id}/putaran-baru"
    page = admin_client.get(url)
    assert page.status_code == 200 and 'value="Rancangan Perda Parkir"' in page.get_data(as_text=True)

    opens, closes = _future_local(2, hour=3), _future_local(30, hour=23)
    response = admin_client.post(
        url,
        data={
            "title": "Konsultasi Parkir",
            "opens_at": _local(opens),
            "closes_at": _local(closes),
            "verified_only": "y",
        },
    )
    assert response.status_code == 303
    rnd = db.session.scalar(sa.select(Round))
    assert response.headers["Location"].endswith(f"/rounds/{rnd.id}")
    assert rnd.opens_at == opens - JAKARTA and rnd.closes_at == closes - JAKARTA  # stored as naive UTC
    assert rnd.title == "Konsultasi Parkir" and rnd.verified_only and rnd.version_id == document.versions[0].id
    assert rnd.state is RoundState.SCHEDULED
    assert len(_audit("round.scheduled")) == 1
    html = admin_client.get(f"/rounds/{rnd.id}").get_data(as_text=True)
    # Shown back in local time, e.g. "Nov 25, 2026, 3:30 AM WIB".
    assert re.search(rf"{opens:%b} {opens.day}, {opens.year}, 3:30\s?AM WIB", html)


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [
        (5, 4, "The round must close after it opens."),
        (None, 4, "Enter when the round opens."),
        (5, None, "Enter when the round closes."),
        (-10, -3, "The closing time is already past."),
        ("garbage", 4, "Enter when the round opens."),
    ],
)
def test_schedule_form_errors_save_nothing(admin_client, make, opens, closes, message):
    agency = admin_client.agency
    document = make.policy(agency)
    audit_before = _count(AuditEntry)

    def value(days):
        return "" if days is None else days if isinstance(days, str) else _local(_future_local(days))

    response = admin_client.post(
        f"/kelola/{agency.slug}/dokumen/{document.id}/putaran-baru",
        data={"title": "Putaran", "opens_at": value(opens), "closes_at": value(closes)},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert 'value="Putaran"' in html  # what was typed stays in the form
    assert _count(Round) == 0 and _count(AuditEntry) == audit_before


def test_a_round_needs_a_published_version(admin_client, make):
    agency = admin_client.agency
    document = make.policy(agency, publish=False)
    response = admin_client.post(
        f"/kelola/{agency.slug}/dokumen/{document.id}/putaran-baru",
        data={"opens_at": _local(_future_local(1)), "closes_at": _local(_future_local(9))},
    )
    assert response.status_code == 303 and _count(Round) == 0


def test_reschedule_a_scheduled_round(admin_client, make):
    agency = admin_client.agency
    rnd = make.round(agency, state="scheduled")
    url = f"/kelola/{agency.slug}/putaran/{rnd.id}/jadwal"
    assert admin_client.get(url).status_code == 200
    opens, closes = _future_local(4), _future_local(40)
    response = admin_client.post(url, data={"opens_at": _local(opens), "closes_at": _local(closes)})
    assert response.status_code == 303
    db.session.expire_all()
    rnd = db.session.get(Round, rnd.id)
    assert (rnd.opens_at, rnd.closes_at) == (opens - JAKARTA, closes - JAKARTA)
    assert _audit("round.rescheduled")[-1].actor.startswith("user:")

    response = admin_client.post(url, data={"opens_at": _local(opens), "closes_at": _local(_future_local(1))})
    assert response.status_code == 422
    assert "The round must close after it opens." in response.get_data(as_text=True)


def test_an_opened_round_keeps_its_opening_time(admin_client, make):
    agency = admin_client.agency
    rnd = make.round(agency, state="open")  # opened ten days ago, at a time with seconds
    opened_at = rnd.opens_at
    url = f"/kelola/{agency.slug}/putaran/{rnd.id}/jadwal"
    page = admin_client.get(url).get_data(as_text=True)
    shown_opens = re.search(r'name="opens_at"[^>]*value="([^"]+)"', page).group(1)
    assert shown_opens == _local(opened_at + JAKARTA)

    moved = _local(opened_at + JAKARTA - dt.timedelta(days=1))
    response = admin_client.post(url, data={"opens_at": moved, "closes_at": _local(_future_local(50))})
    assert response.status_code == 422
    assert "its opening time cannot change" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Round, rnd.id).opens_at == opened_at

    # Sending the form back as shown, with only a later closing time, extends the round.
    closes = _future_local(50)
    response = admin_client.post(url, data={"opens_at": shown_opens, "closes_at": _local(closes)})
    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.expire_all()
    rnd = db.session.get(Round, rnd.id)
    assert rnd.opens_at == opened_at and rnd.closes_at == closes - JAKARTA


def test_other_agencies_cannot_schedule_or_reschedule(client, auth, make):
    agency = make.agency()
    document = make.policy(agency)
    rnd = make.round(agency, document=document, state="scheduled")
    auth.login(make.user("agency_admin", make.agency()))
    assert client.get(f"/kelola/{agency.slug}/dokumen/{document.id}/putaran-baru").status_code == 403
    assert (
        client.post(
            f"/kelola/{agency.slug}/putaran/{rnd.id}/jadwal", data={"closes_at": _local(_future_local(60))}
        ).status_code
        == 403
    )
    assert _count(Round) == 1 and _audit("round.rescheduled") == []


# --- no backdating: a live round opens now or later; demo and imported rounds keep their dates ------------------


def test_a_new_round_cannot_open_in_the_past(make, request_ctx):
    """Scheduled on 2 December with "opens 1 November", a round would say "Dibuka 1 Nov" as a fact."""
    version = make.policy(make.agency()).latest_published
    now = utcnow()
    with pytest.raises(Invalid) as info:
        services.schedule_round(
            "test", version, title="Mundur", opens_at=now - dt.timedelta(days=31), closes_at=now + dt.timedelta(days=9)
        )
    assert set(info.value.fields) == {"opens_at"}
    with pytest.raises(Invalid):
        services.schedule_round(
            "test",
            version,
            title="Mundur",
            opens_at=now - dt.timedelta(minutes=6),
            closes_at=now + dt.timedelta(days=9),
        )
    assert _count(Round) == 0 and _audit("round.scheduled") == []
    # a few minutes of grace, between loading the form and sending it
    rnd = services.schedule_round(
        "test", version, title="Sekarang", opens_at=now - dt.timedelta(minutes=3), closes_at=now + dt.timedelta(days=9)
    )
    assert rnd.state is RoundState.OPEN and rnd.origin == RoundOrigin.LIVE


def test_a_round_not_yet_open_cannot_be_moved_to_open_in_the_past(make, request_ctx):
    rnd = make.round(state="scheduled")
    before = (rnd.opens_at, rnd.closes_at)
    with pytest.raises(Invalid) as info:
        services.reschedule_round("cli", rnd, opens_at=utcnow() - dt.timedelta(days=3))
    assert set(info.value.fields) == {"opens_at"}
    db.session.expire_all()
    assert (db.session.get(Round, rnd.id).opens_at, db.session.get(Round, rnd.id).closes_at) == before
    assert _audit("round.rescheduled") == []
    moved = services.reschedule_round("cli", rnd, opens_at=utcnow() - dt.timedelta(minutes=1))
    assert moved.state is RoundState.OPEN  # "open it now" is fine


def test_the_schedule_form_refuses_a_past_opening_and_saves_nothing(admin_client, make):
    agency = admin_client.agency
    document = make.policy(agency)
    response = admin_client.post(
        f"/kelola/{agency.slug}/dokumen/{document.id}/putaran-baru",
        data={"title": "Mundur", "opens_at": _local(_future_local(-31)), "closes_at": _local(_future_local(9))},
    )
    assert response.status_code == 422
    assert "The opening time is already past." in response.get_data(as_text=True)
    assert _count(Round) == 0


def test_the_reschedule_form_refuses_a_past_opening(admin_client, make):
    agency = admin_client.agency
    rnd = make.round(agency, state="scheduled")
    url = f"/kelola/{agency.slug}/putaran/{rnd.id}/jadwal"
    response = admin_client.post(
        url, data={"opens_at": _local(_future_local(-5)), "closes_at": _local(_future_local(9))}
    )
    assert response.status_code == 422
    assert "The opening time is already past." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Round, rnd.id).opens_at == rnd.opens_at


def test_rounds_set_times_refuses_a_past_opening(runner, make):
    rnd = make.round(state="scheduled")
    past = (utcnow() - dt.timedelta(days=30)).replace(microsecond=0).isoformat() + "Z"
    result = runner.invoke(args=["rounds", "set-times", str(rnd.id), "--opens", past])
    assert result.exit_code == 1 and "opens_at" in result.output
    db.session.expire_all()
    assert db.session.get(Round, rnd.id).opens_at == rnd.opens_at


def test_the_round_page_says_when_the_round_really_opened(client, make):
    from consult.rounds.jobs import open_rounds

    rnd = make.round(state="scheduled")
    with write_transaction():  # a round whose opening time was written a month back (before this rule existed)
        db.session.get(Round, rnd.id).opens_at = utcnow() - dt.timedelta(days=30)
    client.post("/bahasa", data={"lang": "en", "next": "/"})
    backdated = db.session.get(Round, rnd.id).opens_at
    html = client.get(f"/rounds/{rnd.id}").get_data(as_text=True)
    assert "Scheduled to open" in html  # not opened as far as the scheduler knows: no claim that it was open

    assert open_rounds(utcnow()) == 1
    rnd = db.session.get(Round, rnd.id)
    assert rnd.opened_at is not None and rnd.opened_at - utcnow() < dt.timedelta(minutes=1)
    html = client.get(f"/rounds/{rnd.id}").get_data(as_text=True)
    times = re.search(r'<dl class="times">(.*?)</dl>', html, re.S).group(1)
    opened = rnd.opened_at + JAKARTA
    assert "Opened" in times and re.search(rf"{opened:%b} {opened.day}, {opened.year}", times)
    claimed = backdated + JAKARTA
    assert not re.search(rf"{claimed:%b} {claimed.day}, {claimed.year}", times)
    assert client.get(f"/api/v1/rounds/{rnd.id}").get_json()["opened_at"].startswith(f"{rnd.opened_at:%Y-%m-%d}")


def test_demo_rounds_keep_their_dates_and_say_they_are_sample_data(client, runner):
    from consult.demo import load_demo

    load_demo(sample_participation=False)
    rounds = list(db.session.scalars(sa.select(Round).order_by(Round.opens_at)))
    assert {r.origin for r in rounds} == {RoundOrigin.DEMO}
    closed, opened = rounds[0], rounds[1]
    assert closed.state is RoundState.CLOSED and opened.state is RoundState.OPEN  # dates in the past, as written
    assert [e.data.get("origin") for e in _audit("round.scheduled")] == ["demo"] * 3
    for rnd in (closed, opened):
        html = client.get(f"/rounds/{rnd.id}").get_data(as_text=True)
        assert "data contoh" in html
        shown = rnd.opens_at + JAKARTA
        times = re.search(r'<dl class="times">(.*?)</dl>', html, re.S).group(1)
        assert f"{shown.day} " in times and "data contoh" in times
    assert "data contoh" in client.get("/").get_data(as_text=True)


def test_an_imported_round_keeps_its_past_dates_and_says_so(client, make, request_ctx):
    version = make.policy(make.agency()).latest_published
    now = utcnow()
    rnd = services.schedule_round(
        "import",
        version,
        title="Dari Polis",
        opens_at=now - dt.timedelta(days=400),
        closes_at=now - dt.timedelta(days=300),
        origin=RoundOrigin.IMPORTED,
    )
    assert rnd.state is RoundState.CLOSED and _audit("round.scheduled")[-1].data["origin"] == "imported"
    assert "diimpor" in client.get(f"/rounds/{rnd.id}").get_data(as_text=True)


def test_a_live_round_is_not_marked(client, make):
    rnd = make.round()
    html = client.get(f"/rounds/{rnd.id}").get_data(as_text=True)
    assert "data contoh" not in html and "diimpor" not in html and "badge-origin" not in html


def _migrate_down_and_up_with_the_demo(url: str) -> list[tuple]:
    from flask_migrate import downgrade, upgrade

    from consult import create_app
    from consult.config import TestConfig
    from consult.demo import load_demo
    from consult.scheduler.jobs import run_due_jobs
    from tests.conftest import _reset_schema

    _reset_schema(url)
    other = create_app(
        {**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}, "SQLALCHEMY_DATABASE_URI": url}
    )
    with other.app_context():
        try:
            upgrade()
            load_demo(sample_participation=False)
            run_due_jobs()
            db.session.remove()
            downgrade(revision="0006_hot_path_counters")
            upgrade()
            return db.session.execute(
                sa.text("SELECT origin, opened_at IS NOT NULL FROM rounds ORDER BY opens_at")
            ).all()
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgresql", marks=needs_postgres_server)])
def test_migration_0008_marks_earlier_demo_rounds_and_fills_the_opening_from_the_scheduler(tmp_path, database):
    import os

    url = os.environ["TEST_POSTGRES_URL"] if database == "postgresql" else f"sqlite:///{tmp_path / 'm.db'}"
    rows = _migrate_down_and_up_with_the_demo(url)
    # closed two months ago, open for two days (both opened), upcoming; all three the demo's, as the audit says
    assert [tuple(r) for r in rows] == [("demo", True), ("demo", True), ("demo", False)]
