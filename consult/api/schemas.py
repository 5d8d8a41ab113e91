"""The API's answers as pydantic models: one definition per shape, from which the document's schemas are made
(consult.api.openapi) and by which the serializers build every answer (consult.api.serializers).

Every field is always present (null when it has no value), so the document lists every field as required.
Models are strict: a serializer that hands over the wrong type fails in the tests rather than changing an answer.
Times are the strings consult.timeutil.iso_utc makes (ISO 8601 with +00:00; the audit log's own with Z).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from consult.accounts.models import AGENCY_ROLES
from consult.documents.models import DocumentKind
from consult.moderation.models import Action
from consult.participation.models import Channel, CommentStatus, Stance
from consult.rounds.models import Iap2Level, RoundOrigin, RoundState


def _values(enum: Any) -> Any:
    """Literal[...] of an enum's values: the answer carries the value, the document lists them."""
    return Literal[tuple(str(member) for member in enum)]


Time = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
StanceValue = _values(Stance)


class ResponseModel(BaseModel):
    model_config = ConfigDict(strict=True, serialize_by_alias=True, json_schema_serialization_defaults_required=True)


class Agency(ResponseModel):
    slug: str
    name: str


class DocumentSummary(ResponseModel):
    id: int
    kind: _values(DocumentKind)
    title: str
    summary: str


class RoundSummary(ResponseModel):
    id: int
    title: str
    state: _values(RoundState)
    opens_at: Time
    closes_at: Time = Field(description="the effective closing time (earlier when the round was closed early)")
    verified_only: bool
    closed_early_at: Time | None
    opened_at: Time | None = Field(description="when the scheduler recorded the opening; null before")
    origin: _values(RoundOrigin) = Field(
        description="live: scheduled on this site; imported or demo rounds keep their dates"
    )
    agency: Agency
    document: DocumentSummary
    document_id: int = Field(description="the id of the round's document (GET /documents/{id}/versions)")
    iap2_level: _values(Iap2Level) = Field(
        description="the level of public participation the round promises (IAP2 spectrum): inform, consult, "
        "involve, collaborate or empower"
    )


class Version(ResponseModel):
    id: int
    number: int
    published_at: Time | None


class Section(ResponseModel):
    id: int
    key: str
    position: int
    level: int
    title: str
    body: str
    body_html: str


class RoundChange(ResponseModel):
    """A closing or an extension by a person, with the public reason."""

    kind: Literal["closed_early", "extended"]
    at: Time
    reason: str
    closes_before: Time | None
    closes_at: Time | None


class Round(RoundSummary):
    version: Version
    sections: list[Section]
    changes: list[RoundChange] = Field(description="closings and extensions by people, with their public reasons")


class RoundPage(ResponseModel):
    items: list[RoundSummary]
    next_cursor: str | None


class AuditEntry(ResponseModel):
    seq: int
    at: str
    actor: str
    action: str
    subject_type: str
    subject_id: str
    data: dict[str, Any]
    prev_hash: str
    hash: str


class AuditHead(ResponseModel):
    seq: int
    hash: str
    at: str | None
    signature: str = Field(description='Ed25519 over the canonical JSON of {"seq", "hash", "at"}, base64')
    key_id: str = Field(description="the signing key (GET /api/v1/audit/keys): SHA-256 of the public key, 16 hex")


class AuditKey(ResponseModel):
    key_id: str
    public_key: str = Field(description="the raw 32-byte Ed25519 public key, base64")
    valid_from: str = Field(alias="from", serialization_alias="from")
    until: str | None = Field(description="when the key was retired; null for the key in use")


class AuditPage(ResponseModel):
    items: list[AuditEntry]
    next_cursor: str | None
    head: AuditHead


class Membership(ResponseModel):
    slug: str
    role: _values(AGENCY_ROLES)


class Me(ResponseModel):
    id: int
    name: str
    verified: bool
    admin: bool
    observer: bool
    agencies: list[Membership]


class Counts(ResponseModel):
    agree: int
    disagree: int
    pass_: int = Field(alias="pass")


class Moderation(ResponseModel):
    """Why a hidden comment is hidden."""

    rule: str | None = Field(
        description="the house rule's number; null while a comment hidden automatically awaits review"
    )
    rule_title: str | None
    reason: str
    hidden_at: Time | None
    automatic: bool = Field(description="hidden after reports, pending review")


