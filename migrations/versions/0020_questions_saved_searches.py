"""moderation_questions (observers' public questions about a moderation decision, answered in the public log) and
saved_searches (a person's saved filters of the moderation log), issue 14."""

import sqlalchemy as sa
from alembic import op

revision = "0020_questions_saved_searches"
down_revision = "0019_witnesses"


def upgrade() -> None:
    op.create_table(
        "moderation_questions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "action_id", sa.Integer, sa.ForeignKey("moderation_actions.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("agency_id", sa.Integer, sa.ForeignKey("agencies.id", ondelete="CASCADE"), nullable=False),
        sa.Column("asked_by_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("asker", sa.String(40), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("asked_at", sa.DateTime, nullable=False),
        sa.Column("answer", sa.Text),
        sa.Column("answered_by", sa.String(40)),
        sa.Column("answered_by_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("answered_at", sa.DateTime),
    )
    op.create_index("ix_moderation_questions_action", "moderation_questions", ["action_id", "id"])
    op.create_index("ix_moderation_questions_agency_open", "moderation_questions", ["agency_id", "answered_at", "id"])
    op.create_table(
        "saved_searches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("query", sa.String(400), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_saved_searches_user", "saved_searches", ["user_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_saved_searches_user", table_name="saved_searches")
    op.drop_table("saved_searches")
    op.drop_index("ix_moderation_questions_agency_open", table_name="moderation_questions")
    op.drop_index("ix_moderation_questions_action", table_name="moderation_questions")
    op.drop_table("moderation_questions")
