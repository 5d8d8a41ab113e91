"""JSON API v1, moderation: hide or restore a comment (moderators), and the public moderation log.

The rules live in consult.moderation.services (the web pages call the same functions).
"""

from __future__ import annotations

from flask import jsonify, request

from consult.agencies.services import get_agency
from consult.api.auth import api_user, token_required
from consult.api.participation import ID, MAX_PAGE, Body
from consult.api.serializers import comment_data, moderation_entry
from consult.api.views import bp
from consult.moderation import queries, services
from consult.params import id_arg, int_arg
from consult.participation.services import get_comment


@bp.post(f"/comments/<{ID}:comment_id>/moderation")
@token_required
def moderate_comment(comment_id: int):
    """{"action": "hide" | "restore", "rule": 2 | "2", "reason"} → 200 with the comment as the public sees it."""
    comment = get_comment(comment_id)
    body = Body()  # the service checks the fields' types too, after the permission: a citizen always gets 403
    comment = services.moderate(
        api_user(), comment, body.data.get("action"), body.data.get("rule"), body.data.get("reason")
    )
    return jsonify(comment_data(comment))


@bp.get("/moderation-log")
def moderation_log():
    """Every moderation action, newest first; `round_id` or `agency` (slug) narrow it."""
    agency = get_agency(request.args["agency"]) if request.args.get("agency") else None
    page = queries.log_page(
        agency_id=agency.id if agency else None,
        round_id=id_arg("round_id"),
        cursor=request.args.get("cursor") or None,
        limit=int_arg("limit", queries.PAGE_SIZE, maximum=MAX_PAGE) or queries.PAGE_SIZE,
    )
    return jsonify({"items": [moderation_entry(a) for a in page.items], "next_cursor": page.next_cursor})
