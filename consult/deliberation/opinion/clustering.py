"""Where participants sit and which group they join: the principal components of the mean-imputed votes,
base clusters and weighted k-means of them, the silhouette that chooses k, k-smoothing over recomputations and
group numbers kept stable from the previous result."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from scipy.sparse.linalg import eigsh
from scipy.spatial import cKDTree

from consult.deliberation.opinion.votes import OpinionParams


def _principal_components(
    centred: sp.csr_matrix, cids: list[Hashable], prev: dict | None, params: OpinionParams
) -> np.ndarray:
    n, m = centred.shape
    if m <= params.dense_pca_max_comments or m <= 3:
        cov = (centred.T @ centred).toarray()
        eigvals, eigvecs = np.linalg.eigh(cov)
        comps = eigvecs[:, ::-1][:, :2].T.copy()
    else:
        op = centred.T @ centred  # sparse m x m; Lanczos needs only products with it
        v0 = np.ones(m) / math.sqrt(m)
        eigvals, eigvecs = eigsh(op, k=2, which="LA", v0=v0)
        comps = eigvecs[:, np.argsort(-eigvals)].T.copy()
    # An eigenvector's sign is arbitrary: keep the previous orientation (so the map does not flip between
    # recomputations), otherwise the one power iteration from a vector of ones (Polis's start) would reach.
    prev_comps = None
    if prev and prev.get("pca"):
        old = dict(zip(prev["pca"]["comment_ids"], zip(*prev["pca"]["comps"], strict=True), strict=True))
        prev_comps = np.array([old.get(c, (0.0, 0.0)) for c in cids], dtype=np.float64).T
    for i in range(comps.shape[0]):
        ref = prev_comps[i] @ comps[i] if prev_comps is not None else 0.0
        if ref == 0.0:
            ref = comps[i].sum()
        if ref == 0.0:
            nz = np.flatnonzero(np.abs(comps[i]) > 1e-12)
            ref = comps[i][nz[0]] if nz.size else 1.0
        if ref < 0:
            comps[i] = -comps[i]
    return comps


def _pairwise(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * (a @ b.T)
    return np.sqrt(np.maximum(d, 0.0))


def _sq_dist(points: np.ndarray, centers: np.ndarray) -> np.ndarray:
    d = (points * points).sum(1)[:, None] + (centers * centers).sum(1)[None, :] - 2.0 * (points @ centers.T)
    return np.maximum(d, 0.0)


def _lloyd(
    points: np.ndarray, centers: np.ndarray, weights: np.ndarray | None, iters: int, tol: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted Lloyd iterations until no centre moves by more than ``tol`` (Polis: 0.01) or the assignment is
    stable; clusters that lose every member are dropped."""
    w = np.ones(points.shape[0]) if weights is None else weights
    labels = np.full(points.shape[0], -1)
    for _ in range(iters):
        new = _nearest(points, centers)
        if np.array_equal(new, labels):
            break
        labels = new
        kk = centers.shape[0]
        mass = np.bincount(labels, weights=w, minlength=kk)
        sums = np.stack([np.bincount(labels, weights=w * points[:, d], minlength=kk) for d in range(2)], axis=1)
        alive = mass > 0
        moved = centers[alive] - sums[alive] / mass[alive, None]
        centers = sums[alive] / mass[alive, None]
        if not alive.all():
            labels = np.full(points.shape[0], -1)  # renumbered: assign once more
        elif tol > 0 and float(np.sqrt((moved**2).sum(1)).max()) < tol:
            break
    labels = _nearest(points, centers)
    return labels, centers


