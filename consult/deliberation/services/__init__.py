"""Opinion groups and campaigns of a round: compute from a snapshot, store, and read what was stored.

Pages and the API only read stored results (``opinion_for``, ``campaigns_for``); computing happens in the
scheduled job while a round is open and once after it closes (consult/deliberation/jobs.py), at a Polis
import, and on the command line (``flask opinion compute``, ``flask campaigns detect``).

A computation reads one snapshot of the votes (consult/deliberation/snapshots.py, a read transaction that
blocks no vote), computes with no transaction open, then writes the result in one short write transaction.
Results of a closed round are public record: storing one is audited ("opinion.computed",
"campaigns.detected"); the provisional results of an open round, recomputed every few minutes, are not.
"""

from __future__ import annotations

from consult.deliberation.services.campaigns import (
    campaign_page,
    campaign_scan,
    campaigns_contract,
    refresh_campaigns,
)
from consult.deliberation.services.common import ACTOR, get_round, is_closed, is_final, section_of
from consult.deliberation.services.opinion import (
    empty_contract,
    opinion_for,
    refresh_opinion,
    refresh_round_opinions,
    sections_with_comments,
    stored_opinion,
)

__all__ = [
    "ACTOR",
    "campaign_page",
    "campaign_scan",
    "campaigns_contract",
    "empty_contract",
    "get_round",
    "is_closed",
    "is_final",
    "opinion_for",
    "refresh_campaigns",
    "refresh_opinion",
    "refresh_round_opinions",
    "section_of",
    "sections_with_comments",
    "stored_opinion",
]
