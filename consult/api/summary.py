"""JSON API v1: a round's deliberation summary and publishing it (CONTRACT.md, "Deliberation")."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from consult.api.auth import api_user
from consult.api.schemas import ResponseModel, Time
from consult.api.views import api
from consult.deliberation.services import get_round
from consult.deliberation.services import summary as service


class SummaryParticipation(ResponseModel):
    participants: int = Field(
        description="distinct people who commented, voted or took a stance (not the "
        "agency's staff), plus one per comment entered by staff for a citizen"
    )
    comments: int = Field(description="every comment, hidden ones counted (never shown)")
    votes: int
    stances: int
    by_channel: dict[str, int] = Field(description="comments per channel: web, counter, paper, phone, forum")


class SummaryDisposition(ResponseModel):
    value: str = Field(description="adopted | partly_adopted | not_adopted | out_of_scope")
    response: str


class SummaryTheme(ResponseModel):
    id: int
    title: str
    synthesis: str
    comment_count: int = Field(description="distinct comments, a campaign counted once")
    signature_count: int = Field(description="every tagged comment, each campaign copy counted")
    disposition: SummaryDisposition | None
    section_keys: list[str]


class RoundSummary(ResponseModel):
    """The summary: frozen as published; the live draft for the agency's staff before that."""

    state: str = Field(description="draft | published")
    published_at: Time | None
    participation: SummaryParticipation
    themes: list[SummaryTheme]
    untagged_comments: int = Field(description="visible top-level comments in no accepted theme")


def _answer(data: dict[str, Any]) -> RoundSummary:
    p = data["participation"]
    return RoundSummary(
        state=data["state"],
        published_at=data["published_at"],
        participation=SummaryParticipation(
            participants=p["participants"],
            comments=p["comments"],
            votes=p["votes"],
            stances=p["stances"],
            by_channel=dict(p["by_channel"]),
        ),
        themes=[
            SummaryTheme(
                id=t["id"],
                title=t["title"],
                synthesis=t["synthesis"],
                comment_count=t["comment_count"],
                signature_count=t["signature_count"],
                disposition=SummaryDisposition(**t["disposition"]) if t["disposition"] else None,
                section_keys=list(t["section_keys"]),
            )
            for t in data["themes"]
        ],
        untagged_comments=data["untagged_comments"],
    )


@api.get(
    "/rounds/{round_id}/summary",
    summary="The deliberation summary of a round: participation, themes and the agency's answers",
    description="Public once published (the record as published). Before that, the moderators and agency admins "
    'of the round\'s agency (with their token) see the live draft with state "draft"; anyone else gets 404.',
    ok=RoundSummary,
    errors=[404],
)
def round_summary(round_id: int) -> RoundSummary:
    return _answer(service.summary_for(get_round(round_id), api_user()))


@api.post(
    "/rounds/{round_id}/summary/publish",
    summary="Publish the summary of a closed round (agency admins of its agency, site admins)",
    description="403 for anyone else; 409 while the round is open, once published, or while an accepted theme has "
    "no disposition (the message lists them). Audited as summary.published; everyone who took part (commented, "
    "voted or took a stance) and every follower is e-mailed once, except those who turned e-mail off.",
    auth=True,
    ok=RoundSummary,
    errors=[403, 404, 409],
)
def publish_summary(round_id: int) -> RoundSummary:
    return _answer(service.publish_summary(get_round(round_id), api_user()))
