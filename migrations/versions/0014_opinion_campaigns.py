"""Opinion groups, campaigns and rounds imported from Polis

opinion_results: the last computed opinion groups of a round (section_key "") or of one section of it, as the
contract JSON, the full result (groups, per-comment statistics) and the state the next computation smooths
against; snapshot says which votes it was computed from, so that the scheduled job recomputes only when
something changed; checked_at is when the job last looked (so that unchanged rounds wait their turn).

campaigns / campaign_members: mass-comment campaigns (near-identical comments) of a round. number is the
detector's stable id inside the round; the row's id is the campaign id of the API. campaign_scans: when a
round's comments were last scanned and from which snapshot.

rounds.source_url / source_attribution / external_id, participants.external_id, comments.external_id: a
round imported from a Polis export keeps the conversation's URL, its CC BY attribution, the Polis participant
ids and comment ids.

ix_comment_votes_snapshot (comment_id, user_id, value, id) on SQLite, and on PostgreSQL the UNIQUE (comment_id,
user_id) constraint's index with INCLUDE (value, id) instead of a second index: the opinion computation reads every
vote of a round from this index alone (an index-only scan: 2 million votes in about 3 s instead of 10 s of row lookups),
and the job's "did anything change" question (count, last id, sums of the values) too.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_opinion_campaigns"
down_revision = "0013_agency_voice"


def upgrade():
    op.create_table(
        "opinion_results",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False),
        sa.Column("section_key", sa.String(length=120), nullable=False, server_default=""),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.Column("snapshot", sa.String(length=200), nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("participant_count", sa.Integer(), nullable=False),
        sa.Column("vote_count", sa.Integer(), nullable=False),
        sa.Column("contract_json", sa.Text(), nullable=False),
        sa.Column("detail_json", sa.Text(), nullable=False),
        sa.Column("state_json", sa.Text(), nullable=False),
        sa.Column("message", sa.String(length=300), nullable=True),
        sa.UniqueConstraint("round_id", "section_key", name="uq_opinion_results_round_section"),
    )
    op.create_table(
        "campaign_scans",
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.Column("snapshot", sa.String(length=200), nullable=False),
        sa.Column("comment_count", sa.Integer(), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("representative_id", sa.Integer(), sa.ForeignKey("comments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("round_id", "number", name="uq_campaigns_round_number"),
        sa.Index("ix_campaigns_round_size", "round_id", "size", "id"),
    )
    op.create_table(
        "campaign_members",
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("comment_id", sa.Integer(), sa.ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("added_text", sa.Text(), nullable=False, server_default=""),
        sa.Index("ix_campaign_members_comment", "comment_id"),
    )
    op.add_column("rounds", sa.Column("source_url", sa.String(length=500), nullable=True))
    op.add_column("rounds", sa.Column("source_attribution", sa.Text(), nullable=True))
    op.add_column("rounds", sa.Column("external_id", sa.String(length=100), nullable=True))
    op.add_column("participants", sa.Column("external_id", sa.String(length=40), nullable=True))
    op.add_column("comments", sa.Column("external_id", sa.String(length=40), nullable=True))
    op.create_index("ix_comments_round_external", "comments", ["round_id", "external_id"])
    if op.get_bind().dialect.name == "postgresql":
        # the UNIQUE (comment, user) index carries value and id itself: one index less to keep up on every vote
        op.drop_constraint("uq_comment_votes_comment_id_user_id", "comment_votes", type_="unique")
        op.execute(
            "ALTER TABLE comment_votes ADD CONSTRAINT uq_comment_votes_comment_id_user_id "
            "UNIQUE (comment_id, user_id) INCLUDE (value, id)"
        )
    else:
        op.create_index("ix_comment_votes_snapshot", "comment_votes", ["comment_id", "user_id", "value", "id"])


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("uq_comment_votes_comment_id_user_id", "comment_votes", type_="unique")
        op.create_unique_constraint("uq_comment_votes_comment_id_user_id", "comment_votes", ["comment_id", "user_id"])
    else:
        op.drop_index("ix_comment_votes_snapshot", table_name="comment_votes")
    op.drop_index("ix_comments_round_external", table_name="comments")
    # not batch mode: rebuilding `comments` on SQLite would cascade-delete its votes and replies (see 0010)
    op.drop_column("comments", "external_id")
    op.drop_column("participants", "external_id")
    op.drop_column("rounds", "external_id")
    op.drop_column("rounds", "source_attribution")
    op.drop_column("rounds", "source_url")
    op.drop_table("campaign_members")
    op.drop_table("campaigns")
    op.drop_table("campaign_scans")
    op.drop_table("opinion_results")
