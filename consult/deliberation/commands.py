"""`flask polis …` (CONTRACT.md, "Command line"): import a Polis export folder as a closed round."""

from __future__ import annotations

import json
import sys
import time

import click
from flask.cli import AppGroup

from consult.errors import ServiceError

polis_cli = AppGroup("polis", help="Polis conversations: import an export folder.")


@polis_cli.command("import")
@click.argument("folder", type=click.Path(file_okay=False, path_type=str))
@click.option("--agency", "agency_slug", help="The agency's short name [default: the agency impor-polis].")
def polis_import(folder, agency_slug):
    """Import a Polis export (comments.csv with votes.csv, or participants-votes.csv) as a closed round of an
    imported document; prints progress, then {"round_id": N} as the last line. A folder that is not a Polis
    export, or a malformed row, is refused naming the file and the line, and nothing is written."""
    import numpy as np

    from consult.deliberation.importing import import_polis_export
    from consult.deliberation.polis_export import PolisExportError, read_polis_export

    started = time.perf_counter()
    click.echo(f"Reading {folder} …")
    try:
        export = read_polis_export(folder)
    except PolisExportError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    authors = np.array([c.author_id for c in export.comments if c.author_id is not None], dtype=np.int64)
    participants = np.union1d(export.participant_ids, authors).size
    click.echo(
        f"Read {len(export.comments)} comments, {export.vote_count} votes (one per participant and comment, from "
        f"{export.votes_source}) and {participants} participants in {time.perf_counter() - started:.1f} s."
    )
    try:
        rnd = import_polis_export(export, agency_slug=agency_slug, progress=click.echo)
    except ServiceError as exc:
        details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
        click.echo(f"Error: {exc.message}{' (' + details + ')' if details else ''}", err=True)
        sys.exit(1)
    round_id = rnd.id
    _analyze()
    # An imported round is computed once, at import (the scheduler leaves it alone): its opinion groups, the whole
    # conversation's and each section's, and its campaigns. Both are final and audited (the round is closed).
    from consult.deliberation import services

    click.echo("Computing opinion groups and campaigns …")
    services.refresh_round_opinions(round_id, actor="cli")
    services.refresh_campaigns(round_id, actor="cli")
    click.echo(f"Round {round_id} imported in {time.perf_counter() - started:.1f} s in all.")
    click.echo(json.dumps({"round_id": round_id}))


def _analyze() -> None:
    """PostgreSQL: fresh planner statistics for the tables that just grew by millions of rows (ANALYZE, outside
    the import's transaction); otherwise the first pages plan on stale ones until autovacuum comes by."""
    import sqlalchemy as sa

    from consult.extensions import db

    if db.session.get_bind().dialect.name != "postgresql":
        return
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("ANALYZE users, participants, comments, comment_votes"))
