"""A document's published versions as the public reads them, with the rounds that consulted on each: the page
of a version says which rounds consulted on it and on earlier versions; a round's page links to the version
it consulted on and to a newer one when there is one (Document.latest_published_number)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from consult.documents.models import Document, DocumentVersion, VersionStatus
from consult.errors import NotFound
from consult.extensions import db
from consult.rounds.models import Round


@dataclass(frozen=True)
class VersionPage:
    document: Document
    version: DocumentVersion
    published: list[DocumentVersion]  # every published version, oldest first
    rounds: list[tuple[int, Round]]  # (version number, round) for every round on the document, oldest version first

    @property
    def rounds_on_this(self) -> list[Round]:
        return [r for number, r in self.rounds if number == self.version.number]

    @property
    def rounds_on_earlier(self) -> list[tuple[int, Round]]:
        return [(number, r) for number, r in self.rounds if number < self.version.number]

    @property
    def newer(self) -> DocumentVersion | None:
        return self.published[-1] if self.published[-1].number > self.version.number else None


def version_page(document_id: int, number: int) -> VersionPage:
    """Published version `number` of the document, its sibling versions and the document's rounds (3 queries).
    A draft, or a version that does not exist, is a 404: drafts are the agency's, not the public's."""
    document = db.session.get(Document, document_id)
    if document is None:
        raise NotFound()
    published = list(
        db.session.scalars(
            sa.select(DocumentVersion)
            .where(DocumentVersion.document_id == document_id, DocumentVersion.status == VersionStatus.PUBLISHED.value)
            .order_by(DocumentVersion.number)
        )
    )
    version = next((v for v in published if v.number == number), None)
    if version is None:
        raise NotFound()
    rounds = list(
        db.session.execute(
            sa.select(DocumentVersion.number, Round)
            .join(DocumentVersion, DocumentVersion.id == Round.version_id)
            .where(Round.document_id == document_id)
            .order_by(DocumentVersion.number, Round.opens_at, Round.id)
        ).tuples()
    )
    return VersionPage(document, version, published, rounds)
