"""What rounds hears from the features below it (consult/signals.py), connected when the app is built."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from consult import signals
from consult.documents.models import DocumentVersion
from consult.extensions import db
from consult.rounds.models import Round


def _on_version_published(version: DocumentVersion, **_extra: Any) -> None:
    """A new version of a document is published: the pages of the document's rounds now say so and link to it,
    so their anonymous copies (keyed by rounds.public_revision, consult/pagecache.py) must be made again. One
    UPDATE in the publishing transaction, however many rounds the document had."""
    db.session.execute(
        sa.update(Round)
        .where(Round.document_id == version.document_id)
        .values(public_revision=Round.public_revision + 1)
        .execution_options(synchronize_session=False)
    )


def connect_signals() -> None:
    """create_app calls this: rounds hears what documents announces."""
    signals.version_published.connect(_on_version_published)
