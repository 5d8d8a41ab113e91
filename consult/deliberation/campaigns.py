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
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components


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


CHUNK = 2048  # comments per vectorised batch: 2,048 form letters are about 1.3 million shingles
_EMPTY = np.iinfo(np.uint64).max


def _shingle_hashes(norm: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per comment (in order), the 64-bit hashes of its character k-grams, or of the whole text when shorter.
    Repeats are kept: a minimum does not care, and the exact sets are built only for verification."""
    n = len(norm)
    lengths = np.fromiter((len(s) for s in norm), np.int64, n)
    starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]])
    codes = np.frombuffer("\x00".join(norm).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    total = codes.size
    prime = np.uint64(1_000_003)
    counts = np.where(lengths >= k, lengths - k + 1, (lengths > 0).astype(np.int64))
    doc = np.repeat(np.arange(n), counts)
    first = np.repeat(starts, counts)
    pos = first + (np.arange(doc.size) - np.repeat(np.cumsum(counts) - counts, counts))
    width = np.minimum(lengths, k)[doc]
    h = np.zeros(doc.size, dtype=np.uint64)
    with np.errstate(over="ignore"):
        padded = np.concatenate([codes, np.zeros(k, dtype=np.uint64)])
        for j in range(k):
            h = np.where(j < width, h * prime + padded[np.minimum(pos + j, total)], h)
        h = _mix(h)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    return offsets, h


def _one_permutation_minhash(offsets: np.ndarray, hashes: np.ndarray, bins: int) -> np.ndarray:
    """One-permutation MinHash: a shingle's hash picks its bin (top bits) and competes there; empty bins borrow
    from the next filled one (rotation densification), so short comments still get a full signature."""
    n = offsets.size - 1
    shift = np.uint64(64 - int(bins).bit_length() + 1)
    doc = np.repeat(np.arange(n), np.diff(offsets))
    key = doc * bins + (hashes >> shift).astype(np.int64)
    sig = np.full(n * bins, _EMPTY, dtype=np.uint64)
    np.minimum.at(sig, key, hashes & np.uint64((1 << 58) - 1))
    sig = sig.reshape(n, bins)
    filled = sig.copy()
    with np.errstate(over="ignore"):
        for step in range(1, bins):
            empty = filled == _EMPTY
            if not empty.any():
                break
            source = np.roll(sig, -step, axis=1)
            take = empty & (source != _EMPTY)
            filled[take] = source[take] + np.uint64(step) * np.uint64(1 << 58)
    return filled


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads the polynomial hash over all 64 bits."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x = x ^ (x >> np.uint64(27))
        x = x * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def _candidate_pairs(signatures: np.ndarray, nonempty: np.ndarray, params: CampaignParams) -> np.ndarray:
    """LSH: comments whose signatures agree on every row of a band share a bucket. Neighbours in a bucket and
    each member with the bucket's first one are proposed (chains come before stars, so the cheap union-find
    skip in _verify catches most of a large campaign's redundant pairs)."""
    alive = np.flatnonzero(nonempty)
    chains, stars = [], []
    for band in range(params.bands):
        cols = signatures[alive, band * params.rows : (band + 1) * params.rows]
        key = cols[:, 0].copy()
        with np.errstate(over="ignore"):
            for r in range(1, params.rows):
                key = _mix(key ^ cols[:, r])
        order = np.lexsort((alive, key))
        k_sorted, d_sorted = key[order], alive[order]
        same = k_sorted[1:] == k_sorted[:-1]
        chains.append(np.stack([d_sorted[:-1][same], d_sorted[1:][same]], axis=1))
        bucket_start = np.concatenate([[True], ~same])
        idx = np.arange(d_sorted.size)
        head = np.maximum.accumulate(np.where(bucket_start, idx, 0))
        star = (~bucket_start) & (head != idx - 1)
        stars.append(np.stack([d_sorted[head[star]], d_sorted[star]], axis=1))
    pairs = np.concatenate(chains + stars) if chains else np.zeros((0, 2), dtype=np.int64)
    pairs = np.sort(pairs, axis=1)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]].astype(np.int64)
    if pairs.size == 0:
        return pairs.reshape(0, 2)
    n = int(signatures.shape[0])
    code = pairs[:, 0] * n + pairs[:, 1]
    _, first = np.unique(code, return_index=True)  # drop repeats, keep the first proposal's place
    return pairs[np.sort(first)]


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


def _shingle_sets(docs: np.ndarray, norm: list[str], k: int) -> dict[int, np.ndarray]:
    """The sorted distinct shingle hashes of the given comments, computed in vectorised chunks. 32 bits are
    kept (half the memory at 100,000 comments); two different shingles of the same pair collide with a
    probability of about |A| |B| / 2**32, one in ten thousand for two form letters."""
    out: dict[int, np.ndarray] = {}
    docs = docs.tolist()
    for lo in range(0, len(docs), CHUNK):
        chunk = docs[lo : lo + CHUNK]
        offsets, h = _shingle_hashes([norm[d] for d in chunk], k)
        local = np.repeat(np.arange(len(chunk), dtype=np.uint64), np.diff(offsets))
        key = np.sort((local << np.uint64(32)) | (h >> np.uint64(32)))
        if key.size:
            key = key[np.concatenate([[True], key[1:] != key[:-1]])]
        bounds = np.searchsorted(key >> np.uint64(32), np.arange(len(chunk) + 1, dtype=np.uint64))
        values = (key & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        for i, d in enumerate(chunk):
            out[d] = values[bounds[i] : bounds[i + 1]]
    return out


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
