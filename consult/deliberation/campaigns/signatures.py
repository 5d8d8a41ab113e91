"""Candidate pairs cheaply: character shingles hashed in vectorised chunks, one-permutation MinHash signatures,
LSH bands that propose the pairs, and the exact shingle sets that verification compares."""

from __future__ import annotations

import numpy as np

from consult.deliberation.campaigns.model import CampaignParams

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
