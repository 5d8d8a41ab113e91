"""JSON API v1: the opinion groups and campaigns of a round, as last computed (CONTRACT.md, "Deliberation").

Reads only: what the scheduled job (or a command) stored. Nothing is computed on a request.
"""

from __future__ import annotations

from consult.api import schemas
from consult.api.spec import Query
from consult.api.views import api
from consult.deliberation import services


@api.get(
    "/rounds/{round_id}/opinion",
    summary="Opinion groups of a round (or one section): participants' positions, consensus, divisive comments",
    description="As `flask opinion compute --json` prints it, from the last computation: recomputed every few "
    "minutes while the round is open (when votes changed) and once after it closes (final). Votes by the "
    "agency's own staff and comments moderated out are left out. k is 0 with a message while there are too few "
    "votes. For a round imported from Polis, participant and comment references are Polis's ids.",
    query=[Query.text("section", "Only the comments of the section with this key.")],
    ok=schemas.Opinion,
    errors=[404],
)
def round_opinion(round_id: int, section: str | None) -> schemas.Opinion:
    return schemas.Opinion.model_validate(services.opinion_for(services.get_round(round_id), section), strict=False)


@api.get(
    "/rounds/{round_id}/campaigns",
    summary="Mass-comment campaigns of a round: near-identical comments counted once, with their size",
    description="As `flask campaigns detect --json` prints it, from the last detection. The ids are fixed once "
    "a detection after the close is stored; only a staff request recomputes, keeping the ids of campaigns "
    "that still exist.",
    ok=schemas.Campaigns,
    errors=[404],
)
def round_campaigns(round_id: int) -> schemas.Campaigns:
    return schemas.Campaigns.model_validate(services.campaigns_contract(services.get_round(round_id)), strict=False)
