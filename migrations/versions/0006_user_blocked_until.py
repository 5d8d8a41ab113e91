"""users.blocked_until: the end of the longest block ever placed on the person, in any agency

Participation checks blocks before every write and on every round page; with this column the check needs no
query for the people who were never blocked (nearly everyone), and one indexed query for the others.

Revision ID: 0006_user_blocked_until
Revises: 0005_scheduler_mail
Create Date: 2026-11-23 17:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006_user_blocked_until"
down_revision = "0005_scheduler_mail"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("blocked_until", sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE users SET blocked_until = (SELECT MAX(blocks.until) FROM blocks WHERE blocks.user_id = users.id) "
        "WHERE EXISTS (SELECT 1 FROM blocks WHERE blocks.user_id = users.id)"
    )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("blocked_until")
