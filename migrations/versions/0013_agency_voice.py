"""The agency's own voice, reports that name a house rule, and the list of all comments of a round

comments.official_role: "moderator" or "agency_admin" when the comment was posted by staff of the round's
agency (it is shown as the agency's response, "Tanggapan Dinas", never under a citizen pseudonym), recorded
when it is posted so that a later change of roles does not rewrite history; NULL for everyone else.

reports.rule_number and reports.rule_title: the house rule the reporter says the comment breaks, as a
snapshot (NULL: "other", the reason says what); the moderators' queue and review show it.

ix_comments_round_new (round_id, id): the moderators' list of every new comment of a round (replies
included), newest first, read by keyset from the index.


"""

import sqlalchemy as sa
from alembic import op

revision = "0013_agency_voice"
down_revision = "0012_submission_keys"


def upgrade():
    op.add_column("comments", sa.Column("official_role", sa.String(length=20), nullable=True))
    op.add_column("reports", sa.Column("rule_number", sa.Integer(), nullable=True))
    op.add_column("reports", sa.Column("rule_title", sa.String(length=120), nullable=True))
    op.create_index("ix_comments_round_new", "comments", ["round_id", "id"])


def downgrade():
    op.drop_index("ix_comments_round_new", table_name="comments")
    # not batch mode: rebuilding `comments` on SQLite would cascade-delete its votes and replies (see 0010)
    op.drop_column("reports", "rule_title")
    op.drop_column("reports", "rule_number")
    op.drop_column("comments", "official_role")
