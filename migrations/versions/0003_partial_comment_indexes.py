"""Partial indexes for top-level comment lists"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade():
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comments_round_section_agreed"))
        batch_op.drop_index(batch_op.f("ix_comments_round_section_new"))
        batch_op.drop_index(batch_op.f("ix_comments_round_top_agreed"))
        batch_op.drop_index(batch_op.f("ix_comments_round_top_new"))
        batch_op.create_index(
            "ix_comments_top_agreed",
            ["round_id", "agree_count", "id"],
            unique=False,
            sqlite_where=sa.text("parent_id IS NULL"),
            postgresql_where=sa.text("parent_id IS NULL"),
        )
        batch_op.create_index(
            "ix_comments_top_new",
            ["round_id", "id"],
            unique=False,
            sqlite_where=sa.text("parent_id IS NULL"),
            postgresql_where=sa.text("parent_id IS NULL"),
        )
        batch_op.create_index(
            "ix_comments_top_section_agreed",
            ["round_id", "section_id", "agree_count", "id"],
            unique=False,
            sqlite_where=sa.text("parent_id IS NULL"),
            postgresql_where=sa.text("parent_id IS NULL"),
        )
        batch_op.create_index(
            "ix_comments_top_section_new",
            ["round_id", "section_id", "id"],
            unique=False,
            sqlite_where=sa.text("parent_id IS NULL"),
            postgresql_where=sa.text("parent_id IS NULL"),
        )


def downgrade():
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_comments_top_section_new",
            sqlite_where=sa.text("parent_id IS NULL"),
            postgresql_where=sa.text("parent_id IS NULL"),
        )
        batch_op.drop_index(
            "ix_comments_top_section_agreed",
            sqlite_where=sa.text("parent_id IS NULL"),
            postgresql_where=sa.text("parent_id IS NULL"),
        )
        batch_op.drop_index(
            "ix_comments_top_new",
            sqlite_where=sa.text("parent_id IS NULL"),
            postgresql_where=sa.text("parent_id IS NULL"),
        )
        batch_op.drop_index(
            "ix_comments_top_agreed",
            sqlite_where=sa.text("parent_id IS NULL"),
            postgresql_where=sa.text("parent_id IS NULL"),
        )
        batch_op.create_index(batch_op.f("ix_comments_round_top_new"), ["round_id", "parent_id", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_comments_round_top_agreed"), ["round_id", "parent_id", "agree_count", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_comments_round_section_new"), ["round_id", "section_id", "parent_id", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_comments_round_section_agreed"),
            ["round_id", "section_id", "parent_id", "agree_count", "id"],
            unique=False,
        )
