"""JSON API v1: closing a round early and extending it (moderators and agency admins of the round's agency)."""

from __future__ import annotations

from consult.api import schemas, serializers
from consult.api.auth import api_user
from consult.api.bodies import RequestModel, collapsed_at_least, text
from consult.api.views import api
from consult.errors import Invalid
from consult.i18n import lazy_gettext as _l
from consult.rounds import services
from consult.rounds.services import MAX_REASON_CHARS, MIN_REASON_CHARS
from consult.timeutil import parse_iso

Reason = text(
    required=True,
    minLength=MIN_REASON_CHARS,
    maxLength=MAX_REASON_CHARS,
    pattern=collapsed_at_least(MIN_REASON_CHARS),
    description=f"shown to the public; at least {MIN_REASON_CHARS} characters once runs of spaces count as one",
)


class CloseRound(RequestModel):
    reason: Reason


class ExtendRound(RequestModel):
    closes_at: text(
        required=True,
        format="date-time",
        description="the new closing time, ISO 8601; without an offset: the agency's time zone. In the future, "
        "after the current closing time, at most 366 days after the opening",
    )
    reason: Reason


@api.post(
    "/rounds/{round_id}/close",
    summary="Close an open round now, with a reason the public sees (moderators and agency admins of its agency)",
    description="409 when the round is not open (already closed, or not opened yet). Audited as "
    "round.closed_early with the reason; participation is refused from then on (409).",
    auth=True,
    body=CloseRound,
    ok=schemas.Round,
    errors=[403, 404, 409],
)
def close_round(round_id: int, body: CloseRound) -> schemas.Round:
    return serializers.round_detail(services.close_round(api_user(), services.get_round(round_id), body.reason))


@api.post(
    "/rounds/{round_id}/extend",
    summary="Move the closing time later, with a public reason; reopening a closed round: agency admins only",
    description="Audited as round.extended with the reason and the closing time before and after.",
    auth=True,
    body=ExtendRound,
    ok=schemas.Round,
    errors=[403, 404, 409],
)
def extend_round(round_id: int, body: ExtendRound) -> schemas.Round:
    rnd = services.get_round(round_id)
    try:
        closes_at = parse_iso(body.closes_at, rnd.agency.timezone)
    except ValueError:
        raise Invalid(
            fields={"closes_at": _l("Use an ISO 8601 date and time, e.g. 2026-12-01T17:00:00+07:00.")}
        ) from None
    return serializers.round_detail(services.extend_round(api_user(), rnd, closes_at, body.reason))
