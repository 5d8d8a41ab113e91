"""Deliberation: themes, the agency's answers, the summary; the round's IAP2 level; voices from outside the web

themes: a closed round's comments grouped by staff (status "accepted"), or suggested by the offline topic model
and not yet accepted ("suggested") or turned down ("rejected", kept so that it is not suggested again). Each theme
has a synthesis and, once an agency admin answered it, a disposition (value + response), drafted until the
summary is published. theme_comments: which comments a theme holds (a comment may be in several).
comment_dispositions: an agency admin's answer to one comment, overriding its themes'.

summaries: one per round, drafted then published; published_json freezes what was published (the figures and
themes as they were), notified_at says when the participants' e-mails were queued (once).

rounds.iap2_level: the level of participation the round promises (inform, consult, involve, collaborate,
empower). comments.channel: where a comment came from (web, counter, paper, phone, forum); for one entered by
agency staff on a citizen's behalf, entered_by_id (the staff member), assisted_place and assisted_on (the forum's
place and date, or where and when it was received).
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_deliberation"
down_revision = "0014_opinion_campaigns"


def upgrade():
    op.add_column("rounds", sa.Column("iap2_level", sa.String(length=12), nullable=False, server_default="consult"))
    op.add_column("comments", sa.Column("channel", sa.String(length=8), nullable=False, server_default="web"))
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its REFERENCES clause but cannot ALTER a constraint in (Alembic refuses)
        op.execute("ALTER TABLE comments ADD COLUMN entered_by_id INTEGER REFERENCES users (id) ON DELETE SET NULL")
    else:
        op.add_column("comments", sa.Column("entered_by_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "fk_comments_entered_by_id_users", "comments", "users", ["entered_by_id"], ["id"], ondelete="SET NULL"
        )
    op.add_column("comments", sa.Column("assisted_place", sa.String(length=200), nullable=True))
    op.add_column("comments", sa.Column("assisted_on", sa.Date(), nullable=True))
    op.create_table(
        "themes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("synthesis", sa.Text(), nullable=False, server_default=""),
        sa.Column("synthesis_html", sa.Text(), nullable=False, server_default=""),
        sa.Column("status", sa.String(length=10), nullable=False, server_default="accepted"),
        sa.Column("terms", sa.String(length=300), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("disposition_value", sa.String(length=16), nullable=True),
        sa.Column("disposition_response", sa.Text(), nullable=True),
        sa.Column("disposition_response_html", sa.Text(), nullable=True),
        sa.Column("disposition_by_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("disposition_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('accepted', 'suggested', 'rejected')", name="theme_status"),
        sa.CheckConstraint(
            "disposition_value IS NULL OR disposition_value IN "
            "('adopted', 'partly_adopted', 'not_adopted', 'out_of_scope')",
            name="theme_disposition_value",
        ),
    )
    op.create_index("ix_themes_round_status", "themes", ["round_id", "status", "position", "id"])
    op.create_table(
        "theme_comments",
        sa.Column("theme_id", sa.Integer(), sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("comment_id", sa.Integer(), sa.ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )
    op.create_index("ix_theme_comments_comment", "theme_comments", ["comment_id", "theme_id"])
    op.create_table(
        "comment_dispositions",
        sa.Column("comment_id", sa.Integer(), sa.ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False),
        sa.Column("value", sa.String(length=16), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("response_html", sa.Text(), nullable=False, server_default=""),
        sa.Column("decided_by_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "value IN ('adopted', 'partly_adopted', 'not_adopted', 'out_of_scope')", name="comment_disposition_value"
        ),
    )
    op.create_index("ix_comment_dispositions_round", "comment_dispositions", ["round_id", "comment_id"])
    op.create_table(
        "summaries",
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("state", sa.String(length=10), nullable=False, server_default="draft"),
        sa.Column("overview", sa.Text(), nullable=False, server_default=""),
        sa.Column("overview_html", sa.Text(), nullable=False, server_default=""),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("published_by_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("published_json", sa.Text(), nullable=True),
        sa.Column("notified_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("state IN ('draft', 'published')", name="summary_state"),
    )


def downgrade():
    op.drop_table("summaries")
    op.drop_index("ix_comment_dispositions_round", table_name="comment_dispositions")
    op.drop_table("comment_dispositions")
    op.drop_index("ix_theme_comments_comment", table_name="theme_comments")
    op.drop_table("theme_comments")
    op.drop_index("ix_themes_round_status", table_name="themes")
    op.drop_table("themes")
    # not batch mode: rebuilding `comments` on SQLite would cascade-delete its votes and replies (see 0010)
    op.drop_column("comments", "assisted_on")
    op.drop_column("comments", "assisted_place")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("fk_comments_entered_by_id_users", "comments", type_="foreignkey")
    op.drop_column("comments", "entered_by_id")
    op.drop_column("comments", "channel")
    op.drop_column("rounds", "iap2_level")
