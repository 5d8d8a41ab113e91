"""Documents, versions and sections.

A document has numbered versions; the newest may be a draft that its agency edits. A version is split into
sections, each with a `key` that stays the same across versions (the heading's slug for a policy, the
component code for a service standard), so comments and later versions can be matched section by section.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from consult.agencies.models import Agency
from consult.extensions import db
from consult.timeutil import utcnow


class DocumentKind(enum.StrEnum):
    POLICY = "policy"
    SERVICE_STANDARD = "service_standard"


class VersionStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Document(db.Model):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(300), default="")
    service_name: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    agency: Mapped[Agency] = relationship(lazy="joined")
    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", order_by="DocumentVersion.number", cascade="all, delete-orphan"
    )

    @property
    def latest_version(self) -> DocumentVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def latest_published(self) -> DocumentVersion | None:
        published = [v for v in self.versions if v.status == VersionStatus.PUBLISHED]
        return published[-1] if published else None


class DocumentVersion(db.Model):
    __tablename__ = "document_versions"
    __table_args__ = (sa.UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"))
    number: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(20), default=VersionStatus.DRAFT)
    body_markdown: Mapped[str] = mapped_column(sa.Text, default="")  # the policy text as written
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    published_at: Mapped[dt.datetime | None]
    # when it was adopted as the charter in force (migration 0016); an adopted version stays "published"
    adopted_at: Mapped[dt.datetime | None]

    document: Mapped[Document] = relationship(back_populates="versions")
    sections: Mapped[list[Section]] = relationship(
        back_populates="version", order_by="Section.position", cascade="all, delete-orphan"
    )

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def state(self) -> str:
        """draft, published or adopted (CONTRACT.md, GET /api/v1/documents/{id}/versions)."""
        return "adopted" if self.adopted_at is not None else self.status


class Section(db.Model):
    __tablename__ = "sections"
    __table_args__ = (
        sa.UniqueConstraint("version_id", "key"),
        sa.UniqueConstraint("version_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("document_versions.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(120))
    position: Mapped[int]
    level: Mapped[int] = mapped_column(default=2)
    title: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown source
    body_html: Mapped[str] = mapped_column(sa.Text, default="")  # rendered once by consult.sanitize

    version: Mapped[DocumentVersion] = relationship(back_populates="sections")


# The number of the document's newest published version, read in the same SELECT as the document (a correlated
# subquery on the UNIQUE (document_id, number) index): the round page says when a newer version than the one it
# consulted on is published, without one query more.
Document.latest_published_number = column_property(
    sa.select(sa.func.max(DocumentVersion.number))
    .where(DocumentVersion.document_id == Document.id, DocumentVersion.status == VersionStatus.PUBLISHED.value)
    .correlate_except(DocumentVersion)
    .scalar_subquery()
)
