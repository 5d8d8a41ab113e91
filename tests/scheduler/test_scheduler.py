"""The scheduler: each job records its event once and queues each e-mail once, even with two schedulers ticking
at the same moment (separate processes, SQLite and PostgreSQL); a round closes at its time with no request made
(the real `flask scheduler run` process); `make run`'s in-process thread starts only where it should."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from consult.audit import AuditEntry
from consult.extensions import db, write_transaction
from consult.notifications import services as notifications
from consult.notifications.models import OutboxMessage, OutboxStatus
from consult.participation import services as participation
from consult.rounds import jobs as round_jobs
from consult.rounds.models import Round, RoundEvent
from consult.scheduler import jobs, runner
from consult.timeutil import utcnow
from tests.conftest import TestConfig, database_url, needs_postgres_server, postgres_variant
from tests.mailserver import SmtpServer, smtp  # noqa: F401 - the fixture
from tests.processes import run_workers

ROOT = Path(__file__).resolve().parents[2]


def _actions(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)))


def _outbox(kind: str | None = None) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id).execution_options(populate_existing=True)
    return list(db.session.scalars(query.where(OutboxMessage.kind == kind) if kind else query))


def _set_times(round_id: int, **times) -> None:
    with write_transaction():
        rnd = db.session.get(Round, round_id)
        for name, value in times.items():
            setattr(rnd, name, value)


def _followers(rnd, make, n: int) -> list:
    users = [make.user() for _ in range(n)]
    for user in users:
        notifications.follow_round(user, rnd)
    return users


# --- the jobs, one at a time -------------------------------------------------------------------------------------


def test_a_round_opens_once_at_its_time_and_its_followers_get_one_email_each(make):
    rnd = make.round(state="scheduled")
    followers = _followers(rnd, make, 2)
    opens = rnd.opens_at
    assert round_jobs.open_rounds(opens - dt.timedelta(seconds=1)) == 0

    assert round_jobs.open_rounds(opens) == 1
    assert round_jobs.open_rounds(opens + dt.timedelta(minutes=1)) == 0

    [entry] = _actions("round.opened")
    assert (entry.actor, entry.subject_id) == ("scheduler", str(rnd.id))
    assert entry.data["opens_at"].startswith(opens.isoformat())
    messages = _outbox("round_opened")
    assert sorted(m.to_addr for m in messages) == sorted(u.email for u in followers)
    assert all(m.subject == f"Konsultasi dibuka: {rnd.title}" for m in messages)


def test_a_round_found_already_closed_is_recorded_opened_then_closed_without_emails(make):
    rnd = make.round(state="closed")
    _followers(rnd, make, 1)
    results = jobs.run_due_jobs()
    assert (results["open_rounds"], results["close_rounds"]) == (1, 1)
    assert [e.action for e in db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action.like("round.%")))][
        -2:
    ] == ["round.opened", "round.closed"]
    assert _outbox() == []


def test_a_round_closes_once_at_its_time(make):
    rnd = make.round()
    closes = utcnow() + dt.timedelta(hours=1)
    _set_times(rnd.id, closes_at=closes)
    round_jobs.open_rounds(utcnow())
    assert round_jobs.close_rounds(closes - dt.timedelta(seconds=1)) == 0
    assert round_jobs.close_rounds(closes) == 1
    assert round_jobs.close_rounds(closes + dt.timedelta(hours=1)) == 0
    [entry] = _actions("round.closed")
    assert entry.data["closes_at"].startswith(closes.isoformat())


def test_followers_are_reminded_48_hours_before_closing_once_and_again_after_an_extension(make):
    rnd = make.round()
    followers = _followers(rnd, make, 2)
    closes = utcnow() + dt.timedelta(days=3)
    _set_times(rnd.id, closes_at=closes)
    assert round_jobs.remind_closing(closes - dt.timedelta(hours=49)) == 0
    assert round_jobs.remind_closing(closes - dt.timedelta(hours=47)) == 1
    assert round_jobs.remind_closing(closes - dt.timedelta(hours=40)) == 0
    assert len(_outbox("round_closing")) == 2
    assert _outbox("round_closing")[0].subject.startswith("Tinggal 48 jam")

    from consult.rounds.services import extend_round

    moderator = make.user("moderator", rnd.agency)
    new = closes + dt.timedelta(days=5)
    extend_round(moderator, db.session.get(Round, rnd.id), new, "Diperpanjang karena banyak permintaan warga.")
    assert round_jobs.remind_closing(new - dt.timedelta(hours=47)) == 1
    assert len(_outbox("round_closing")) == 2 * len(followers)


def test_a_round_of_48_hours_or_less_gets_no_reminder(make):
    rnd = make.round()
    _followers(rnd, make, 1)
    now = utcnow()
    _set_times(rnd.id, opens_at=now - dt.timedelta(hours=1), closes_at=now + dt.timedelta(hours=40))
    assert round_jobs.remind_closing(now) == 0
    assert round_jobs.remind_closing(now) == 0  # and it is not looked at again
    assert db.session.scalar(sa.select(sa.func.count(RoundEvent.id)).where(RoundEvent.kind == "closing_soon")) == 1
    assert _outbox() == []


def test_a_failing_job_does_not_stop_the_others(make, monkeypatch):
    rnd = make.round(state="closed")

    def broken(now):
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr(jobs, "JOBS", [("open_rounds", broken), *jobs.JOBS[1:]])
    results = jobs.run_due_jobs()
    assert "mail server on fire" in results["open_rounds"]["error"]
    assert results["close_rounds"] == 1
    assert _actions("round.closed")[0].subject_id == str(rnd.id)


def test_scheduler_tick_runs_every_job_once_and_exits_0(runner_cli, make):
    rnd = make.round(state="closed")
    result = runner_cli.invoke(args=["scheduler", "tick"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["open_rounds"] == 1 and summary["close_rounds"] == 1
    assert summary["send_outbox"] == {"sent": 0, "retry": 0, "failed": 0}
    assert len(_actions("round.closed")) == 1 and _actions("round.closed")[0].subject_id == str(rnd.id)
    assert json.loads(runner_cli.invoke(args=["scheduler", "tick"]).output.splitlines()[-1])["close_rounds"] == 0
    status = json.loads(runner_cli.invoke(args=["scheduler", "outbox"]).output.splitlines()[-1])
    assert status == {"counts": {}, "failed": []}


@pytest.fixture
def runner_cli(app):
    return app.test_cli_runner()


def test_a_tick_sends_the_emails_it_queued_over_smtp(smtp, make):  # noqa: F811
    rnd = make.round(state="scheduled")
    followers = _followers(rnd, make, 3)
    _set_times(rnd.id, opens_at=utcnow() - dt.timedelta(seconds=1))
    results = jobs.run_due_jobs()
    assert results["send_outbox"] == {"sent": 3, "retry": 0, "failed": 0}
    received = smtp.wait_for(3)
    assert sorted(m["To"] for m in received) == sorted(u.email for u in followers)


def test_two_threads_ticking_at_once_record_and_send_everything_once(app, smtp, make):  # noqa: F811
    world = _concurrency_world(make)
    db.session.commit()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def tick():
        with app.app_context():
            try:
                barrier.wait()
                for _ in range(3):
                    results = jobs.run_due_jobs()
                    assert not any(isinstance(v, dict) and "error" in v for v in results.values()), results
            except BaseException as exc:  # reported to the main thread
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    _assert_each_once(world, smtp)


# --- two scheduler processes at once ------------------------------------------------------------------------------

WORKER = r"""
import json, sys, time
from pathlib import Path

