"""`flask` command groups (CONTRACT.md): seed, users, rounds, scheduler, audit; opinion, campaigns and polis come
from consult/deliberation/cli.py."""

from __future__ import annotations

import json
import sys

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from consult.deliberation.cli import COMMANDS as DELIBERATION_COMMANDS
from consult.errors import NotFound, ServiceError

seed_cli = AppGroup("seed", help="Demo and synthetic data.")
users_cli = AppGroup("users", help="Accounts and API tokens.")
rounds_cli = AppGroup("rounds", help="Consultation rounds.")
audit_cli = AppGroup("audit", help="The hash-chained audit log.")
export_cli = AppGroup("export", help="The public record, for monitors.")
scheduler_cli = AppGroup("scheduler", help="Scheduled jobs: open and close rounds, reminders, escalations, e-mail.")


def _fail(exc: ServiceError) -> None:
    details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
    click.echo(f"Error: {exc.message}{' (' + details + ')' if details else ''}", err=True)
    sys.exit(1)


@seed_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database holds no agency yet (used by make run).")
def seed_demo(if_empty):
    """Load the demo agency, documents, rounds and accounts (does nothing when they exist)."""
    from consult.agencies.models import Agency
    from consult.demo import DEMO_PASSWORD, demo_accounts, load_demo
    from consult.extensions import db

    if if_empty and db.session.scalar(sa.select(Agency.id).limit(1)) is not None:
        accounts = demo_accounts()
        click.echo("The database already has data; demo data not loaded.")
    else:
        accounts = load_demo()
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for role, email in accounts:
        click.echo(f"  {role:<14} {email}")


@seed_cli.command("load")
@click.argument("round_id", type=int)
@click.option("--comments", type=click.IntRange(min=0), required=True, help="Comments, about 20% of them replies.")
@click.option("--votes", type=click.IntRange(min=0), required=True, help="Votes on random (comment, user) pairs.")
@click.option("--users", type=click.IntRange(min=1), help="Synthetic users [default: max(100, comments/20)].")
@click.option("--seed", "random_seed", type=int, help="Random seed, for a repeatable load.")
@click.option("--force", is_flag=True, help="Run even with CONSULT_ENV=production.")
def seed_load(round_id, comments, votes, users, random_seed, force):
    """Bulk synthetic participation in a round, for benchmarks; prints a JSON summary as the last line."""
    import os

    from consult.synthetic import load

    if os.environ.get("CONSULT_ENV", "").strip().lower() == "production" and not force:
        click.echo("Error: CONSULT_ENV=production; synthetic data is for test machines (use --force).", err=True)
        sys.exit(1)
    try:
        result = load(round_id, comments=comments, votes=votes, users=users, seed=random_seed)
    except ServiceError as exc:
        _fail(exc)
    click.echo(json.dumps(result.summary()))


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--password", required=True)
@click.option(
    "--role",
    type=click.Choice(["citizen", "moderator", "agency_admin", "observer", "admin"]),
    default="citizen",
    show_default=True,
)
@click.option("--agency", "agency_slug", help="Agency slug, for moderator and agency_admin.")
@click.option("--verified", is_flag=True, help="Mark the citizen as verified.")
def users_create(email, name, password, role, agency_slug, verified):
    """Create an account with a role, confirmed at once (self-registration's password and name rules only warn)."""
    from consult.accounts.models import Role
    from consult.accounts.services import operator_warnings
    from consult.agencies.roles import create_user
    from consult.agencies.services import get_agency

    try:
        agency = get_agency(agency_slug) if agency_slug else None
        user = create_user(email, name, password, role=Role(role), agency=agency, verified=verified)
    except ServiceError as exc:
        _fail(exc)
    click.echo(f"Created user {user.id} <{user.email}> ({role})")
    for warning in operator_warnings(email, name, password):
        click.echo(
            f"Warning: {warning} (self-registration would refuse this; the account is made all the same)", err=True
        )


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="cli", help="A label for the token.")
def users_token(email, name):
    """Create an API token; the token is the last line printed (shown once, stored hashed)."""
    from consult.accounts.services import create_api_token, user_by_email

    try:
        user = user_by_email(email)
    except ServiceError as exc:
        _fail(exc)
    token = create_api_token(user, name)
    click.echo("API token (shown once; store it safely):")
    click.echo(token)


@rounds_cli.command("list")
def rounds_list():
    """Print every round as a JSON array (last line)."""
    from consult.extensions import db
    from consult.rounds.models import Round
    from consult.timeutil import iso_utc

    rounds = db.session.scalars(sa.select(Round).order_by(Round.id)).all()
    click.echo(
        json.dumps(
            [
                {
                    "id": r.id,
                    "title": r.title,
                    "state": r.state.value,
                    "opens_at": iso_utc(r.opens_at),
                    "closes_at": iso_utc(r.effective_closes_at),
                    "agency": r.agency.slug,
                    "iap2_level": r.iap2_level,
                }
                for r in rounds
            ],
            ensure_ascii=False,
        )
    )


