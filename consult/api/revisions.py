"""JSON API v1: document versions, the revised version made from a round's summary, adoption and the word diff
(CONTRACT.md, "The revised charter")."""

from __future__ import annotations

from typing import Any

from pydantic import Field, RootModel

from consult.api.auth import api_user
from consult.api.bodies import RequestModel, checked_by_service, identifier
from consult.api.schemas import ResponseModel, Time
from consult.api.spec import Query
from consult.api.views import api
from consult.deliberation.services import get_round
from consult.deliberation.services import revisions as service
from consult.documents.models import DocumentVersion
from consult.documents.services import get_document
from consult.errors import Invalid, NotFound
from consult.i18n import lazy_gettext as _l
from consult.timeutil import iso_utc


class VersionOut(ResponseModel):
    id: int
    document_id: int
    number: int
    state: str = Field(description="draft | published | adopted")
    published_at: Time | None
    adopted_at: Time | None
    round_id: int | None = Field(description="for a revised version: the consultation it answers")


def _version(v: DocumentVersion, round_id: int | None = None) -> VersionOut:
    return VersionOut(
        id=v.id,
        document_id=v.document_id,
        number=v.number,
        state=v.state,
        published_at=iso_utc(v.published_at),
        adopted_at=iso_utc(v.adopted_at),
        round_id=round_id,
    )


class Versions(RootModel[list[VersionOut]]):
    """A JSON array, oldest first (CONTRACT.md)."""


def _visible(v: DocumentVersion) -> bool:
    if not v.is_draft:
        return True
    return service.can_manage_agency(api_user(), v.document.agency)


@api.get(
    "/documents/{document_id}/versions",
    summary="A document's versions, oldest first",
    description="Drafts are listed only for the agency's admins (with their token).",
    ok=Versions,
    errors=[404],
)
def document_versions(document_id: int) -> Versions:
    document = get_document(document_id)
    rounds = service.revision_rounds([v.id for v in document.versions])
    return Versions([_version(v, rounds.get(v.id)) for v in document.versions if _visible(v)])


class NewVersion(RequestModel):
    documented_required = ("round_id", "sections")
    round_id: identifier(description="the closed round whose published summary this version answers") = None
    sections: checked_by_service(
        {
            "type": "array",
            "description": 'every section of the revised text, in order: {"key"?, "level"?, "title", "body"}; '
            "a section without key is new, a key left out is removed",
            "items": {"type": "object"},
        }
    ) = None
    changes: checked_by_service(
        {
            "type": "object",
            "description": '{"<section key>": {"theme_ids": [N, ...], "reason"?: str}} per changed, added or '
            "removed section",
        }
    ) = None


@api.post(
    "/documents/{document_id}/versions",
    summary="Start a revised draft from the latest published or adopted version (agency admins)",
    description="The round must be closed and its summary published (409 otherwise). A new POST replaces the "
    "document's pending draft. Theme ids must be accepted themes of that round (422).",
    auth=True,
    ok=(201, VersionOut),
    body=NewVersion,
    errors=[403, 404, 409],
)
def create_version(document_id: int, body: NewVersion) -> VersionOut:
    document = get_document(document_id)
    if body.round_id is None:
        raise Invalid(fields={"round_id": _l("Name the round whose summary this version answers.")})
    rnd = get_round(body.round_id)
    if rnd.document_id != document.id:
        raise NotFound()
    version = service.start_revision(api_user(), rnd, body.sections, body.changes)
    return _version(version, rnd.id)


@api.post(
    "/versions/{version_id}/adopt",
    summary="Adopt a revised version as the charter in force (agency admins)",
    description="409 while a changed, added or removed section cites no theme and gives no reason (the message "
    "names them), or when already adopted. Audited as version.adopted; participants and followers of the round "
    "are e-mailed.",
    auth=True,
    ok=VersionOut,
    errors=[403, 404, 409],
)
def adopt_version(version_id: int) -> VersionOut:
    version = service.get_version(version_id)
    revision = service.revision_of(version.id)
    adopted = service.adopt_version(api_user(), version)
    return _version(adopted, revision.round_id if revision else None)


class DiffSection(ResponseModel):
    key: str
    title: str
    change: str = Field(description="added | removed | changed | unchanged")
    ops: list[list[str]] = Field(description='word-level [["equal"|"insert"|"delete", text], ...]')
    theme_ids: list[int]
    reason: str | None


class DiffOut(ResponseModel):
    version_id: int
    against_id: int | None
    sections: list[DiffSection]


@api.get(
    "/versions/{version_id}/diff",
    summary="The word diff of a version against another version of the same document, per section",
    description="Sections are matched by their stable key. Without `against`, the previous published version. A "
    "draft is visible only to the agency's admins.",
    ok=DiffOut,
    errors=[404],
    query=[Query.id_arg("against", "the version to compare with")],
)
def version_diff(version_id: int, against: int | None) -> DiffOut:
    version = service.get_version(version_id)
    if not _visible(version):
        raise NotFound()
    other = service.get_version(against) if against else service.previous_version(version)
    if other is not None and not _visible(other):
        raise NotFound()
    data: dict[str, Any] = service.version_diff(version, other)
    return DiffOut(
        version_id=version.id,
        against_id=other.id if other is not None else None,
        sections=[
            DiffSection(
                key=s["key"],
                title=s["title"],
                change=s["change"],
                ops=[list(op) for op in s["ops"]],
                theme_ids=list(s["theme_ids"]),
                reason=s["reason"],
            )
            for s in data["sections"]
        ],
    )
