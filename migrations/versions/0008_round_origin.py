"""rounds.origin and rounds.opened_at: where a round's dates come from, and when it really opened

rounds.origin is "live" for a round scheduled on this site (its opening may not lie in the past), "demo" for the
demo loader's rounds and "imported" for a round brought from elsewhere (a Polis export): those two keep their
original dates, and their pages say so (consult.rounds.models.RoundOrigin; only the demo loader and an importer
set it, never the web, the API or the command line). No CHECK constraint: on SQLite adding one rebuilds the table,
and dropping `rounds` with foreign keys on would cascade to its events. Rounds the demo loader scheduled before this revision (audited as
"round.scheduled" by the actor "seed") become "demo".

rounds.opened_at is when the scheduler recorded the opening ("round.opened"), filled from round_events for the
rounds that opened already; the round page shows it as the time the round opened.


"""

import sqlalchemy as sa
from alembic import op

revision = "0008_round_origin"
down_revision = "0007_account_security"


def upgrade():
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origin", sa.String(length=10), server_default="live", nullable=False))
        batch_op.add_column(sa.Column("opened_at", sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE rounds SET origin = 'demo' WHERE CAST(id AS VARCHAR(40)) IN (SELECT subject_id FROM audit_entries "
        "WHERE action = 'round.scheduled' AND subject_type = 'rounds' AND actor = 'seed')"
    )
    op.execute(
        "UPDATE rounds SET opened_at = (SELECT MIN(round_events.created_at) FROM round_events WHERE "
        "round_events.round_id = rounds.id AND round_events.kind = 'opened')"
    )


def downgrade():
    # Not batch mode: on SQLite it rebuilds `rounds`, and dropping the old table with foreign keys on deletes
    # every row that cascades from it (round_events). SQLite drops a plain column itself since 3.35.
    op.drop_column("rounds", "opened_at")
    op.drop_column("rounds", "origin")
