"""users.blocked_until and rounds.public_change_count: two queries less on hot paths

users.blocked_until is the end of the longest block ever placed on the person, in any agency. Participation
checks blocks before every write and on every round page; with this column the check needs no query for the
people who were never blocked (nearly everyone), and one indexed query for the others.

rounds.public_change_count counts the round's public changes (closed early, extended): the round page reads
them only when there are some.


"""

import sqlalchemy as sa
from alembic import op

revision = "0006_hot_path_counters"
down_revision = "0005_scheduler_mail"


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("blocked_until", sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE users SET blocked_until = (SELECT MAX(blocks.until) FROM blocks WHERE blocks.user_id = users.id) "
        "WHERE EXISTS (SELECT 1 FROM blocks WHERE blocks.user_id = users.id)"
    )
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_change_count", sa.Integer(), server_default="0", nullable=False))
    op.execute(
        "UPDATE rounds SET public_change_count = (SELECT COUNT(*) FROM round_events WHERE round_events.round_id = "
        "rounds.id AND round_events.kind IN ('closed_early', 'extended'))"
    )


def downgrade():
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_column("public_change_count")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("blocked_until")
