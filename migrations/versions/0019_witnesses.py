"""witnesses and witness_heads (issue 14): observers register an Ed25519 key and countersign the signed audit heads
they fetched; the witness page shows them, so a rewrite of history would have to fool every witness."""

import sqlalchemy as sa
from alembic import op

revision = "0019_witnesses"
down_revision = "0018_round_archives"


def upgrade() -> None:
    op.create_table(
        "witnesses",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("public_key", name="uq_witnesses_public_key"),
    )
    op.create_index("ix_witnesses_user", "witnesses", ["user_id"])
    op.create_table(
        "witness_heads",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("witness_id", sa.Integer, sa.ForeignKey("witnesses.id", ondelete="CASCADE"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("signature", sa.String(120), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("countersignature", sa.String(120), nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("witness_id", "seq", name="uq_witness_heads_witness_seq"),
    )
    op.create_index("ix_witness_heads_witness", "witness_heads", ["witness_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_witness_heads_witness", table_name="witness_heads")
    op.drop_table("witness_heads")
    op.drop_index("ix_witnesses_user", table_name="witnesses")
    op.drop_table("witnesses")
