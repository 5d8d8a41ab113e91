"""The `flask` commands of CONTRACT.md: seed demo, rounds list / set-times, audit verify."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from consult import demo_charter
from consult.agencies.models import Agency
from consult.audit import AuditEntry
from consult.demo import ACCOUNTS, DEMO_PASSWORD, SAMPLE_CITIZENS
from consult.demo_content import AGENCY, CLOSED_ROUND
from consult.extensions import db
from consult.rounds.models import Round
from consult.timeutil import utcnow

JAKARTA = dt.timedelta(hours=7)


def run(runner, *args, ok: bool = True):
    result = runner.invoke(args=list(args))
    if ok:
        assert result.exit_code == 0, (result.output, result.exception)
    db.session.rollback()  # see what the command committed
    return result


def last_json(result):
    return json.loads(result.stdout.strip().splitlines()[-1])


def row_counts() -> dict[str, int]:
    db.session.rollback()
    return {t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def message(text: str) -> str:
    """A service message as the commands print it (in the site's default language)."""
    with force_locale("id"):
        return gettext(text)


def test_seed_demo_creates_rounds_in_every_state_and_prints_the_accounts(runner):
    result = run(runner, "seed", "demo")
    for _label, email, *_ in ACCOUNTS:
        assert email in result.stdout
    assert DEMO_PASSWORD in result.stdout
    assert db.session.scalar(sa.select(Agency).where(Agency.slug == AGENCY["slug"])) is not None
    now = utcnow()
    states = sorted(r.state_at(now).value for r in db.session.scalars(sa.select(Round)))
    assert states == ["closed", "closed", "open", "scheduled"]  # a closed policy and a closed, adopted standard
    open_round = db.session.scalar(sa.select(Round).where(Round.is_open_at(now)))
    assert open_round.document.kind == "service_standard" and len(open_round.version.sections) == 14


def test_seed_demo_is_idempotent(runner):
    run(runner, "seed", "demo")
    before = row_counts()
    # one placeholder account per comment entered for a citizen at a counter, on paper, by phone or at a forum
    assisted = sum(item["channel"] != "web" for item in CLOSED_ROUND["statements"])
    assert before["rounds"] == 4 and before["users"] == len(ACCOUNTS) + len(SAMPLE_CITIZENS) + assisted
    closed = len(CLOSED_ROUND["statements"]) + len(CLOSED_ROUND["campaign"]["copies"])
    adopted = len(demo_charter.COMMENTS)
    assert before["audit_entries"] > 0 and before["comments"] == 20 + closed + adopted
    assert before["comment_votes"] > 300 and before["complaints"] == 4 and before["survey_responses"] >= 30
    result = run(runner, "seed", "demo")
    assert row_counts() == before
    assert ACCOUNTS[0][1] in result.stdout  # the accounts are printed again


def test_seed_demo_if_empty_skips_a_database_with_data(runner, make):
    make.agency(slug="dinas-lain")
    before = row_counts()
    result = run(runner, "seed", "demo", "--if-empty")
    assert "already has data" in result.stdout
    assert row_counts() == before
    assert db.session.scalar(sa.select(Agency.id).where(Agency.slug == AGENCY["slug"])) is None


def test_seed_demo_if_empty_loads_an_empty_database(runner):
    run(runner, "seed", "demo", "--if-empty")
    assert row_counts()["rounds"] == 4


def test_rounds_list_prints_a_json_array_last(runner, make):
    assert last_json(run(runner, "rounds", "list")) == []
    agency = make.agency()
    rounds = [make.round(agency, state=s) for s in ("open", "scheduled", "closed")]
    items = last_json(run(runner, "rounds", "list"))
    assert [i["id"] for i in items] == [r.id for r in rounds]
    for item, rnd in zip(items, rounds, strict=True):
        assert set(item) >= {"id", "title", "state", "opens_at", "closes_at", "agency"}
        assert item["title"] == rnd.title and item["agency"] == agency.slug
        assert dt.datetime.fromisoformat(item["opens_at"]) == rnd.opens_at.replace(tzinfo=dt.UTC)
        assert dt.datetime.fromisoformat(item["closes_at"]) == rnd.closes_at.replace(tzinfo=dt.UTC)
    assert [i["state"] for i in items] == ["open", "scheduled", "closed"]


def test_rounds_set_times_reschedules_and_is_audited(runner, make):
    rnd = make.round(state="scheduled")
    local_opens = (utcnow() + JAKARTA + dt.timedelta(days=3)).replace(hour=8, minute=0, second=0, microsecond=0)
    closes_utc = (utcnow() + dt.timedelta(days=20)).replace(microsecond=0)
    result = run(
        runner,
        "rounds",
        "set-times",
        str(rnd.id),
        "--opens",
        local_opens.isoformat(),
        "--closes",
        closes_utc.isoformat() + "Z",
    )
    db.session.expire_all()
    rnd = db.session.get(Round, rnd.id)
    assert rnd.opens_at == local_opens - JAKARTA  # no offset: the agency's local time
    assert rnd.closes_at == closes_utc
    printed = last_json(result)
    assert printed["id"] == rnd.id and printed["state"] == "scheduled"
    assert dt.datetime.fromisoformat(printed["closes_at"]) == closes_utc.replace(tzinfo=dt.UTC)
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "round.rescheduled")).one()
    assert entry.actor == "cli" and entry.subject_id == str(rnd.id)
    assert entry.data["closes_at"] == closes_utc.isoformat() + "+00:00"

    later = (utcnow() + dt.timedelta(days=40)).replace(microsecond=0)
    run(
        runner,
        "rounds",
        "set-times",
        str(rnd.id),
        "--closes",
        later.replace(tzinfo=dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=9))).isoformat(),
    )
    db.session.expire_all()
    assert db.session.get(Round, rnd.id).closes_at == later  # an explicit offset is honoured


