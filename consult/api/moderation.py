"""JSON API v1, moderation: hide or restore a comment (moderators), and the public moderation log.

The rules live in consult.moderation.services (the web pages call the same functions).
"""

from __future__ import annotations

from flask import request

from consult.agencies.services import get_agency
from consult.api import schemas, serializers
from consult.api.auth import api_user
from consult.api.bodies import SPACE, RequestModel, checked_by_service, collapsed_at_least
from consult.api.participation import MAX_PAGE
from consult.api.spec import EMPTY, Query
from consult.api.views import api
from consult.moderation import queries, services
from consult.moderation.models import Action
from consult.participation.services import get_comment


class ModerationDecision(RequestModel):
    """Checked by consult.moderation.services.moderate, after the permission: a citizen always gets 403."""

    documented_required = ("action", "rule", "reason")
    action: checked_by_service({"type": "string", "enum": sorted(services.API_ACTIONS)}) = None
    rule: checked_by_service(
        {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": 9999},
                {"type": "string", "pattern": rf"^[{SPACE}]*[0-9]{{1,4}}[{SPACE}]*$"},
            ],
            "description": 'the number of one of the agency\'s house rules in force (2 or "2")',
        }
    ) = None
    reason: checked_by_service(
        {
            "type": "string",
            "minLength": services.MIN_REASON_CHARS,
            "maxLength": services.MAX_REASON_CHARS,
            "pattern": collapsed_at_least(services.MIN_REASON_CHARS),
            "description": "shown to the public",
        }
    ) = None


@api.post(
    "/comments/{comment_id}/moderation",
    summary="Hide or restore a comment, citing a house rule and a reason (moderators of its agency)",
    description="403 for anyone who does not moderate the comment's agency; 409 when the comment is already hidden "
    "(hide), not hidden (restore) or withdrawn; 422 for a missing or unknown rule, a missing reason or another "
    "action. The decision is in the moderation log and the audit chain.",
    auth=True,
    body=ModerationDecision,
    ok=schemas.Comment,
    errors=[403, 404, 409],
)
def moderate_comment(comment_id: int, body: ModerationDecision) -> schemas.Comment:
    comment = services.moderate(api_user(), get_comment(comment_id), body.action, body.rule, body.reason)
    return serializers.comment_data(comment)


@api.get(
    "/moderation-log",
    summary="The public moderation log, newest first",
    query=[
        Query.text("cursor", "Opaque cursor from the previous page's next_cursor."),
        Query.id_arg("round_id", "Only the actions in this round."),
        Query.text("agency", "Only the actions of this agency (its slug)."),
        Query(
            "action",
            {"anyOf": [{"type": "string", "enum": [a.value for a in Action]}, EMPTY]},
            "Only this kind of action.",
            lambda: request.args.get("action") or None,
        ),
        Query(
            "rule",
            {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 999}, EMPTY]},
            "Only the actions citing this house rule number.",
            lambda: request.args.get("rule") or None,
        ),
        Query.text("words", "Only the actions whose reason contains these words (any case)."),
        Query.int_arg("limit", queries.PAGE_SIZE, maximum=MAX_PAGE),
    ],
    ok=schemas.ModerationLog,
    errors=[404],
)
def moderation_log(
    cursor: str | None,
    round_id: int | None,
    agency: str | None,
    action: str | None,
    rule: str | None,
    words: str | None,
    limit: int,
) -> schemas.ModerationLog:
    """Every moderation action, newest first; `round_id`, `agency` (slug), `action`, `rule` and `words` narrow it
    (the same search as the log page: consult.moderation.queries.log_filter)."""
    agency_id = get_agency(agency).id if agency else None
    where = queries.log_filter({"action": action, "rule": rule, "words": words}, ("action", "rule", "words"))
    page = queries.log_page(agency_id=agency_id, round_id=round_id, cursor=cursor, limit=limit, where=where)
    return schemas.ModerationLog(
        items=[serializers.moderation_entry(a) for a in page.items], next_cursor=page.next_cursor
    )
