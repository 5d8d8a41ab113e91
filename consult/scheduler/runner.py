"""Running the jobs: in the foreground (`flask scheduler run`), once (`flask scheduler tick`), or in a thread of
the single-process development server (`make run`).

A web worker never starts the scheduler: only an explicit SCHEDULER_IN_PROCESS=true (set by `make run` alone)
does, and never under gunicorn. Running two schedulers by mistake is safe (every job is idempotent), only
wasteful.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import sys
import threading

from flask import Flask

from consult.scheduler.jobs import run_due_jobs

log = logging.getLogger("consult.scheduler")
JOB_ID = "consult-due-jobs"


def tick(app: Flask) -> dict[str, object]:
    """Run every due job once in a fresh app context (its own database session)."""
    with app.app_context():
        results = run_due_jobs()
    if any(v for v in results.values() if v and v != {"sent": 0, "retry": 0, "failed": 0}):
        log.info("scheduler run: %s", results)
    return results


def _add_job(scheduler, app: Flask, interval: int) -> None:
    scheduler.add_job(
        tick,
        "interval",
        args=[app],
        seconds=interval,
        id=JOB_ID,
        next_run_time=dt.datetime.now(dt.UTC),  # a first run at start, then every `interval` seconds
        coalesce=True,  # after a pause, one run, not one per missed interval
        max_instances=1,  # a slow run is never overlapped by the next one
        misfire_grace_time=None,
    )


def run_forever(app: Flask, interval: int) -> None:
    """The `flask scheduler run` process: blocks until SIGTERM or SIGINT, then lets a running job finish."""
    from apscheduler.schedulers.base import STATE_STOPPED
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(timezone=dt.UTC)
    _add_job(scheduler, app, interval)

    def shut_down() -> None:
        try:
            scheduler.shutdown(wait=True)  # waits for a running job; then start() below returns
        except Exception:  # noqa: BLE001 - a second signal while stopping: already stopped
            log.debug("scheduler already stopped")

    def stop(signum, _frame):
        if scheduler.state == STATE_STOPPED:  # a signal before the scheduler started: nothing to wait for
            log.info("scheduler stopped (signal %s before it started)", signum)
            raise SystemExit(0)
        log.info("scheduler stopping (signal %s); waiting for a running job to finish", signum)
        # Not in the handler itself: it interrupts the main thread anywhere, possibly while that thread holds a
        # lock the finishing job needs, and waiting for the job there would deadlock.
        threading.Thread(target=shut_down, name="scheduler-shutdown", daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("scheduler started: due jobs every %s s (pid %s)", interval, os.getpid())
    scheduler.start()
    log.info("scheduler stopped")


_started = threading.Lock()
_background = None


def start_in_process(app: Flask) -> bool:
    """Start the scheduler in a daemon thread of this process, once, when SCHEDULER_IN_PROCESS is set — for the
    development server of `make run` only. Returns whether it started.

    Not under gunicorn (its workers would each start one), not in the watching parent of Werkzeug's reloader
    (only in the child that serves), and not twice in one process.
    """
    global _background
    if not app.config.get("SCHEDULER_IN_PROCESS"):
        return False
    if "gunicorn" in sys.modules:
        log.warning("SCHEDULER_IN_PROCESS is ignored under gunicorn: run `flask scheduler run` beside it")
        return False
    reloader = os.environ.get("FLASK_DEBUG", "").lower() in {"1", "true", "yes"} or "--reload" in sys.argv
    if reloader and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return False  # the reloader's watching parent; its serving child starts it
    with _started:
        if _background is not None:
            return False
        from apscheduler.schedulers.background import BackgroundScheduler

        _background = BackgroundScheduler(timezone=dt.UTC, daemon=True)
        _add_job(_background, app, int(app.config["SCHEDULER_INTERVAL"]))
        _background.start()
    log.warning("scheduler running in this process every %s s (development only)", app.config["SCHEDULER_INTERVAL"])
    return True