@pytest.mark.parametrize("value", ["tomorrow", "2031-13-01T00:00", "31/12/2031", ""])
def test_rounds_set_times_refuses_a_bad_time(runner, make, value):
    rnd = make.round(state="scheduled")
    closes_before = rnd.closes_at
    result = run(runner, "rounds", "set-times", str(rnd.id), "--closes", value, ok=False)
    assert result.exit_code != 0
    assert "--closes" in result.output or "--opens" in result.output
    assert db.session.get(Round, rnd.id).closes_at == closes_before


def test_rounds_set_times_on_an_unknown_round_fails(runner):
    result = run(runner, "rounds", "set-times", "987654", "--closes", "2031-01-01T00:00", ok=False)
    assert result.exit_code == 1
    assert "987654" in result.output


def test_rounds_set_times_refuses_a_closing_time_in_the_past(runner, make):
    rnd = make.round(state="open")
    closes_before = rnd.closes_at
    past = (utcnow() - dt.timedelta(hours=1)).isoformat() + "Z"
    result = run(runner, "rounds", "set-times", str(rnd.id), "--closes", past, ok=False)
    assert result.exit_code == 1
    assert "closes_at" in result.output and message("The closing time is already past.") in result.output
    assert db.session.get(Round, rnd.id).closes_at == closes_before
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == "round.rescheduled")
        )
        == 0
    )


def test_rounds_set_times_keeps_the_opening_time_of_an_opened_round(runner, make):
    rnd = make.round(state="open")
    result = run(runner, "rounds", "set-times", str(rnd.id), "--opens", utcnow().isoformat() + "Z", ok=False)
    assert result.exit_code == 1
    assert message("The round has already opened; its opening time cannot change.") in result.output


def test_audit_verify_after_seeding(runner):
    run(runner, "seed", "demo")
    result = run(runner, "audit", "verify")
    match = re.fullmatch(r"OK (\d+) ([0-9a-f]{64})", result.stdout.strip().splitlines()[-1])
    assert match, result.stdout
    last = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert int(match.group(1)) == last.seq == row_counts()["audit_entries"]
    assert match.group(2) == last.hash
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"agency.created", "version.published", "round.scheduled"} <= actions
