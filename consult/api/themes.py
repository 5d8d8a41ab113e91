"""JSON API v1: themes of a closed round, tagging comments into them, and the agency's answers (CONTRACT.md,
"Deliberation"). The rules are consult.deliberation.services (themes, dispositions, suggestions); the staff pages
call the same functions. 403 for whoever may not, 409 for an open round or a published summary, 422 naming the
field for bad input.
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from consult.api.auth import api_user
from consult.api.bodies import NONBLANK, RequestModel, _document, checked_by_service, identifier, text
from consult.api.schemas import ResponseModel
from consult.api.views import api
from consult.deliberation import theme_listing
from consult.deliberation.models import DISPOSITIONS, Theme
from consult.deliberation.services import dispositions
from consult.deliberation.services import themes as services
from consult.deliberation.services.common import get_round
from consult.deliberation.services.dispositions import MAX_RESPONSE
from consult.deliberation.services.themes import MAX_IDS, MAX_SYNTHESIS, MAX_TITLE
from consult.deliberation.theme_queries import theme_counts
from consult.errors import NotAllowed
from consult.i18n import lazy_gettext as _l
from consult.params import MAX_ID
from consult.participation.services import get_comment

DispositionValue = Literal[DISPOSITIONS]


class Disposition(ResponseModel):
    value: DispositionValue
    response: str


class ThemeData(ResponseModel):
    id: int
    round_id: int
    title: str
    synthesis: str
    synthesis_html: str
    status: Literal["accepted", "suggested", "rejected"]
    terms: str | None = Field(description="a suggestion's top words, as the topic model found them")
    comment_count: int = Field(description="distinct comments, the copies of a campaign counted once")
    signature_count: int = Field(description="every tagged comment, each campaign copy included")
    disposition: Disposition | None


class ThemeList(ResponseModel):
    items: list[ThemeData]


class ThemeCounts(ResponseModel):
    comment_count: int = Field(description="the theme's total after the call: a campaign counted once")
    signature_count: int = Field(description="every tagged comment, each campaign copy included")


class CommentDispositionData(ResponseModel):
    comment_id: int
    value: DispositionValue
    response: str


Title = text(minLength=1, maxLength=MAX_TITLE, pattern=NONBLANK, nullable=True, description="at most 200 characters")
Synthesis = text(maxLength=MAX_SYNTHESIS, nullable=True, description="Markdown subset, as in comments")


class CreateTheme(RequestModel):
    documented_required = ("title",)
    title: text(minLength=1, maxLength=MAX_TITLE, pattern=NONBLANK, description="at most 200 characters") = None
    synthesis: Synthesis = None


class UpdateTheme(RequestModel):
    title: Title = None
    synthesis: Synthesis = None


def _exactly_one(schema: dict, model: type[RequestModel]) -> None:
    """The body's document: exactly one of the three ways to name comments, not null."""
    _document(schema, model)
    schema["oneOf"] = [
        {"required": ["comment_ids"], "properties": {"comment_ids": {"type": "array"}}},
        {"required": ["campaign_id"], "properties": {"campaign_id": {"type": "integer"}}},
        {"required": ["section_key"], "properties": {"section_key": {"type": "string"}}},
    ]


class TagComments(RequestModel):
    """Exactly one of comment_ids, campaign_id or section_key. All or nothing."""

    model_config = ConfigDict(strict=True, extra="ignore", json_schema_extra=_exactly_one)
    comment_ids: checked_by_service(
        {
            "type": ["array", "null"],
            "items": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            "minItems": 1,
            "maxItems": MAX_IDS,
            "description": "comments of this round",
        }
    ) = None
    campaign_id: identifier(nullable=True, description="every comment of this campaign of the round") = None
    section_key: text(nullable=True, description="every visible comment of this section of the round's document") = None


class SetDisposition(RequestModel):
    documented_required = ("value", "response")
    value: checked_by_service({"type": "string", "enum": list(DISPOSITIONS)}) = None
    response: checked_by_service(
        {
            "type": "string",
            "pattern": NONBLANK,
            "maxLength": MAX_RESPONSE,
            "description": "required for every value; for not_adopted, the reason",
        }
    ) = None


