"""The revised charter and accountability after adoption

document_versions.adopted_at: when a version was adopted as the charter in force (its status stays "published":
an adopted version is a published one; the API calls its state "adopted").

revisions: a revised version made from a closed round's summary (version_id → the round it answers);
revision_changes: per changed, added or removed section (by stable key) the reason, and revision_change_themes the
round's themes it cites. notified_at: when the adoption e-mails were queued (once).

services: what a service standard covers, per agency (the key of commitments, complaints, surveys and report-card
rows), with the number of people served that the agency enters (for the IKM's minimum sample).
commitments: the measurable promises of an adopted service standard (draft while an agency admin corrects the
extraction, then published; superseded when a later version's commitments are published).
complaints (pengaduan) with their receipt, due date and status; complaint_events: their public history.
survey_responses: the satisfaction survey (IKM, Permenpan RB 14/2017), nine scores 1-4; survey_tallies: sums
per service and quarter kept in the same transaction, so the report card reads a few rows.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_charter_accountability"
down_revision = "0015_deliberation"


def _user_fk(name: str, **kw) -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True, **kw)


def upgrade():
    op.add_column("document_versions", sa.Column("adopted_at", sa.DateTime(), nullable=True))
    op.create_table(
        "revisions",
        sa.Column(
            "version_id", sa.Integer(), sa.ForeignKey("document_versions.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _user_fk("created_by_id"),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("adopted_at", sa.DateTime(), nullable=True),
        _user_fk("adopted_by_id"),
        sa.Column("notified_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_revisions_round", "revisions", ["round_id", "version_id"])
    op.create_table(
        "revision_changes",
        sa.Column(
            "version_id", sa.Integer(), sa.ForeignKey("revisions.version_id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("section_key", sa.String(length=120), primary_key=True),
        sa.Column("reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("reason_html", sa.Text(), nullable=False, server_default=""),
    )
    op.create_table(
        "revision_change_themes",
        sa.Column(
            "version_id", sa.Integer(), sa.ForeignKey("revisions.version_id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("section_key", sa.String(length=120), primary_key=True),
        sa.Column("theme_id", sa.Integer(), sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_index("ix_revision_change_themes_theme", "revision_change_themes", ["theme_id", "version_id"])

    op.create_table(
        "services",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("agency_id", sa.Integer(), sa.ForeignKey("agencies.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("documents.id", ondelete="SET NULL"), nullable=True),
        sa.Column("people_served", sa.Integer(), nullable=True),
        sa.Column("people_served_period", sa.String(length=60), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("agency_id", "slug", name="uq_services_agency_slug"),
        sa.UniqueConstraint("agency_id", "name", name="uq_services_agency_name"),
    )
    op.create_index("ix_services_document", "services", ["document_id"])
    op.create_table(
        "commitments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("agency_id", sa.Integer(), sa.ForeignKey("agencies.id", ondelete="CASCADE"), nullable=False),
        sa.Column("service_id", sa.Integer(), sa.ForeignKey("services.id", ondelete="CASCADE"), nullable=False),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column(
            "version_id", sa.Integer(), sa.ForeignKey("document_versions.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("section_key", sa.String(length=120), nullable=False),
        sa.Column("measure", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("value_json", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("state", sa.String(length=10), nullable=False, server_default="draft"),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        _user_fk("updated_by_id"),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        _user_fk("published_by_id"),
        sa.Column("superseded_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("kind IN ('days', 'rupiah', 'text')", name="commitment_kind"),
        sa.CheckConstraint("state IN ('draft', 'published', 'superseded')", name="commitment_state"),
    )
    op.create_index(
        "ix_commitments_agency_state", "commitments", ["agency_id", "state", "service_id", "position", "id"]
    )
    op.create_index("ix_commitments_version", "commitments", ["version_id", "position", "id"])
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tracking_number", sa.String(length=16), nullable=False, unique=True),
        sa.Column("secret_digest", sa.String(length=64), nullable=False),
        sa.Column("agency_id", sa.Integer(), sa.ForeignKey("agencies.id", ondelete="CASCADE"), nullable=False),
        sa.Column("service_id", sa.Integer(), sa.ForeignKey("services.id", ondelete="SET NULL"), nullable=True),
        sa.Column("commitment_id", sa.Integer(), sa.ForeignKey("commitments.id", ondelete="SET NULL"), nullable=True),
        _user_fk("complainant_id"),
        # for a complaint received at a counter or on paper: how to reach the complainant (never public)
        sa.Column("complainant_name", sa.String(length=120), nullable=True),
        sa.Column("complainant_contact", sa.String(length=200), nullable=True),
        sa.Column("channel", sa.String(length=8), nullable=False, server_default="web"),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("what_html", sa.Text(), nullable=False, server_default=""),
        sa.Column("where_text", sa.String(length=300), nullable=True),
        sa.Column("when_text", sa.String(length=100), nullable=True),
        sa.Column("confidential", sa.Boolean(), nullable=False, server_default=sa.false()),
        # the complaint's text is private unless its complainant asks to publish it: then "pending" until a
        # moderator approves it ("public") or turns it down ("hidden")
        sa.Column("text_visibility", sa.String(length=8), nullable=False, server_default="private"),
        sa.Column("status", sa.String(length=10), nullable=False, server_default="received"),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("received_place", sa.String(length=200), nullable=True),
        _user_fk("received_by_id"),
        sa.Column("received_by_role", sa.String(length=20), nullable=True),
        sa.Column("due_at", sa.DateTime(), nullable=False),  # the current due date (a new one after a dispute)
        sa.Column("first_due_at", sa.DateTime(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),  # the current answer (cleared by a dispute)
        sa.Column("first_answered_at", sa.DateTime(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answer_html", sa.Text(), nullable=True),
        _user_fk("answered_by_id"),
        sa.Column("answered_on_time", sa.Boolean(), nullable=True),  # the first answer, by its due date
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("disputed_at", sa.DateTime(), nullable=True),  # the last dispute
        sa.Column("dispute_reason", sa.Text(), nullable=True),
        sa.Column("dispute_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("reminded_at", sa.DateTime(), nullable=True),  # the reminder for the current due date
        sa.Column("overdue_recorded_at", sa.DateTime(), nullable=True),  # for the current due date
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("channel IN ('web', 'counter', 'paper', 'phone')", name="complaint_channel"),
        sa.CheckConstraint("status IN ('received', 'answered', 'confirmed', 'disputed')", name="complaint_status"),
        sa.CheckConstraint(
            "text_visibility IN ('private', 'pending', 'public', 'hidden')", name="complaint_text_visibility"
        ),
    )
    op.create_index("ix_complaints_agency_service", "complaints", ["agency_id", "service_id", "id"])
    op.create_index("ix_complaints_agency_received", "complaints", ["agency_id", "received_at", "id"])
    op.create_index("ix_complaints_open_due", "complaints", ["answered_at", "due_at", "id"])
    op.create_index("ix_complaints_complainant", "complaints", ["complainant_id", "id"])
    op.create_index("ix_complaints_text_visibility", "complaints", ["text_visibility", "id"])
    op.create_table(
        "complaint_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("complaint_id", sa.Integer(), sa.ForeignKey("complaints.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=True),  # never a name: "complainant", "agency_admin"…
        _user_fk("actor_id"),  # for the agency's own records; never shown publicly
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("text_html", sa.Text(), nullable=True),
    )
    op.create_index("ix_complaint_events_complaint", "complaint_events", ["complaint_id", "id"])
    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("agency_id", sa.Integer(), sa.ForeignKey("agencies.id", ondelete="CASCADE"), nullable=False),
        sa.Column("service_id", sa.Integer(), sa.ForeignKey("services.id", ondelete="CASCADE"), nullable=False),
        _user_fk("respondent_id"),  # null for a paper form entered by staff
        sa.Column("channel", sa.String(length=8), nullable=False, server_default="web"),
        _user_fk("entered_by_id"),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        *[sa.Column(f"u{n}", sa.SmallInteger(), nullable=False) for n in range(1, 10)],
        sa.Column("served_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("channel IN ('web', 'paper')", name="survey_channel"),
        sa.CheckConstraint("quarter BETWEEN 1 AND 4", name="survey_quarter"),
        *[sa.CheckConstraint(f"u{n} BETWEEN 1 AND 4", name=f"survey_u{n}") for n in range(1, 10)],
        # one response per person, service and calendar quarter (paper forms have no respondent: NULLs differ)
        sa.UniqueConstraint("service_id", "respondent_id", "year", "quarter", name="uq_survey_once_per_quarter"),
    )
    op.create_index("ix_survey_responses_service", "survey_responses", ["service_id", "year", "quarter", "id"])
    op.create_table(
        "survey_tallies",
        sa.Column("service_id", sa.Integer(), sa.ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("quarter", sa.Integer(), primary_key=True),
        sa.Column("responses", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("paper_responses", sa.Integer(), nullable=False, server_default="0"),
        *[sa.Column(f"sum_u{n}", sa.Integer(), nullable=False, server_default="0") for n in range(1, 10)],
    )


def downgrade():
    op.drop_table("survey_tallies")
    op.drop_index("ix_survey_responses_service", table_name="survey_responses")
    op.drop_table("survey_responses")
    op.drop_index("ix_complaint_events_complaint", table_name="complaint_events")
    op.drop_table("complaint_events")
    for name in (
        "ix_complaints_text_visibility",
        "ix_complaints_complainant",
        "ix_complaints_open_due",
        "ix_complaints_agency_received",
        "ix_complaints_agency_service",
    ):
        op.drop_index(name, table_name="complaints")
    op.drop_table("complaints")
    op.drop_index("ix_commitments_version", table_name="commitments")
    op.drop_index("ix_commitments_agency_state", table_name="commitments")
    op.drop_table("commitments")
    op.drop_index("ix_services_document", table_name="services")
    op.drop_table("services")
    op.drop_index("ix_revision_change_themes_theme", table_name="revision_change_themes")
    op.drop_table("revision_change_themes")
    op.drop_table("revision_changes")
    op.drop_index("ix_revisions_round", table_name="revisions")
    op.drop_table("revisions")
    op.drop_column("document_versions", "adopted_at")
