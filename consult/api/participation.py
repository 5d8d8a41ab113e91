"""JSON API v1, participation: comments, replies, votes, section stances and reports.

The rules live in consult.participation.services (the web forms call the same functions); these views only
read the request, check the JSON types, call a service and shape the answer. Writes take a bearer token and
are rate-limited per user (per address without a valid token), with the limits the operator configures.
"""

from __future__ import annotations

import json
from typing import Any

from flask import jsonify, request

from consult.api.auth import api_user, token_required
from consult.api.serializers import comment_data, comment_page, section_tally
from consult.api.views import bp
from consult.errors import Invalid, ServiceError
from consult.extensions import client_address
from consult.i18n import lazy_gettext as _l
from consult.params import MAX_ID, id_arg, int_arg
from consult.participation import queries, services
from consult.participation.queries import CommentPage
from consult.ratelimits import participation_limit
from consult.rounds.services import get_round

ID = f"int(min=1, max={MAX_ID})"  # ids are 32-bit INTEGER columns: a larger number in a path is no id, never a query
MAX_PAGE = 100


# --- rate limits ------------------------------------------------------------------------------------------


# --- request bodies -----------------------------------------------------------------------------------------


class BadRequest(ServiceError):
    status = 400
    code = "bad_request"


class Body:
    """The request's JSON object, read field by field with type checks; wrong types are collected and raised
    together as one 422, so a client never reaches a service with a list where a string belongs."""

    def __init__(self) -> None:
        raw = request.get_data(cache=True)
        if not raw.strip():
            raise BadRequest(_l("Send a JSON object as the request body."))
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: thousands of nested brackets
            raise BadRequest(_l("The request body is not valid JSON.")) from None
        if not isinstance(data, dict):
            raise BadRequest(_l("The request body must be a JSON object."))
        self.data: dict[str, Any] = data
        self.errors: dict[str, object] = {}

    def _get(self, name: str, required: bool) -> Any:
        value = self.data.get(name)
        if value is None and required:
            self.errors[name] = _l("This field is required.")
        return value

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self._get(name, required)
        if value is not None and not isinstance(value, str):
            self.errors[name] = _l("Must be a string.")
            return None
        return value

    def id(self, name: str, *, required: bool = False) -> int | None:
        value = self._get(name, required)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID):
            self.errors[name] = _l("Must be the id of an existing item (a positive whole number).")  # not "1" either
            return None
        return value

    def vote(self, name: str) -> int | None:
        value = self._get(name, True)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value not in (1, -1, 0)):
            self.errors[name] = _l("A vote is 1 (agree), -1 (disagree) or 0 (pass).")
            return None
        return value

    def flag(self, name: str) -> bool | None:
        value = self._get(name, False)
        if value is not None and not isinstance(value, bool):
            self.errors[name] = _l("Must be true or false.")
            return None
        return value

    def check(self) -> None:
        if self.errors:
            raise Invalid(fields=self.errors)


# --- reads --------------------------------------------------------------------------------------------------


def _page(read, *args, **kwargs) -> CommentPage:
    return read(*args, cursor=request.args.get("cursor") or None, **kwargs)


def _limit_arg() -> int:
    return int_arg("limit", queries.PAGE_SIZE, maximum=MAX_PAGE) or queries.PAGE_SIZE


@bp.get(f"/rounds/<{ID}:round_id>/comments")
def list_comments(round_id: int):
    """Top-level comments of a round (or one section), newest or most agreed first, withdrawn ones in place."""
    rnd = get_round(round_id)
    section_id = id_arg("section_id")
    page = _page(
        queries.comments_page,
        rnd.id,
        section_id=section_id,
        order=request.args.get("order") or "new",
        limit=_limit_arg(),
    )
    return jsonify(comment_page(page))


@bp.get(f"/comments/<{ID}:comment_id>")
def get_comment(comment_id: int):
    return jsonify(comment_data(services.get_comment(comment_id)))


@bp.get(f"/comments/<{ID}:comment_id>/replies")
def list_replies(comment_id: int):
    """Replies to a comment, oldest first."""
    comment = services.get_comment(comment_id)
    return jsonify(comment_page(_page(queries.replies_page, comment.id, limit=_limit_arg())))


# --- writes -------------------------------------------------------------------------------------------------


@bp.post(f"/rounds/<{ID}:round_id>/comments")
@participation_limit("COMMENT_LIMIT", "comment")
@token_required
def post_comment(round_id: int):
    rnd = get_round(round_id)
    body = Body()
    text = body.text("body")
    section_id, parent_id = body.id("section_id"), body.id("parent_id")
    stance, show_name = body.text("stance"), body.flag("show_name")
    body.check()
    comment = services.post_comment(
        api_user(), rnd, text or "", section_id=section_id, parent_id=parent_id, stance=stance, show_name=show_name
    )
    return jsonify({**comment_data(comment), "url": f"/comments/{comment.id}"}), 201


@bp.patch(f"/comments/<{ID}:comment_id>")
@participation_limit("COMMENT_LIMIT", "comment")
@token_required
def edit_comment(comment_id: int):
    comment = services.get_comment(comment_id)
    body = Body()
    text = body.text("body")
    body.check()
    return jsonify(comment_data(services.edit_comment(api_user(), comment, text or "")))


@bp.post(f"/comments/<{ID}:comment_id>/withdraw")
@participation_limit("COMMENT_LIMIT", "comment")
@token_required
def withdraw_comment(comment_id: int):
    comment = services.get_comment(comment_id)
    return jsonify(comment_data(services.withdraw_comment(api_user(), comment)))


@bp.put(f"/comments/<{ID}:comment_id>/vote")
@participation_limit("VOTE_LIMIT", "vote")
@token_required
def vote(comment_id: int):
    comment = services.get_comment(comment_id)
    body = Body()
    value = body.vote("value")
    body.check()
    comment = services.vote(api_user(), comment, value)
    return jsonify({"comment_id": comment.id, "value": value, "counts": comment.counts})


@bp.put(f"/sections/<{ID}:section_id>/stance")
@participation_limit("STANCE_LIMIT", "stance")
@token_required
def set_stance(section_id: int):
    body = Body()
    round_id, value = body.id("round_id", required=True), body.text("value", required=True)
    body.check()
    rnd = get_round(round_id)
    stats = services.set_stance(api_user(), rnd, section_id, value)
    return jsonify({"round_id": rnd.id, "section_id": section_id, "value": value, "tally": section_tally(stats)})


@bp.post(f"/comments/<{ID}:comment_id>/reports")
@participation_limit("REPORT_LIMIT", "report")
@token_required
def report_comment(comment_id: int):
    comment = services.get_comment(comment_id)
    body = Body()
    reason = body.text("reason")
    body.check()
    report = services.report_comment(api_user(), comment, reason or "", address=client_address())
    return jsonify({"id": report.id, "comment_id": comment.id}), 201
