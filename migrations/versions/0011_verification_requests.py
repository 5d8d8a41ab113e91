"""verification_requests: a citizen asks an agency to verify them; the agency's admins approve or refuse

One pending request per person (a partial UNIQUE index), listed by agency and state in id order. comments (author_id, id) replaces the single-column index on author_id: "my comments",
newest first, is an index range scan that stops after one page.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_verification_requests"
down_revision = "0010_public_revision"

_PENDING = sa.text("status = 'pending'")


def upgrade():
    op.create_table(
        "verification_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'refused', 'revoked')",
            name=op.f("ck_verification_requests_verification_status"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_verification_requests_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_verification_requests_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_verification_requests_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"],
            ["users.id"],
            name=op.f("fk_verification_requests_revoked_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_requests")),
    )
    op.create_index(
        "ux_verification_requests_one_pending",
        "verification_requests",
        ["user_id"],
        unique=True,
        sqlite_where=_PENDING,
        postgresql_where=_PENDING,
    )
    op.create_index("ix_verification_requests_agency_status", "verification_requests", ["agency_id", "status", "id"])
    op.create_index("ix_verification_requests_user", "verification_requests", ["user_id", "id"])
    op.create_index("ix_comments_author_new", "comments", ["author_id", "id"])
    op.drop_index("ix_comments_author_id", table_name="comments")


def downgrade():
    op.create_index("ix_comments_author_id", "comments", ["author_id"])
    op.drop_index("ix_comments_author_new", table_name="comments")
    op.drop_table("verification_requests")
