"""reports.address_key and reports.carries_weight: three fresh accounts can no longer hide a comment

A comment used to be hidden automatically once it had N open reports, whoever sent them: three accounts
registered a minute earlier from one address were enough. Each report now records whether its reporter
carried weight (verified, or an account at least 7 days old that had taken part before) and a keyed hash of
the address it came from; only weighty reports count towards the auto-hide, unverified ones once per
address (consult.moderation). Reports made before this revision keep carries_weight false: they stay in the
queue for moderators, as every report does.


"""

import sqlalchemy as sa
from alembic import op

revision = "0009_weighted_reports"
down_revision = "0008_round_origin"


def upgrade():
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address_key", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("carries_weight", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("carries_weight")
        batch_op.drop_column("address_key")