class Comment(ResponseModel):
    id: int
    round_id: int
    section_id: int | None = Field(description="null for a comment on the whole document")
    parent_id: int | None = Field(description="the top-level comment a reply answers")
    stance: StanceValue | None
    status: _values(CommentStatus)
    created_at: Time
    edited_at: Time | None
    author: str = Field(
        description="the public pseudonym (Warga-…) or the chosen name; for an official comment, the agency's name"
    )
    author_kind: Literal["pseudonym", "name", "agency"] = Field(
        description="pseudonym: given by the platform; name: typed by the participant, not checked; agency: the "
        "agency's own voice"
    )
    official: bool = Field(
        description="true for the agency's own voice: posted by a moderator or agency admin of the round's agency"
    )
    official_role: _values(AGENCY_ROLES) | None = Field(
        description="for an official comment, the role its writer held in the agency when posting; null otherwise"
    )
    body: str | None = Field(description="source text; null unless status is visible")
    body_html: str | None = Field(description="sanitised HTML; null unless visible")
    counts: Counts
    reply_count: int
    moderation: Moderation | None = Field(description="the rule and reason of a hidden comment (null otherwise)")
    channel: _values(Channel) = Field(
        description="where it came from: web, or entered by agency staff on a citizen's behalf (counter, paper, "
        "phone, forum)"
    )
    assisted_place: str | None = Field(
        description="for a comment entered by staff: where it was given (the counter's office, the forum's place)"
    )
    assisted_on: str | None = Field(
        description="for a comment entered by staff: the day it was given (the forum's date, or the day a counter "
        "or letter received it), YYYY-MM-DD; null for web comments",
        json_schema_extra={"format": "date"},
    )


class PostedComment(Comment):
    url: str = Field(description="the comment's page on this site")


class CommentPage(ResponseModel):
    items: list[Comment]
    next_cursor: str | None


class VoteResult(ResponseModel):
    comment_id: int
    value: Literal[1, -1, 0]
    counts: Counts


class Tally(ResponseModel):
    support: int
    oppose: int
    neutral: int
    comments: int


class StanceResult(ResponseModel):
    round_id: int
    section_id: int
    value: StanceValue
    tally: Tally


class ReportResult(ResponseModel):
    id: int
    comment_id: int


class ModerationEntry(ResponseModel):
    """One row of the public moderation log: never a comment's text, an e-mail address or a name."""

    id: int
    action: _values(Action)
    comment_id: int | None
    round_id: int | None
    agency: Agency
    rule: str | None = Field(description="the house rule's number")
    rule_title: str | None = Field(description="the rule's title when it was cited")
    reason: str
    moderator: str = Field(description='Moderator-XXXXX (stable per agency), or "sistem"')
    participant: str | None = Field(
        description="blocks: the person's pseudonym in the round of the comment (never a name or e-mail)"
    )
    until: Time | None = Field(description="blocks: until when")
    created_at: Time


class ModerationLog(ResponseModel):
    items: list[ModerationEntry]
    next_cursor: str | None


Ref = int | str  # our id, or for a round imported from Polis the Polis participant id or comment-id as exported


class OpinionParticipant(ResponseModel):
    participant: Ref = Field(
        description="the participant's pseudonym in the round (the Polis participant id if imported)"
    )
    group: int
    x: float
    y: float


class OpinionConsensus(ResponseModel):
    comment_id: Ref
    direction: Literal["agree", "disagree"]
    score: float = Field(description="group-informed consensus: the product over groups of (agrees + 1) / (seen + 2)")


class OpinionDivisive(ResponseModel):
    comment_id: Ref
    score: float = Field(description="the largest difference between two groups' agree rates")


class Opinion(ResponseModel):
    """`flask opinion compute --json` as stored by the last computation (CONTRACT.md), and when it was made."""

    round_id: int
    k: int = Field(description="the number of opinion groups; 0 when there are too few votes yet")
    participants: list[OpinionParticipant]
    consensus: list[OpinionConsensus]
    divisive: list[OpinionDivisive]
    section: str | None = Field(description="the section's key, or null for the whole round")
    computed_at: Time | None = Field(description="null when nothing was computed yet")
    final: bool = Field(description="computed after the round closed: it no longer changes")
    vote_count: int
    message: str | None = Field(description="why the result is empty")


class CampaignItem(ResponseModel):
    id: int
    size: int = Field(description="how many comments (signatures) the campaign holds, the representative included")
    representative_id: Ref
    comment_ids: list[Ref]


class Campaigns(ResponseModel):
    """`flask campaigns detect --json` as stored by the last detection (CONTRACT.md)."""

    round_id: int
    campaigns: list[CampaignItem]
    computed_at: Time | None
    final: bool = Field(description="detected after the round closed: the campaign ids are fixed")


class OpenApiDocument(ResponseModel):
    """This document (OpenAPI 3.1)."""

    model_config = ConfigDict(extra="allow")
    openapi: str
    info: dict[str, Any]
    servers: list[dict[str, Any]]
    paths: dict[str, Any]
    components: dict[str, Any]


class ErrorDetail(BaseModel):
    code: str = Field(
        description="bad_request, unauthorized, forbidden, not_found, method_not_allowed, conflict, "
        "request_entity_too_large, invalid, rate_limited"
    )
    message: str = Field(description="in the reader's language (Indonesian by default)")
    fields: dict[str, str] = Field(default_factory=dict, description="422: each refused field and why")


class Error(BaseModel):
    """Every error: 422 `invalid` names each bad field in `fields`."""

    error: ErrorDetail
