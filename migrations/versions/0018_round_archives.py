"""round_archives: the frozen archives of a round's public record (issue 14), one per round and reason (closed,
summary_published, adopted); the file lives under ARCHIVE_DIR and never changes, its SHA-256 and signed head here."""

import sqlalchemy as sa
from alembic import op

revision = "0018_round_archives"
down_revision = "0017_report_card_indexes"


def upgrade() -> None:
    op.create_table(
        "round_archives",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("round_id", sa.Integer, sa.ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("audit_seq", sa.Integer, nullable=False),
        sa.Column("audit_hash", sa.String(64), nullable=False),
        sa.Column("audit_at", sa.String(40)),
        sa.Column("signature", sa.String(120), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.UniqueConstraint("round_id", "reason", name="uq_round_archives_round_reason"),
        sa.CheckConstraint("reason IN ('closed', 'summary_published', 'adopted')", name="round_archive_reason"),
    )
    op.create_index("ix_round_archives_round", "round_archives", ["round_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_round_archives_round", table_name="round_archives")
    op.drop_table("round_archives")
