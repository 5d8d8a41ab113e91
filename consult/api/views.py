"""JSON API v1 routes. Reads of public data need no token; writes take a bearer token."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, request

from consult import audit
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
    rows = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq)
                              .limit(limit + 1)).all()
    items = rows[:limit]
    next_after = str(items[-1].seq) if len(rows) > limit else None
    return jsonify({"items": [e.as_dict() for e in items], "next_cursor": next_after, "head": audit.head()})


@bp.get("/audit/head")
def audit_head():
    return jsonify(audit.head())
