"""Indexes for the report card and the staff list's open and overdue filters (measured: docs/PERFORMANCE.md, "Report
card (issue 13)")

ix_complaints_report_card: every column the report card's GROUP BY over an agency's complaints reads (service,
answered_at, due_at, status, first_answered_at, answered_on_time, dispute_count), so the database counts from the
index alone instead of reading each complaint's row (texts and all): with 100,000 complaints on SQLite about
40 ms instead of about 100 ms per report card. Still a scan of the agency's complaints; see PERFORMANCE.md.

ix_complaints_agency_open: the open complaints (answered_at IS NULL) of an agency, newest received first, with
their due date in the index: the staff list's "open" and "overdue" filters walk it in order and test due_at
without reading the rows (overdue, first page, 100,000 complaints: about 3 ms instead of about 75 ms on SQLite).
An index on (agency_id, answered_at, due_at), as once suggested, is not used for that list: it is ordered by
received_at.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_report_card_indexes"
down_revision = "0016_charter_accountability"

REPORT_CARD_COLUMNS = [
    "agency_id",
    "service_id",
    "answered_at",
    "due_at",
    "status",
    "first_answered_at",
    "answered_on_time",
    "dispute_count",
]


def upgrade():
    op.create_index("ix_complaints_report_card", "complaints", REPORT_CARD_COLUMNS)
    op.create_index(
        "ix_complaints_agency_open",
        "complaints",
        ["agency_id", "received_at", "id", "due_at"],
        sqlite_where=sa.text("answered_at IS NULL"),
        postgresql_where=sa.text("answered_at IS NULL"),
    )


def downgrade():
    op.drop_index("ix_complaints_agency_open", table_name="complaints")
    op.drop_index("ix_complaints_report_card", table_name="complaints")