def _nearest(points: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Index of the nearest centre; a k-d tree for many points (2.6 times faster at 33,000 x 100)."""
    if points.shape[0] > 2000:
        return cKDTree(centers).query(points)[1].astype(np.int64)
    return np.argmin(_sq_dist(points, centers), axis=1)


def _first_distinct(points: np.ndarray, k: int) -> np.ndarray:
    """Polis's initialisation: the first k distinct points in data order."""
    _, first = np.unique(points, axis=0, return_index=True)
    return points[np.sort(first)[:k]].copy()


def _base_clusters(points: np.ndarray, prev: dict | None, params: OpinionParams) -> tuple[np.ndarray, np.ndarray]:
    distinct = np.unique(points, axis=0).shape[0]
    k = min(params.base_k, distinct)
    init = None
    if prev and prev.get("base_centers"):
        init = _extend_centers(points, np.asarray(prev["base_centers"], dtype=np.float64), k)
    if init is None or init.shape[0] < 1:
        init = _first_distinct(points, k)
    labels, centers = _lloyd(points, init, None, params.base_iters, params.base_tol)
    return centers, labels


def _extend_centers(points: np.ndarray, centers: np.ndarray, k: int) -> np.ndarray:
    """Start from the previous centres (as Polis does) and add the most distant points until there are k."""
    centers = np.unique(centers, axis=0)[:k] if centers.size else centers.reshape(0, 2)
    if centers.shape[0] == 0:
        return centers
    nearest = _sq_dist(points, centers).min(axis=1)
    added = []
    while centers.shape[0] + len(added) < k:
        i = int(np.argmax(nearest))
        if nearest[i] <= 0:
            break
        added.append(points[i])
        nearest = np.minimum(nearest, ((points - points[i]) ** 2).sum(1))
    return np.vstack([centers, *added]) if added else centers


def _kmeans_pp(points: np.ndarray, weights: np.ndarray, k: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    p = weights / weights.sum()
    chosen = [int(rng.choice(points.shape[0], p=p))]
    d = ((points - points[chosen[0]]) ** 2).sum(1)
    for _ in range(1, k):
        score = d * weights
        if score.sum() <= 0:
            break
        i = int(rng.choice(points.shape[0], p=score / score.sum()))
        chosen.append(i)
        d = np.minimum(d, ((points - points[i]) ** 2).sum(1))
    return points[chosen].copy()


def _group_kmeans(
    base_centers: np.ndarray,
    sizes: np.ndarray,
    k: int,
    init_prev: list | None,
    params: OpinionParams,
    dist: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted k-means of the base clusters from several deterministic starts; the converged clustering with
    the best silhouette (the criterion that also chooses k) is kept.

    Polis runs one k-means from the previous clustering (or the first k distinct base clusters) and so keeps
    the local optimum its history led to, typically a clear, well separated group even when cutting the main
    body in two would lower the squared error. Of the local optima found from the previous clustering, Polis's
    start and ``params.group_inits`` seeded k-means++ starts, the one with the highest silhouette wins; ties go
    to the earlier start (so the previous one), so a stable clustering stays. An optimum with a group of a
    single participant is kept only when every start gives one.
    """
    if dist is None:
        dist = _pairwise(base_centers, base_centers)
    starts = []
    if init_prev:
        prev_c = np.asarray(init_prev, dtype=np.float64)
        if prev_c.ndim == 2 and prev_c.shape[1] == 2 and prev_c.shape[0] >= 1:
            starts.append(_extend_centers(base_centers, prev_c, k))
    starts.append(_first_distinct(base_centers, k))
    starts.extend(_kmeans_pp(base_centers, sizes, k, seed) for seed in range(params.group_inits))
    best = None
    for init in starts:
        labels, centers = _lloyd(base_centers, init, sizes, params.group_iters)
        if centers.shape[0] != k:
            continue
        # A group of one participant scores s = 0, so cutting off a lone outlier whose s was low raises the
        # mean; searching many starts finds such cuts. They win only when no start avoids them.
        whole = bool(np.bincount(labels, weights=sizes, minlength=k).min() >= 2)
        score = _silhouette(dist, labels, sizes)
        if best is None or (whole, score) > (best[0], best[1] + 1e-12):
            best = (whole, score, labels, centers)
    if best is None:  # every start lost a cluster (duplicate centres): keep the largest split we have
        labels, centers = _lloyd(base_centers, starts[0], sizes, params.group_iters)
        return labels, centers
    return best[2], best[3]


def _silhouette(dist: np.ndarray, labels: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Silhouette of a clustering of the base clusters, as the mean over participants.

    Each participant stands at its base cluster's centre (``weights``: members per base cluster): for base
    cluster b in group g, A is the mean distance from one of its members to the other members of g (those of b
    at distance 0), B the smallest mean distance to the members of another group, s(b) = (B - A) / max(A, B),
    0 for a participant alone in its group; the score is the mean of s over participants, so a base cluster
    counts with its members. Without ``weights`` every base cluster counts once (Polis's formula; with at most
    100 participants, as in every young Polis conversation, each base cluster is one participant and the two
    agree).
    """
    k = int(labels.max()) + 1
    if k < 2:
        return -1.0
    w = np.ones(labels.size) if weights is None else np.asarray(weights, dtype=np.float64)
    onehot = np.zeros((labels.size, k))
    onehot[np.arange(labels.size), labels] = 1.0
    counts = w @ onehot  # participants per group
    sums = dist @ (onehot * w[:, None])  # distance from a member of each base cluster to every member of each group
    own = counts[labels] - 1.0  # the others in its group
    a = np.where(own > 0, sums[np.arange(labels.size), labels] / np.maximum(own, 1e-300), 0.0)
    other = sums / np.maximum(counts, 1e-300)
    other[np.arange(labels.size), labels] = np.inf
    other[:, counts <= 0] = np.inf
    b = other.min(1)
    denom = np.maximum(a, b)
    s = np.where((own > 0) & (denom > 0), (b - a) / np.where(denom > 0, denom, 1), 0.0)
    return float((s * w).sum() / w.sum())


def _smooth_k(this_k: int, prev: Mapping | None, clusterings: Mapping, params: OpinionParams) -> dict[str, int]:
    last_k = prev.get("last_k") if prev else None
    last_count = int(prev.get("last_k_count", 0)) if prev else 0
    count = last_count + 1 if last_k == this_k else 1
    smoothed = prev.get("smoothed_k") if prev else None
    if count >= params.k_buffer or smoothed not in clusterings:
        smoothed = this_k
    return {"last_k": int(this_k), "last_k_count": int(count), "smoothed_k": int(smoothed)}


def _stable_group_ids(
    labels: np.ndarray, centers: np.ndarray, sizes: np.ndarray, prev: dict | None
) -> tuple[np.ndarray, np.ndarray]:
    """Number groups like the previous result's nearest groups; otherwise largest first."""
    k = centers.shape[0]
    mass = np.bincount(labels, weights=sizes, minlength=k)
    order = np.lexsort((centers[:, 1], centers[:, 0], -mass))  # largest first, then by position
    new_id = np.empty(k, dtype=np.int64)
    new_id[order] = np.arange(k)
    old = np.asarray(prev.get("groups") or [], dtype=np.float64).reshape(-1, 2) if prev else np.zeros((0, 2))
    if old.shape[0]:
        cost = _pairwise(centers, old)
        r, c = linear_sum_assignment(cost)
        taken = {int(cc) for cc in c if cc < k}
        assigned = {int(rr): int(cc) for rr, cc in zip(r, c, strict=True) if cc < k}
        free = iter(sorted(set(range(k)) - taken))
        for g in order:
            new_id[g] = assigned[g] if g in assigned else next(free)
    relabeled = new_id[labels]
    out_centers = np.empty_like(centers)
    out_centers[new_id] = centers
    return relabeled, out_centers
