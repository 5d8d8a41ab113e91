"""users.email_confirmed_at: e-mail confirmation at self-registration

Self-registered accounts start unconfirmed and cannot take part until the person follows the link in the
confirmation e-mail (or resets their password, which proves the same). Every account that exists before this
revision was made before confirmation existed: the data step marks it confirmed at its creation time, so nobody
already taking part is shut out.

Password-reset links need no column: they carry a fingerprint of the password hash they were issued for, so the
first reset (a new hash) makes them, and every other link issued before, unusable.


"""

import sqlalchemy as sa
from alembic import op

revision = "0007_account_security"
down_revision = "0006_hot_path_counters"


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_confirmed_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE users SET email_confirmed_at = created_at WHERE email_confirmed_at IS NULL")


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("email_confirmed_at")
