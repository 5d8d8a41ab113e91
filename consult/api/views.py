"""JSON API v1: the blueprint, rounds, the audit chain, the token's owner and the OpenAPI document.

Reads of public data need no token; writes take a bearer token. Every operation is declared with `@api.…`
(consult.api.spec), which is also what the document is made of.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, request
from pydantic import RootModel
from werkzeug.exceptions import MethodNotAllowed

from consult import audit
from consult.api import schemas, serializers
from consult.api.auth import api_user
from consult.api.openapi import openapi_document
from consult.api.spec import Api, Query
from consult.audit import AuditEntry
from consult.extensions import csrf, db
from consult.monitoring import keys
from consult.rounds import services as rounds

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # the API authenticates with bearer tokens, never with cookies
api = Api(bp)

PAGE_SIZE = 20
AUDIT_PAGE = 100
ROUND_OPERATIONS = ("get_round", "list_comments", "post_comment", "close_round", "extend_round")
COMMENT_OPERATIONS = (
    "get_comment",
    "list_replies",
    "edit_comment",
    "withdraw_comment",
    "vote",
    "report_comment",
    "moderate_comment",
)


def links_to(operations: tuple[str, ...], where: str) -> dict[str, str]:
    """OpenAPI links from an answer to the operations on the item whose id is at `where` in it."""
    return dict.fromkeys(operations, f"$response.body#{where}")


@bp.before_app_request
def reject_oversized_bodies():
    """413 for an API request whose declared body is over MAX_CONTENT_LENGTH, on every /api/ address.

    Werkzeug only refuses a large body when a view reads it; without this, a route that reads nothing (or a
    method the route does not allow) would answer 200/405 after the client sent the whole body.
    """
    if not request.path.startswith(bp.url_prefix + "/"):
        return
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is not None and (request.content_length or 0) > limit:
        abort(413)


@bp.after_app_request
def allow_header(response):
    """A 405 on the API names the methods the address takes (Allow, as RFC 9110 requires): the JSON error
    replaces werkzeug's answer, which carried it."""
    exc = request.routing_exception
    if response.status_code == 405 and isinstance(exc, MethodNotAllowed) and request.path.startswith("/api/"):
        response.headers.setdefault("Allow", ", ".join(sorted(exc.valid_methods or ())))
    return response


@api.get("/openapi.json", summary="This document", ok=schemas.OpenApiDocument)
def openapi() -> schemas.OpenApiDocument:
    return schemas.OpenApiDocument.model_validate(openapi_document(api))


@api.get(
    "/rounds",
    summary="Rounds, newest first",
    query=[
        Query.text("cursor", "Opaque cursor from the previous page's next_cursor."),
        Query.int_arg("limit", PAGE_SIZE, maximum=100),
    ],
    ok=schemas.RoundPage,
    links=links_to(ROUND_OPERATIONS, "/items/0/id"),
)
def list_rounds(cursor: str | None, limit: int) -> schemas.RoundPage:
    page = rounds.rounds_page(cursor, limit=limit)
    return schemas.RoundPage(items=[serializers.round_summary(r) for r in page.items], next_cursor=page.next_cursor)


@api.get(
    "/rounds/{round_id}",
    summary="One round with its document version and sections",
    ok=schemas.Round,
    errors=[404],
    links=links_to(ROUND_OPERATIONS[1:], "/id") | {"set_stance": "$response.body#/sections/0/id"},
)
def get_round(round_id: int) -> schemas.Round:
    return serializers.round_detail(rounds.get_round(round_id))


@api.get(
    "/audit",
    summary="Audit chain entries in order",
    query=[
        Query.cursor_arg("after", "Return entries with seq greater than this."),
        Query.int_arg("limit", AUDIT_PAGE, maximum=1000),
    ],
    ok=schemas.AuditPage,
)
def audit_entries(after: int | None, limit: int) -> schemas.AuditPage:
    rows = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.seq > (after or 0)).order_by(AuditEntry.seq).limit(limit + 1)
    ).all()
    items = rows[:limit]
    next_after = str(items[-1].seq) if len(rows) > limit else None
    return schemas.AuditPage(
        items=[serializers.audit_entry(e) for e in items],
        next_cursor=next_after,
        head=schemas.AuditHead(**keys.sign(audit.head())),
    )


@api.get(
    "/audit/head",
    summary="The newest audit entry's seq and hash, signed",
    description="Keep the signed heads you fetch: two signed heads that do not extend each other prove a rewrite "
    "of history. Check the signature with the key of its key_id (GET /api/v1/audit/keys).",
    ok=schemas.AuditHead,
)
def audit_head() -> schemas.AuditHead:
    return schemas.AuditHead(**keys.sign(audit.head()))


class AuditKeys(RootModel[list[schemas.AuditKey]]):
    """A JSON array (CONTRACT.md): every key that has signed heads, the current one last."""


@api.get(
    "/audit/keys",
    summary="The public keys that sign audit heads",
    description="Ed25519 public keys, base64; a retired key has its `until` and still checks the heads it signed.",
    ok=AuditKeys,
)
def audit_keys() -> AuditKeys:
    return AuditKeys(
        [
            schemas.AuditKey(key_id=k.key_id, public_key=k.public_key, **{"from": k.valid_from}, until=k.until)
            for k in keys.published_keys()
        ]
    )


@api.get(
    "/me",
    summary="The owner of the bearer token and their roles",
    description="Lets an integrator check a token before writing with it.",
    auth=True,
    ok=schemas.Me,
)
def me() -> schemas.Me:
    return serializers.me(api_user())