@rounds_cli.command("set-times")
@click.argument("round_id", type=int)
@click.option("--opens", help="ISO 8601; without an offset it is read as the agency's local time.")
@click.option("--closes", help="ISO 8601; without an offset it is read as the agency's local time.")
def rounds_set_times(round_id, opens, closes):
    """Reschedule a round (audited like the web form)."""
    from consult.rounds.services import get_round, reschedule_round
    from consult.timeutil import iso_utc, parse_iso

    if not opens and not closes:
        raise click.UsageError("Give --opens and/or --closes.")
    try:
        rnd = get_round(round_id)
    except NotFound:
        click.echo(f"Error: there is no round {round_id}.", err=True)
        sys.exit(1)
    tz = rnd.agency.timezone

    def parse(value, option):
        try:
            return parse_iso(value, tz) if value else None
        except ValueError as exc:
            raise click.BadParameter(f"not an ISO 8601 date and time: {exc}", param_hint=option) from None

    opens_at, closes_at = parse(opens, "--opens"), parse(closes, "--closes")
    try:
        rnd = reschedule_round("cli", rnd, opens_at=opens_at, closes_at=closes_at)
    except ServiceError as exc:
        _fail(exc)
    click.echo(
        json.dumps(
            {
                "id": rnd.id,
                "state": rnd.state.value,
                "opens_at": iso_utc(rnd.opens_at),
                "closes_at": iso_utc(rnd.closes_at),
            }
        )
    )


@rounds_cli.command("set-level")
@click.argument("round_id", type=int)
@click.argument("level", type=click.Choice(["inform", "consult", "involve", "collaborate", "empower"]))
def rounds_set_level(round_id, level):
    """Change the IAP2 level of participation a round not yet closed promises (audited like the web form)."""
    from consult.rounds.levels import set_iap2_level
    from consult.rounds.services import get_round

    try:
        rnd = get_round(round_id)
    except NotFound:
        click.echo(f"Error: there is no round {round_id}.", err=True)
        sys.exit(1)
    try:
        rnd = set_iap2_level("cli", rnd, level)
    except ServiceError as exc:
        _fail(exc)
    click.echo(json.dumps({"id": rnd.id, "iap2_level": rnd.iap2_level}))


@scheduler_cli.command("run")
@click.option("--interval", type=click.IntRange(min=1), help="Seconds between runs [default: SCHEDULER_INTERVAL, 60].")
def scheduler_run(interval):
    """Run the scheduler in the foreground until SIGTERM or SIGINT (its own process, beside the web server)."""
    import logging

    from flask import current_app

    from consult.scheduler.runner import run_forever

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    run_forever(current_app._get_current_object(), interval or int(current_app.config["SCHEDULER_INTERVAL"]))


@scheduler_cli.command("tick")
@click.option("--now", "now_text", default=None, help="Run as if it were this time (ISO 8601; for tests and demos).")
def scheduler_tick(now_text):
    """Run every due job once, print what was done as JSON (last line), and exit (1 when a job failed)."""
    from consult.scheduler.jobs import run_due_jobs
    from consult.timeutil import parse_iso

    results = run_due_jobs(parse_iso(now_text) if now_text else None)
    click.echo(json.dumps(results, ensure_ascii=False))
    if any(isinstance(v, dict) and "error" in v for v in results.values()):
        sys.exit(1)


@scheduler_cli.command("outbox")
def scheduler_outbox():
    """Count the e-mails in the outbox by status and list the last failures (JSON, last line)."""
    from consult.extensions import db
    from consult.notifications.models import OutboxMessage, OutboxStatus

    counts = dict(
        db.session.execute(sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)).all()
    )
    failed = db.session.execute(
        sa.select(OutboxMessage.id, OutboxMessage.kind, OutboxMessage.attempts, OutboxMessage.last_error)
        .where(OutboxMessage.status == OutboxStatus.FAILED)
        .order_by(OutboxMessage.id.desc())
        .limit(10)
    ).all()
    click.echo(
        json.dumps(
            {"counts": counts, "failed": [{"id": i, "kind": k, "attempts": a, "error": e} for i, k, a, e in failed]}
        )
    )


@audit_cli.command("verify")
def audit_verify():
    """Check the whole chain: exit 0 with "OK <entries> <head>", or exit 1 naming the first bad entry."""
    from consult.audit import verify

    result = verify()
    if result.ok:
        click.echo(f"OK {result.entries} {result.head}")
        return
    click.echo(f"BAD entry {result.bad_seq}: {result.problem} (the {result.entries} entries before it are intact)")
    sys.exit(1)


@audit_cli.command("head")
def audit_head():
    """Print the chain's head, signed (keep it: a later rewrite of history cannot extend it)."""
    from consult.audit import head
    from consult.monitoring import keys

    click.echo(json.dumps(keys.sign(head()), indent=2))


@audit_cli.command("rotate-key")
def audit_rotate_key():
    """Retire the key that signs audit heads and make a new one; recorded in the chain (docs/OPERATIONS.md)."""
    from consult import audit
    from consult.extensions import write_transaction
    from consult.monitoring import keys

    old_id, new_id = keys.rotate()
    with write_transaction():
        audit.record(
            "audit.key_rotated",
            None,
            {"old_key_id": old_id, "new_key_id": new_id, "public_key": keys.public_key_of(new_id)},
            actor="cli",
            subject_type="audit_key",
            subject_id=new_id,
        )
    click.echo(f"rotated: {old_id} retired, {new_id} signs from now on")


@export_cli.command("round")
@click.argument("round_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="FILE.zip")
def export_round(round_id, out):
    """Write a fresh archive of the round's public record with the current audit head (CONTRACT.md)."""
    from consult.monitoring import archives
    from consult.rounds.services import get_round

    try:
        rnd = get_round(round_id)
    except NotFound:
        click.echo(f"Round {round_id} does not exist.", err=True)
        sys.exit(1)
    manifest = archives.export(rnd, out)
    head = manifest["audit_head"]
    click.echo(f"Wrote {out}: {len(manifest['files'])} files, audit head {head['seq']} {head['hash']}")


def init_app(app: Flask) -> None:
    for group in (seed_cli, users_cli, rounds_cli, scheduler_cli, audit_cli, export_cli, *DELIBERATION_COMMANDS):
        app.cli.add_command(group)
