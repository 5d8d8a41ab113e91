"""Published document versions, kept in memory by each process: once published, a version never changes.

The round page and every comment posted on a section need the sections of the round's version. Reading them
from the database each time cost two queries per page; a published version (its number and its sections'
ids, keys, titles and rendered HTML) is immutable (publish_version() is the last write to it, and a new
version is a new row with new sections), so each process keeps what it read. Drafts are never kept.
Tests empty the database between tests and ids start again at 1, so they call clear() then.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from consult.documents.models import DocumentVersion, Section, VersionStatus
from consult.extensions import db


@dataclass(frozen=True, slots=True)
class SectionView:
    id: int
    key: str
    position: int
    level: int
    title: str
    body_html: str


@dataclass(frozen=True, slots=True)
class PublishedVersion:
    id: int
    document_id: int
    number: int
    sections: tuple[SectionView, ...]
    section_ids: frozenset[int]


_CACHE: dict[int, PublishedVersion] = {}
_MAX = 500  # versions per process; far more than the rounds open at once


def published_version(version_id: int) -> PublishedVersion | None:
    """The published version `version_id` (from memory after the first read), or None if it is not published."""
    found = _CACHE.get(version_id)
    if found is not None:
        return found
    version = db.session.get(DocumentVersion, version_id)
    if version is None or version.status != VersionStatus.PUBLISHED:
        return None
    rows = db.session.execute(
        sa.select(Section.id, Section.key, Section.position, Section.level, Section.title, Section.body_html)
        .where(Section.version_id == version_id)
        .order_by(Section.position)
    ).all()
    sections = tuple(SectionView(*row) for row in rows)
    found = PublishedVersion(
        version.id, version.document_id, version.number, sections, frozenset(s.id for s in sections)
    )
    if len(_CACHE) >= _MAX:
        _CACHE.clear()
    _CACHE[version_id] = found
    return found


def clear() -> None:
    _CACHE.clear()
