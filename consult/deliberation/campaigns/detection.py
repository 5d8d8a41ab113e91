"""detect_campaigns: candidate pairs verified on their exact shingle sets, joined into campaigns, each with its
representative, numbered stably from the previous assignment."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from consult.deliberation.campaigns.model import Campaign, CampaignParams, CampaignResult, normalise
from consult.deliberation.campaigns.signatures import (
    CHUNK,
    _candidate_pairs,
    _one_permutation_minhash,
    _shingle_hashes,
    _shingle_sets,
)


def detect_campaigns(
    comment_ids: Sequence[Hashable],
    texts: Sequence[str],
    *,
    previous: Mapping[int, Sequence[Hashable]] | None = None,
    params: CampaignParams | None = None,
) -> CampaignResult:
    """Group near-identical comments into campaigns.

    ``previous``: the last assignment (campaign id -> comment ids), whose ids are kept for campaigns that still
    exist. Deterministic: the same comments in the same order give the same result.
    """
    params = params or CampaignParams()
    if len(comment_ids) != len(texts):
        raise ValueError("comment_ids and texts must have the same length")
    if len(set(comment_ids)) != len(comment_ids):
        raise ValueError("comment ids must be unique")
    n = len(texts)
    if n < params.min_size:
        return CampaignResult([])
    norm = [normalise(t or "").replace(" ", "") for t in texts]
    bins = params.bands * params.rows
    signatures = np.empty((n, bins), dtype=np.uint64)
    for lo in range(0, n, CHUNK):  # chunks keep the shingle arrays small (memory stays flat at 100,000 comments)
        offsets, hashes = _shingle_hashes(norm[lo : lo + CHUNK], params.shingle)
        signatures[lo : lo + CHUNK] = _one_permutation_minhash(offsets, hashes, bins)
    pairs = _candidate_pairs(signatures, np.fromiter((len(t) > 0 for t in norm), bool, n), params)
    # The signature estimates the Jaccard similarity (the share of equal bins): pairs far below every threshold
    # are not worth an exact check. Topic-sharing comments collide in some band often enough (common
    # shingles win bins) that this removes most of the exact checks of a large round.
    if pairs.size:
        estimate = np.concatenate(
            [  # in slices: two gathered signature blocks for a million pairs would be 500 MB
                (signatures[pairs[lo : lo + 65536, 0]] == signatures[pairs[lo : lo + 65536, 1]]).mean(axis=1)
                for lo in range(0, pairs.shape[0], 65536)
            ]
        )
        keep = np.flatnonzero(estimate >= params.min_estimate)
        # the most similar first: a campaign is joined by its strongest pairs, and the union-find in _verify
        # then skips most of the weaker pairs inside it
        pairs = pairs[keep[np.lexsort((keep, -estimate[keep]))]]
    edges = _verify(pairs, norm, params)
    groups = _components(n, edges, params.min_size)
    campaigns = [(members, _representative(members, norm, signatures)) for members in groups]
    return CampaignResult(_assign_ids(campaigns, comment_ids, previous))


def _verify(pairs: np.ndarray, norm: list[str], params: CampaignParams) -> np.ndarray:
    """Keep the candidate pairs that are near-identical on their exact shingle sets (see the module docstring).
    A pair already joined through other verified pairs is skipped: the campaigns are the same either way."""
    parent = list(range(len(norm)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    sets = _shingle_sets(np.unique(pairs), norm, params.shingle)

    keep = []
    for a, b in pairs.tolist():
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        la, lb = len(norm[a]), len(norm[b])
        if min(la, lb) < params.min_jaccard * max(la, lb):
            continue  # lengths too far apart for the Jaccard threshold
        sa, sb = sets[a], sets[b]
        small = min(sa.size, sb.size)
        if small == 0:
            continue
        inter = np.intersect1d(sa, sb, assume_unique=True).size
        jaccard = inter / (sa.size + sb.size - inter)
        if small < params.short_shingles:
            ok = jaccard >= params.short_jaccard
        else:
            ok = inter / small >= params.min_overlap and jaccard >= params.min_jaccard
        if ok:
            parent[ra] = rb
            keep.append((a, b))
    return np.array(keep, dtype=np.int64).reshape(-1, 2)


def _components(n: int, edges: np.ndarray, min_size: int) -> list[np.ndarray]:
    if edges.size == 0:
        return []
    graph = sp.coo_matrix((np.ones(edges.shape[0]), (edges[:, 0], edges[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    counts = np.bincount(labels)
    big = np.flatnonzero(counts >= min_size)
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    out = []
    for lab in big:
        lo, hi = np.searchsorted(sorted_labels, [lab, lab + 1])
        out.append(np.sort(order[lo:hi]))
    return out


def _representative(members: np.ndarray, norm: list[str], signatures: np.ndarray) -> int:
    """The most common text of the campaign; among equals the member closest to its typical signature."""
    counts = Counter(norm[i] for i in members)
    sig = signatures[members]
    typical = np.empty(sig.shape[1], dtype=np.uint64)
    for p in range(sig.shape[1]):
        values, freq = np.unique(sig[:, p], return_counts=True)
        typical[p] = values[np.argmax(freq)]
    agreement = (sig == typical).sum(1)
    best = max(range(members.size), key=lambda t: (counts[norm[members[t]]], agreement[t], -t))
    return int(members[best])


def _assign_ids(
    campaigns: list[tuple[np.ndarray, int]],
    comment_ids: Sequence[Hashable],
    previous: Mapping[int, Sequence[Hashable]] | None,
) -> list[Campaign]:
    campaigns = sorted(campaigns, key=lambda c: (-c[0].size, int(c[0][0])))
    ids: list[int | None] = [None] * len(campaigns)
    next_id = 1
    if previous:
        index = {cid: i for i, cid in enumerate(comment_ids)}
        old_of: dict[int, int] = {}
        for old_id, members in previous.items():
            for cid in members:
                if cid in index:
                    old_of[index[cid]] = int(old_id)
        next_id = max((int(k) for k in previous), default=0) + 1
        # Greedy by overlap: a previous id goes to the new campaign that holds most of its members.
        overlaps = []
        for c, (members, _) in enumerate(campaigns):
            tally = Counter(old_of[int(m)] for m in members if int(m) in old_of)
            overlaps.extend((count, c, old_id) for old_id, count in tally.items())
        used_old: set[int] = set()
        for _count, c, old_id in sorted(overlaps, key=lambda t: (-t[0], t[1], t[2])):
            if ids[c] is None and old_id not in used_old:
                ids[c] = old_id
                used_old.add(old_id)
    out = []
    for c, (members, rep) in enumerate(campaigns):
        if ids[c] is None:
            ids[c] = next_id
            next_id += 1
        out.append(
            Campaign(
                id=int(ids[c]),
                size=int(members.size),
                representative_id=comment_ids[rep],
                comment_ids=[comment_ids[int(m)] for m in members],
            )
        )
    return out
