"""rounds.public_revision: a counter that moves with everything an anonymous reader of the round page sees

Every comment, edit, withdrawal, vote, stance, moderation decision and change of the round's times adds one,
in the transaction of the change. The anonymous round page is cached by it (consult/pagecache.py): a page
is served from memory, and a phone's repeat visit answered 304, until the counter moves.


"""

import sqlalchemy as sa
from alembic import op

revision = "0010_public_revision"
down_revision = "0009_weighted_reports"


def upgrade():
    op.add_column("rounds", sa.Column("public_revision", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    # not batch mode: rebuilding `rounds` on SQLite would cascade-delete its round_events (see 0008)
    op.drop_column("rounds", "public_revision")
