"""Participation: participants, comments, votes, stances, section tallies, reports"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade():
    op.create_table(
        "participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("pseudonym", sa.String(length=40), nullable=False),
        sa.Column("show_name", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_participants_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_participants_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participants")),
        sa.UniqueConstraint("round_id", "pseudonym", name=op.f("uq_participants_round_id_pseudonym")),
        sa.UniqueConstraint("round_id", "user_id", name=op.f("uq_participants_round_id_user_id")),
    )
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_participants_user_id"), ["user_id"], unique=False)

    op.create_table(
        "section_stances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("value IN ('support', 'oppose', 'neutral')", name=op.f("ck_section_stances_stance_value")),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_section_stances_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["section_id"], ["sections.id"], name=op.f("fk_section_stances_section_id_sections")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_section_stances_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_section_stances")),
        sa.UniqueConstraint(
            "round_id", "section_id", "user_id", name=op.f("uq_section_stances_round_id_section_id_user_id")
        ),
    )
    with op.batch_alter_table("section_stances", schema=None) as batch_op:
        batch_op.create_index("ix_section_stances_user_round", ["user_id", "round_id"], unique=False)

    op.create_table(
        "section_stats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("support", sa.Integer(), nullable=False),
        sa.Column("oppose", sa.Integer(), nullable=False),
        sa.Column("neutral", sa.Integer(), nullable=False),
        sa.Column("comments", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_section_stats_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["section_id"], ["sections.id"], name=op.f("fk_section_stats_section_id_sections")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_section_stats")),
        sa.UniqueConstraint("round_id", "section_id", name=op.f("uq_section_stats_round_id_section_id")),
    )
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("stance", sa.String(length=10), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("edited_at", sa.DateTime(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("agree_count", sa.Integer(), nullable=False),
        sa.Column("disagree_count", sa.Integer(), nullable=False),
        sa.Column("pass_count", sa.Integer(), nullable=False),
        sa.Column("reply_count", sa.Integer(), nullable=False),
        sa.Column("report_count", sa.Integer(), nullable=False),
        sa.CheckConstraint("stance IN ('support', 'oppose', 'neutral')", name=op.f("ck_comments_stance_value")),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_comments_author_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["comments.id"], name=op.f("fk_comments_parent_id_comments"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_comments_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_comments_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["section_id"], ["sections.id"], name=op.f("fk_comments_section_id_sections")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_comments_author_id"), ["author_id"], unique=False)
        batch_op.create_index("ix_comments_parent", ["parent_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_comments_participant_id"), ["participant_id"], unique=False)
        batch_op.create_index(
            "ix_comments_round_section_agreed",
            ["round_id", "section_id", "parent_id", "agree_count", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_comments_round_section_new", ["round_id", "section_id", "parent_id", "id"], unique=False
        )
        batch_op.create_index(
            "ix_comments_round_top_agreed", ["round_id", "parent_id", "agree_count", "id"], unique=False
        )
        batch_op.create_index("ix_comments_round_top_new", ["round_id", "parent_id", "id"], unique=False)

    op.create_table(
        "comment_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("value IN (-1, 0, 1)", name=op.f("ck_comment_votes_vote_value")),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_comment_votes_comment_id_comments"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_comment_votes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_votes")),
        sa.UniqueConstraint("comment_id", "user_id", name=op.f("uq_comment_votes_comment_id_user_id")),
    )
    with op.batch_alter_table("comment_votes", schema=None) as batch_op:
        batch_op.create_index("ix_comment_votes_user_comment", ["user_id", "comment_id"], unique=False)

    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("handled_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_reports_comment_id_comments"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_reports_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("comment_id", "user_id", name=op.f("uq_reports_comment_id_user_id")),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reports_comment_id"), ["comment_id"], unique=False)

    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("comment_count", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_column("comment_count")

    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_comment_id"))

    op.drop_table("reports")
    with op.batch_alter_table("comment_votes", schema=None) as batch_op:
        batch_op.drop_index("ix_comment_votes_user_comment")

    op.drop_table("comment_votes")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_round_top_new")
        batch_op.drop_index("ix_comments_round_top_agreed")
        batch_op.drop_index("ix_comments_round_section_new")
        batch_op.drop_index("ix_comments_round_section_agreed")
        batch_op.drop_index(batch_op.f("ix_comments_participant_id"))
        batch_op.drop_index("ix_comments_parent")
        batch_op.drop_index(batch_op.f("ix_comments_author_id"))

    op.drop_table("comments")
    op.drop_table("section_stats")
    with op.batch_alter_table("section_stances", schema=None) as batch_op:
        batch_op.drop_index("ix_section_stances_user_round")

    op.drop_table("section_stances")
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participants_user_id"))

    op.drop_table("participants")