def theme_data(theme: Theme, counts: dict[int, tuple[int, int]] | None = None) -> ThemeData:
    if counts is None:
        counts = theme_counts(theme.round_id, [theme.id])
    comments, signatures = counts.get(theme.id, (0, 0))
    answer = (
        Disposition(value=theme.disposition_value, response=theme.disposition_response or "")
        if theme.disposition_value
        else None
    )
    return ThemeData(
        id=theme.id,
        round_id=theme.round_id,
        title=theme.title,
        synthesis=theme.synthesis or "",
        synthesis_html=theme.synthesis_html or "",
        status=theme.status,
        terms=theme.terms,
        comment_count=comments,
        signature_count=signatures,
        disposition=answer,
    )


@api.get(
    "/rounds/{round_id}/themes",
    summary="The themes of a round with their counts and draft answers (the agency's staff)",
    auth=True,
    ok=ThemeList,
    errors=[403, 404],
)
def list_themes(round_id: int) -> ThemeList:
    rnd = get_round(round_id)
    if not services.can_deliberate(api_user(), rnd):
        raise NotAllowed(_l("Only the moderators and admins of this agency can work on the themes of its rounds."))
    counts = theme_counts(rnd.id)
    return ThemeList(items=[theme_data(t, counts) for t in theme_listing.round_themes(rnd.id)])


@api.post(
    "/rounds/{round_id}/themes",
    summary="Create a theme of a closed round (moderators and agency admins of its agency)",
    description="409 while the round is open or once its summary is published; 422 naming title. Audited as "
    "theme.created.",
    auth=True,
    body=CreateTheme,
    ok=(201, ThemeData),
    errors=[403, 404, 409],
)
def create_theme(round_id: int, body: CreateTheme) -> ThemeData:
    return theme_data(services.create_theme(api_user(), get_round(round_id), body.title, body.synthesis))


@api.patch(
    "/themes/{theme_id}",
    summary="Rename a theme or change its synthesis",
    auth=True,
    body=UpdateTheme,
    ok=ThemeData,
    errors=[403, 404, 409],
)
def update_theme(theme_id: int, body: UpdateTheme) -> ThemeData:
    theme = services.get_theme(theme_id)
    return theme_data(services.update_theme(api_user(), theme, title=body.title, synthesis=body.synthesis))


@api.post(
    "/themes/{theme_id}/comments",
    summary="Tag comments into a theme: a list of ids, a whole campaign or a whole section (all or nothing)",
    description="Repeating it changes nothing. The answer is the theme's total after the call: comment_count "
    "with a campaign counted once, signature_count with every copy. 422 names comment_ids (an unknown id or "
    "a comment of another round), campaign_id or section_key.",
    auth=True,
    body=TagComments,
    ok=ThemeCounts,
    errors=[403, 404, 409],
)
def tag_comments(theme_id: int, body: TagComments) -> ThemeCounts:
    theme = services.get_theme(theme_id)
    services.tag(
        api_user(), theme, comment_ids=body.comment_ids, campaign_id=body.campaign_id, section_key=body.section_key
    )
    comments, signatures = theme_counts(theme.round_id, [theme.id]).get(theme.id, (0, 0))
    return ThemeCounts(comment_count=comments, signature_count=signatures)


@api.put(
    "/themes/{theme_id}/disposition",
    summary="The agency's answer to a theme (agency admins): adopted, partly adopted, not adopted, out of scope",
    description="A response for every value; for not_adopted it states the reason (422 naming value or "
    "response). Every comment in the theme inherits it. A draft until the summary is published.",
    auth=True,
    body=SetDisposition,
    ok=ThemeData,
    errors=[403, 404, 409],
)
def set_theme_disposition(theme_id: int, body: SetDisposition) -> ThemeData:
    theme = services.get_theme(theme_id)
    return theme_data(dispositions.set_theme_disposition(api_user(), theme, body.value, body.response))


@api.put(
    "/comments/{comment_id}/disposition",
    summary="The agency's own answer to one comment, overriding its themes' (agency admins)",
    auth=True,
    body=SetDisposition,
    ok=CommentDispositionData,
    errors=[403, 404, 409],
)
def set_comment_disposition(comment_id: int, body: SetDisposition) -> CommentDispositionData:
    row = dispositions.set_comment_disposition(api_user(), get_comment(comment_id), body.value, body.response)
    return CommentDispositionData(comment_id=row.comment_id, value=row.value, response=row.response)
