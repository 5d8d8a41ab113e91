"""JSON API v1: closing a round early and extending it (moderators and agency admins of the round's agency)."""

from __future__ import annotations

from flask import jsonify

from consult.api.auth import api_user, token_required
from consult.api.participation import ID, Body
from consult.api.serializers import round_detail
from consult.api.views import bp
from consult.errors import Invalid
from consult.i18n import lazy_gettext as _l
from consult.rounds import services
from consult.timeutil import parse_iso


@bp.post(f"/rounds/<{ID}:round_id>/close")
@token_required
def close_round(round_id: int):
    """{"reason"} → 200 with the round; 409 when it is not open, 403 for anyone else, 422 without a reason."""
    rnd = services.get_round(round_id)
    body = Body()
    reason = body.text("reason", required=True)
    body.check()
    return jsonify(round_detail(services.close_round(api_user(), rnd, reason)))


@bp.post(f"/rounds/<{ID}:round_id>/extend")
@token_required
def extend_round(round_id: int):
    """{"closes_at": ISO 8601, "reason"} → 200 with the round. Reopening a closed round: agency admins only."""
    rnd = services.get_round(round_id)
    body = Body()
    raw, reason = body.text("closes_at", required=True), body.text("reason", required=True)
    body.check()
    try:
        closes_at = parse_iso(raw, rnd.agency.timezone)
    except ValueError:
        raise Invalid(
            fields={"closes_at": _l("Use an ISO 8601 date and time, e.g. 2026-12-01T17:00:00+07:00.")}
        ) from None
    return jsonify(round_detail(services.extend_round(api_user(), rnd, closes_at, reason)))
