"""JSON API v1: the frozen archives of a round (CONTRACT.md, "The public record")."""

from __future__ import annotations

from flask import url_for
from pydantic import Field, RootModel

from consult.api.schemas import AuditHead, ResponseModel, Time
from consult.api.views import api
from consult.monitoring import archives
from consult.rounds.services import get_round
from consult.timeutil import iso_utc


class ArchiveOut(ResponseModel):
    created_at: Time
    reason: str = Field(description="closed | summary_published | adopted: the moment it was frozen at")
    sha256: str = Field(description="SHA-256 of the zip file as served")
    size: int = Field(description="bytes")
    audit_head: AuditHead
    url: str


class ArchiveList(RootModel[list[ArchiveOut]]):
    """A JSON array (CONTRACT.md), oldest first; GET /rounds/{id}/archive.zip serves the last."""


@api.get(
    "/rounds/{round_id}/archives",
    summary="The frozen archives of a round's public record, with their hashes",
    description="Frozen when the round closes, when its summary is published and when the revised version made "
    "from it is adopted. An archive never changes once written.",
    ok=ArchiveList,
    errors=[404],
)
def round_archives(round_id: int) -> ArchiveList:
    rnd = get_round(round_id)
    return ArchiveList(
        [
            ArchiveOut(
                created_at=iso_utc(a.created_at),
                reason=a.reason,
                sha256=a.sha256,
                size=a.size,
                audit_head=AuditHead(**a.audit_head),
                url=url_for("record.archive_file", round_id=rnd.id, archive_id=a.id, _external=True),
            )
            for a in archives.archives_of(rnd.id)
        ]
    )
