"""Moderation: house rules, report queue, moderation log, appeals, blocks

Also the hidden comment's rule and reason (comments) and the auto-hide threshold (agencies), and the
moderators' public pseudonyms per agency.


"""

import sqlalchemy as sa
from alembic import op

revision = "0004_moderation"
down_revision = "0003"


def upgrade():
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("auto_hide_threshold", sa.Integer(), server_default="3", nullable=False))

    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hidden_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("moderation_rule", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("moderation_rule_title", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("moderation_reason", sa.Text(), nullable=True))

    op.create_table(
        "house_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_house_rules_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_house_rules")),
        sa.UniqueConstraint("agency_id", "number", name=op.f("uq_house_rules_agency_id_number")),
    )

    op.create_table(
        "moderator_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("pseudonym", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_moderator_aliases_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_moderator_aliases_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderator_aliases")),
        sa.UniqueConstraint("agency_id", "pseudonym", name=op.f("uq_moderator_aliases_agency_id_pseudonym")),
        sa.UniqueConstraint("agency_id", "user_id", name=op.f("uq_moderator_aliases_agency_id_user_id")),
    )

    op.create_table(
        "moderation_queue",
        sa.Column("comment_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("open_reports", sa.Integer(), nullable=False),
        sa.Column("first_report_at", sa.DateTime(), nullable=False),
        sa.Column("last_report_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_moderation_queue_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_moderation_queue_comment_id_comments"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_moderation_queue_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("comment_id", name=op.f("pk_moderation_queue")),
    )
    with op.batch_alter_table("moderation_queue", schema=None) as batch_op:
        batch_op.create_index(
            "ix_moderation_queue_order",
            ["agency_id", sa.text("open_reports DESC"), "first_report_at", "comment_id"],
            unique=False,
        )

    op.create_table(
        "blocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("pseudonym", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("until", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("lifted_at", sa.DateTime(), nullable=True),
        sa.Column("lifted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_blocks_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_blocks_comment_id_comments"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_blocks_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["lifted_by_id"], ["users.id"], name=op.f("fk_blocks_lifted_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_blocks_round_id_rounds"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_blocks_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blocks")),
    )
    with op.batch_alter_table("blocks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_blocks_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index("ix_blocks_user_agency", ["user_id", "agency_id", "until"], unique=False)

    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=10), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_appeals_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_appeals_author_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_appeals_comment_id_comments"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_appeals_decided_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
        sa.UniqueConstraint("comment_id", name=op.f("uq_appeals_comment_id")),
    )
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.create_index("ix_appeals_agency_pending", ["agency_id", "decided_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appeals_author_id"), ["author_id"], unique=False)

    op.create_table(
        "moderation_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.Column("rule_number", sa.Integer(), nullable=True),
        sa.Column("rule_title", sa.String(length=120), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=True),
        sa.Column("moderator", sa.String(length=40), nullable=False),
        sa.Column("participant", sa.String(length=40), nullable=True),
        sa.Column("until", sa.DateTime(), nullable=True),
        sa.Column("block_id", sa.Integer(), nullable=True),
        sa.Column("appeal_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_moderation_actions_agency_id_agencies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeals.id"], name=op.f("fk_moderation_actions_appeal_id_appeals"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["block_id"], ["blocks.id"], name=op.f("fk_moderation_actions_block_id_blocks"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_moderation_actions_comment_id_comments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["moderator_id"], ["users.id"], name=op.f("fk_moderation_actions_moderator_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_moderation_actions_round_id_rounds"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["house_rules.id"], name=op.f("fk_moderation_actions_rule_id_house_rules"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_actions")),
    )
    with op.batch_alter_table("moderation_actions", schema=None) as batch_op:
        batch_op.create_index("ix_moderation_actions_agency", ["agency_id", "id"], unique=False)
        batch_op.create_index("ix_moderation_actions_comment", ["comment_id", "id"], unique=False)
        batch_op.create_index("ix_moderation_actions_round", ["round_id", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("moderation_actions", schema=None) as batch_op:
        batch_op.drop_index("ix_moderation_actions_round")
        batch_op.drop_index("ix_moderation_actions_comment")
        batch_op.drop_index("ix_moderation_actions_agency")

    op.drop_table("moderation_actions")
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeals_author_id"))
        batch_op.drop_index("ix_appeals_agency_pending")

    op.drop_table("appeals")
    with op.batch_alter_table("blocks", schema=None) as batch_op:
        batch_op.drop_index("ix_blocks_user_agency")
        batch_op.drop_index(batch_op.f("ix_blocks_agency_id"))

    op.drop_table("blocks")
    with op.batch_alter_table("moderation_queue", schema=None) as batch_op:
        batch_op.drop_index("ix_moderation_queue_order")

    op.drop_table("moderation_queue")
    op.drop_table("moderator_aliases")
    op.drop_table("house_rules")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_column("moderation_reason")
        batch_op.drop_column("moderation_rule_title")
        batch_op.drop_column("moderation_rule")
        batch_op.drop_column("hidden_at")

    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.drop_column("auto_hide_threshold")
