"""Mass-comment campaigns: groups of near-identical comments (a form letter sent many times with small edits).

A plain module (numpy and scipy, no Flask, no database). The method, with its thresholds and why, is in
docs/OPINION.md; in short:

1. normalise every comment: Unicode NFKC, case folded, punctuation and symbols dropped, and then every
   space removed, so that Indonesian, English and text written without spaces are all handled alike;
2. shingle it into overlapping character 5-grams, hashed (vectorised over all comments at once);
3. MinHash signatures (32 hash functions) and locality-sensitive hashing in 16 bands of 2 rows propose
   candidate pairs; inside a band bucket only neighbours and the bucket's first member are paired, so a
   campaign of 30,000 copies costs 30,000 checks, not 450 million;
4. each candidate pair is verified on the exact shingle sets: the overlap coefficient |A ∩ B| / min(|A|, |B|)
   must reach 0.6 (a copy with a greeting and an added personal sentence still contains most of the letter),
   and the Jaccard similarity must reach 0.25 (so a short sentence quoted inside a long comment does not make
   it a copy); comments shorter than 20 shingles must be near-identical (Jaccard 0.8);
5. verified pairs are joined transitively; a group of at least 3 comments is a campaign;
6. its representative is the member that agrees most with the campaign's typical signature (its most common
   text wins first); per copy, the words its sender added are what a word diff against the representative
   shows as inserted or replaced.

Campaign ids stay stable: given the previous assignment, a campaign that shares most members with a previous
one keeps its id; new campaigns get new ids above every id used before.

The package: ``model`` (parameters, results, normalisation, the moderators' label), ``signatures`` (shingles,
MinHash and the LSH candidate pairs), ``detection`` (``detect_campaigns``: verification, grouping,
representatives, stable ids) and ``additions`` (what each sender added to the representative text).
"""

from __future__ import annotations

from consult.deliberation.campaigns.additions import added_text, campaign_additions
from consult.deliberation.campaigns.detection import detect_campaigns
from consult.deliberation.campaigns.model import Campaign, CampaignParams, CampaignResult, moderator_label, normalise
from consult.deliberation.campaigns.signatures import CHUNK as CHUNK

__all__ = [
    "Campaign",
    "CampaignParams",
    "CampaignResult",
    "added_text",
    "campaign_additions",
    "detect_campaigns",
    "moderator_label",
    "normalise",
]
