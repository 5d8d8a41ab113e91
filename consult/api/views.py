"""JSON API v1 routes. Reads of public data need no token; writes take a bearer token."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, jsonify, request

from consult import audit
from consult.api.auth import api_user, token_required
from consult.api.openapi import openapi_document
from consult.api.serializers import round_detail, round_summary
from consult.audit import AuditEntry
from consult.errors import Invalid
from consult.extensions import csrf, db
from consult.rounds import services as rounds

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # the API authenticates with bearer tokens, never with cookies

PAGE_SIZE = 20
AUDIT_PAGE = 100


def _int_arg(name: str, default: int | None = None, maximum: int | None = None) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Invalid(f"'{name}' must be a whole number.", fields={name: "must be a whole number"}) from None
    if value < 0 or (maximum is not None and value > maximum):
        raise Invalid(f"'{name}' is out of range.", fields={name: "out of range"})
    return value


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
    cursor = _int_arg("cursor")
    limit = _int_arg("limit", PAGE_SIZE, 100) or PAGE_SIZE
    page = rounds.rounds_page(cursor, limit=limit + 1)
    items = page[:limit]
    next_cursor = str(items[-1].id) if len(page) > limit else None
    return jsonify({"items": [round_summary(r) for r in items], "next_cursor": next_cursor})


@bp.get("/rounds/<int:round_id>")
def get_round(round_id: int):
    return jsonify(round_detail(rounds.get_round(round_id)))


@bp.get("/audit")
def audit_entries():
    after = _int_arg("after", 0) or 0
    limit = _int_arg("limit", AUDIT_PAGE, 1000) or AUDIT_PAGE
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
