"""submission_keys: a repeated form submission or API POST answers with the first result

One row per (user, key) used: the fingerprint of the request it came with, the first result (JSON) and when
it expires (consult/idempotency.py). The row is inserted in the transaction of the action, so two repeats that
arrive together create one comment; the scheduler deletes expired rows (job purge_submission_keys).


"""

import sqlalchemy as sa
from alembic import op

revision = "0012_submission_keys"
down_revision = "0011_verification_requests"


def upgrade():
    op.create_table(
        "submission_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_sha256", sa.String(length=64), nullable=False),
        sa.Column("result_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_submission_keys_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_keys")),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_submission_keys_user_id_key")),
    )
    op.create_index(op.f("ix_submission_keys_expires_at"), "submission_keys", ["expires_at"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_submission_keys_expires_at"), table_name="submission_keys")
    op.drop_table("submission_keys")