import sqlalchemy as sa

from consult import create_app
from consult.config import TestConfig
from consult.extensions import db
from consult.scheduler.jobs import run_due_jobs

url, port, barrier, worker = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
config.update(SQLALCHEMY_DATABASE_URI=url, MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
app = create_app(config)
results = []
with app.app_context():
    db.session.execute(sa.text("SELECT 1"))
    db.session.rollback()
    (barrier / f"ready-{worker}").touch()
    deadline = time.monotonic() + 60
    while not (barrier / "go").exists() and time.monotonic() < deadline:
        time.sleep(0.001)
    for _ in range(3):
        results.append(run_due_jobs())
    db.session.remove()
    db.engine.dispose()
print(json.dumps(results))
"""


def _concurrency_world(make) -> dict:
    """A round that just opened and closes within 48 hours (followers get "open" and "48 hours left"), a round
    that just closed, and a reply waiting to be sent."""
    agency = make.agency()
    opening = make.round(agency)
    closing = make.round(agency)
    now = utcnow()
    _set_times(opening.id, opens_at=now - dt.timedelta(days=5), closes_at=now + dt.timedelta(hours=20))
    followers = _followers(opening, make, 4)
    _followers(closing, make, 2)
    author, replier = followers[0], make.user()
    top = participation.post_comment(author, opening, "Komentar awal.")
    participation.post_comment(replier, opening, "Balasan.", parent_id=top.id)
    _set_times(closing.id, closes_at=now - dt.timedelta(minutes=1))
    from consult.notifications.models import RoundFollow

    emails = db.session.scalars(
        sa.select(RoundFollow.user_id).where(RoundFollow.round_id == opening.id, RoundFollow.active.is_(True))
    ).all()
    assert len(emails) == 5  # the four who pressed the button and the replier, who follows by commenting
    return {"opening": opening.id, "closing": closing.id, "followers": emails}


def _assert_each_once(world: dict, inbox) -> None:
    opened = {e.subject_id for e in _actions("round.opened")}
    assert sorted(e.subject_id for e in _actions("round.opened")) == sorted(opened)  # no duplicate
    assert opened == {str(world["opening"]), str(world["closing"])}
    assert [e.subject_id for e in _actions("round.closed")] == [str(world["closing"])]
    messages = _outbox()
    expected = 2 * len(world["followers"]) + 1  # "open" and "48 hours left" for each follower, and the reply
    assert len(messages) == expected
    assert {m.status for m in messages} == {OutboxStatus.SENT}
    assert all(m.attempts == 1 for m in messages)
    received = inbox.wait_for(expected)
    time.sleep(0.2)  # a duplicate would arrive now
    assert len(inbox.messages) == expected
    pairs = [(m["To"], m["Subject"]) for m in inbox.messages]
    assert len(set(pairs)) == len(pairs) == len(received)
    from consult.audit import verify

    assert verify().ok


def _run_workers(url: str, port: int, barrier: Path, workers: int = 2) -> list:
    reports = run_workers(
        WORKER, [[url, str(port), str(barrier), str(w)] for w in range(workers)], barrier, forbidden=()
    )
    for runs in reports:
        for results in runs:
            assert not any(isinstance(v, dict) and "error" in v for v in results.values()), results
    return reports


def test_two_scheduler_processes_ticking_at_once_record_each_event_once_and_send_each_email_once(make, tmp_path):
    world = _concurrency_world(make)
    db.session.commit()
    server = SmtpServer().start()
    try:
        reports = _run_workers(database_url(), server.port, tmp_path)
        _assert_each_once(world, server.inbox)
    finally:
        server.stop()
    closed = sum(run["close_rounds"] for runs in reports for run in runs)
    assert closed == 1  # one process recorded it; the other found it done


@pytest.mark.postgres
@needs_postgres_server
def test_two_scheduler_processes_on_postgresql_record_each_event_once_and_send_each_email_once(app, tmp_path):
    from tests.conftest import Factory

    with postgres_variant() as url:
        world = _concurrency_world(Factory())
        db.session.commit()
        server = SmtpServer().start()
        try:
            _run_workers(url, server.port, tmp_path)
            _assert_each_once(world, server.inbox)
        finally:
            server.stop()


# --- the real scheduler process -----------------------------------------------------------------------------------


def _scheduler_process(url: str, tmp_path: Path, interval: int = 1) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "CONSULT_INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": TestConfig.SECRET_KEY,
        "MAIL_SERVER": "",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("SCHEDULER_IN_PROCESS", None)
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "scheduler", "run", "--interval", str(interval)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_close(round_id: int, deadline: float) -> list[AuditEntry]:
    while time.monotonic() < deadline:
        db.session.rollback()  # a fresh snapshot
        entries = [e for e in _actions("round.closed") if e.subject_id == str(round_id)]
        if entries:
            return entries
        time.sleep(0.2)
    return []


def _wait_for_outbox(kind: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        db.session.rollback()  # a fresh snapshot
        if _outbox(kind):
            return
        time.sleep(0.2)


def _closes_with_no_request(make, url: str, tmp_path: Path) -> None:
    rnd = make.round()
    follower = _followers(rnd, make, 1)[0]
    round_id = rnd.id
    db.session.commit()
    proc = _scheduler_process(url, tmp_path)
    try:
        # The process's first tick records the opening; only then is the closing set, 3 s ahead, so that a slow
        # start on a loaded machine cannot put the closing before the first tick (a round already past its close
        # is never announced as opened).
        _wait_for_outbox("round_opened", time.monotonic() + 60)
        closes = utcnow() + dt.timedelta(seconds=3)
        _set_times(round_id, closes_at=closes)
        entries = _wait_for_close(round_id, time.monotonic() + 40)
        assert proc.poll() is None, proc.communicate()
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "scheduler stopped" in err
    assert len(entries) == 1, err
    assert entries[0].at >= closes
    assert entries[0].data["closes_at"].startswith(closes.isoformat())
    # it ran the other jobs too: the round's opening e-mail was delivered (into the instance folder)
    assert [m.to_addr for m in _outbox("round_opened")] == [follower.email], err
    assert _outbox("round_opened")[0].status == OutboxStatus.SENT
    assert list((tmp_path / "instance" / "mail").glob("*.eml"))
    assert follower.email in out


def test_a_round_closes_at_its_time_with_no_request_made(make, tmp_path):
    _closes_with_no_request(make, database_url(), tmp_path)


@pytest.mark.postgres
@needs_postgres_server
def test_a_round_closes_at_its_time_with_no_request_made_on_postgresql(app, tmp_path):
    from tests.conftest import Factory

    with postgres_variant() as url:
        _closes_with_no_request(Factory(), url, tmp_path)


def test_sigint_stops_the_scheduler_cleanly_too(tmp_path):
    proc = _scheduler_process(database_url(), tmp_path, interval=60)
    try:
        deadline = time.monotonic() + 30
        err_lines = []
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            err_lines.append(line)
            if "scheduler started" in line:
                break
        assert any("scheduler started" in line for line in err_lines), err_lines
    finally:
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "scheduler stopped" in err


# --- make run: the in-process thread ---------------------------------------------------------------------------


@pytest.fixture
def fresh_runner(monkeypatch):
    monkeypatch.setattr(runner, "_background", None)
    yield
    if runner._background is not None and runner._background.running:
        runner._background.shutdown(wait=True)


def test_the_in_process_scheduler_needs_the_explicit_setting(app, fresh_runner, monkeypatch):
    monkeypatch.setitem(app.config, "SCHEDULER_IN_PROCESS", False)
    assert runner.start_in_process(app) is False


def test_the_in_process_scheduler_never_starts_under_gunicorn(app, fresh_runner, monkeypatch):
    monkeypatch.setitem(app.config, "SCHEDULER_IN_PROCESS", True)
    monkeypatch.setitem(sys.modules, "gunicorn", object())
    assert runner.start_in_process(app) is False


def test_the_in_process_scheduler_waits_for_the_reloaders_serving_child(app, fresh_runner, monkeypatch):
    monkeypatch.setitem(app.config, "SCHEDULER_IN_PROCESS", True)
    monkeypatch.setitem(app.config, "SCHEDULER_INTERVAL", 3600)
    monkeypatch.delitem(sys.modules, "gunicorn", raising=False)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    assert runner.start_in_process(app) is False  # the watching parent
    monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    assert runner.start_in_process(app) is True  # the serving child
    assert runner.start_in_process(app) is False  # once per process
    assert runner._background.running


def test_the_in_process_scheduler_runs_the_jobs(app, fresh_runner, make, monkeypatch):
    rnd = make.round(state="closed")
    db.session.commit()
    monkeypatch.setitem(app.config, "SCHEDULER_IN_PROCESS", True)
    monkeypatch.delitem(sys.modules, "gunicorn", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    assert runner.start_in_process(app) is True
    entries = _wait_for_close(rnd.id, time.monotonic() + 20)
    runner._background.shutdown(wait=True)
    assert len(entries) == 1
