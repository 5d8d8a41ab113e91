"""What the sender of each copy added of their own: a word diff against the campaign's representative."""

from __future__ import annotations

import difflib
import re
from collections.abc import Hashable, Mapping

from consult.deliberation.campaigns.model import Campaign, normalise

_TOKEN = re.compile(r"\S+")


def added_text(representative: str, copy: str) -> str:
    """What the sender of ``copy`` wrote of their own: the words a diff against the representative shows as
    inserted or replaced, in the copy's own spelling. Text without spaces is compared character by character."""
    return _AdditionFinder(representative).added(copy)


class _AdditionFinder:
    """A word diff against one representative, prepared once for all the copies of a campaign (difflib indexes
    its second sequence; the representative is that one, so the index is built once, not per copy)."""

    def __init__(self, representative: str):
        self.matchers = {}
        for spaced in (True, False):
            tokens = _tokens(representative, spaced)
            matcher = difflib.SequenceMatcher(autojunk=False)
            matcher.set_seq2([normalise(t) for t in tokens])
            self.matchers[spaced] = matcher

    def added(self, copy: str) -> str:
        spaced = bool(re.search(r"\s", copy.strip()))
        tokens = _tokens(copy, spaced)
        matcher = self.matchers[spaced]
        matcher.set_seq1([normalise(t) for t in tokens])
        parts = []
        for tag, i1, i2, _j1, _j2 in matcher.get_opcodes():
            if tag in ("delete", "replace"):  # in the copy (first sequence) and not in the representative
                words = [t for t in tokens[i1:i2] if normalise(t)]
                if words:
                    parts.append((" " if spaced else "").join(words))
        return " … ".join(parts)


def _tokens(text: str, spaced: bool) -> list[str]:
    return _TOKEN.findall(text) if spaced else list(text.strip())


def campaign_additions(campaign: Campaign, texts_by_id: Mapping[Hashable, str]) -> dict[Hashable, str]:
    """Per copy of a campaign, what its sender added (empty for copies that add nothing)."""
    finder = _AdditionFinder(texts_by_id[campaign.representative_id])
    return {cid: finder.added(texts_by_id[cid]) for cid in campaign.comment_ids if cid != campaign.representative_id}
