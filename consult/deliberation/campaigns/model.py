"""A campaign detection's parameters and results, the text normalisation every step shares, and the moderators'
label of a campaign."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable
from dataclasses import dataclass


@dataclass(frozen=True)
class CampaignParams:
    shingle: int = 5  # characters per shingle (spaces removed first)
    bands: int = 16
    rows: int = 2  # 32 hash functions; a pair with Jaccard 0.5 becomes a candidate with probability 0.995
    min_overlap: float = 0.6  # |A ∩ B| / min(|A|, |B|)
    min_jaccard: float = 0.25
    short_shingles: int = 20  # below this many shingles a copy must be near-identical
    short_jaccard: float = 0.8
    min_size: int = 3  # two people writing the same words is not yet a campaign
    min_estimate: float = 0.1  # candidates whose signatures agree on fewer bins are not verified


@dataclass
class Campaign:
    id: int
    size: int
    representative_id: Hashable
    comment_ids: list[Hashable]  # in the order given to detect_campaigns

    def to_contract(self) -> dict:
        return {
            "id": self.id,
            "size": self.size,
            "representative_id": self.representative_id,
            "comment_ids": list(self.comment_ids),
        }


@dataclass
class CampaignResult:
    campaigns: list[Campaign]  # largest first

    def to_contract(self, round_id: int) -> dict:
        """The JSON of ``flask campaigns detect --json`` (CONTRACT.md)."""
        return {"round_id": round_id, "campaigns": [c.to_contract() for c in self.campaigns]}

    def assignment(self) -> dict[int, list[Hashable]]:
        """Campaign id -> comment ids: what to store and pass back as ``previous`` next time."""
        return {c.id: list(c.comment_ids) for c in self.campaigns}


_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    """NFKC, case folded, punctuation and symbols replaced by a space, runs of spaces collapsed."""
    return _NON_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def moderator_label(size: int) -> str:
    """The moderators' line for a campaign, in Indonesian number style: "kampanye: 1.234 komentar hampir identik"."""
    return f"kampanye: {size:,} komentar hampir identik".replace(",", ".")
