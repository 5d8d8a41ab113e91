"""JSON API v1 routes. Reads of public data need no token; writes take a bearer token."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, jsonify, request

from consult import audit
from consult.api.auth import api_user, token_required
from consult.api.openapi import openapi_document
from consult.api.serializers import round_detail, round_summary
from consult.audit import AuditEntry
from consult.extensions import csrf, db
from consult.params import cursor_arg, int_arg
from consult.rounds import services as rounds

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # the API authenticates with bearer tokens, never with cookies

PAGE_SIZE = 20
AUDIT_PAGE = 100


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


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.get("/rounds")
def list_rounds():
    cursor = cursor_arg("cursor")
    limit = int_arg("limit", PAGE_SIZE, maximum=100) or PAGE_SIZE
    page = rounds.rounds_page(cursor, limit=limit + 1)
    items = page[:limit]
    next_cursor = str(items[-1].id) if len(page) > limit else None
    return jsonify({"items": [round_summary(r) for r in items], "next_cursor": next_cursor})


@bp.get("/rounds/<int:round_id>")
def get_round(round_id: int):
    return jsonify(round_detail(rounds.get_round(round_id)))


@bp.get("/audit")
def audit_entries():
    after = cursor_arg("after") or 0
    limit = int_arg("limit", AUDIT_PAGE, maximum=1000) or AUDIT_PAGE
    rows = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq).limit(limit + 1)
    ).all()
    items = rows[:limit]
    next_after = str(items[-1].seq) if len(rows) > limit else None
    return jsonify({"items": [e.as_dict() for e in items], "next_cursor": next_after, "head": audit.head()})


@bp.get("/audit/head")
def audit_head():
    return jsonify(audit.head())


@bp.get("/me")
@token_required
def me():
    """The token's owner and roles: lets an integrator check a token before writing with it."""
    user = api_user()
    return jsonify(
        {
            "id": user.id,
            "name": user.name,
            "verified": user.is_verified,
            "admin": user.is_admin,
            "observer": user.is_observer,
            "agencies": [{"slug": m.agency.slug, "role": m.role} for m in user.memberships],
        }
    )
