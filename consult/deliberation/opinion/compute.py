"""compute_opinion: drop the excluded, choose who is clustered, project, cluster, choose k, and gather the
statistics of every group and comment into an OpinionResult (the steps of the package docstring, in order)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp

from consult.deliberation.opinion.clustering import (
    _base_clusters,
    _group_kmeans,
    _pairwise,
    _principal_components,
    _silhouette,
    _smooth_k,
    _stable_group_ids,
)
from consult.deliberation.opinion.result import Group, OpinionResult, ParticipantPoint, empty_result
from consult.deliberation.opinion.statistics import (
    _comment_stats,
    _comment_stats_list,
    _consensus,
    _divisive,
    _representative,
)
from consult.deliberation.opinion.votes import OpinionParams, Votes

STATE_VERSION = 1


def compute_opinion(
    votes: Votes,
    *,
    excluded_comment_ids: Iterable[Hashable] = (),
    excluded_participant_ids: Iterable[Hashable] = (),
    previous: OpinionResult | Mapping[str, Any] | None = None,
    params: OpinionParams | None = None,
) -> OpinionResult:
    """Opinion groups, representative comments, consensus and divisive comments for a snapshot of votes.

    ``excluded_comment_ids``: comments moderated out. ``excluded_participant_ids``: the agency's own staff.
    ``previous``: the ``state`` of the last result (or the result itself) for k-smoothing, stable base
    clusters and stable group numbers. Too few votes give an empty result (``k == 0``) with ``message``.
    """
    params = params or OpinionParams()
    prev = _previous_state(previous)
    excluded_c = set(excluded_comment_ids)
    excluded_p = set(excluded_participant_ids)

    keep_c = np.fromiter((cid not in excluded_c for cid in votes.comment_ids), bool, len(votes.comment_ids))
    keep_p = np.fromiter((pid not in excluded_p for pid in votes.participant_ids), bool, len(votes.participant_ids))
    mask = keep_c[votes.cols] & keep_p[votes.rows]
    # Polis keeps a moderated-out comment as a column of zeros (every participant "passed" on it): it carries
    # no information for the components, but it counts in the sparsity scaling of step 4 below.
    zeroed = np.unique(votes.cols[~keep_c[votes.cols] & keep_p[votes.rows]]).size
    rows_all, cols_all, vals = votes.rows[mask], votes.cols[mask], votes.values[mask].astype(np.float64)
    # Only participants and comments that still have a vote take part; both keep the caller's order.
    used_p = np.unique(rows_all)
    used_c = np.unique(cols_all)
    n, m = used_p.size, used_c.size
    if m < 2 or n < 2:
        return empty_result(f"too few votes: {n} participant(s) voted on {m} comment(s)", prev)
    rows = np.searchsorted(used_p, rows_all).astype(np.int32)
    cols = np.searchsorted(used_c, cols_all).astype(np.int32)
    pids = [votes.participant_ids[i] for i in used_p]
    cids = [votes.comment_ids[j] for j in used_c]

    n_votes = np.bincount(rows, minlength=n)
    in_conv = _in_conversation(n_votes, pids, m, prev, params)
    if in_conv.size < params.min_participants:
        return empty_result(
            f"too few votes: {in_conv.size} participant(s) have at least {min(params.min_votes, m)} votes "
            f"(at least {params.min_participants} are needed)",
            prev,
        )

    # PCA of the mean-imputed matrix: after centring, an imputed entry is exactly zero, so the centred matrix
    # is as sparse as the votes and neither the dense matrix nor (for many comments) its covariance is formed.
    col_sum = np.bincount(cols, weights=vals, minlength=m)
    col_n = np.bincount(cols, minlength=m)
    center = col_sum / np.maximum(col_n, 1)
    centred = sp.csr_matrix((vals - center[cols], (rows, cols)), shape=(n, m))
    comps = _principal_components(centred, cids, prev, params)
    scale = np.sqrt((m + zeroed) / np.maximum(n_votes + zeroed, 1))
    proj = np.asarray(centred @ comps.T) * scale[:, None]

    points = proj[in_conv]
    if np.unique(points, axis=0).shape[0] < 2:
        return empty_result("too few votes: every clustered participant voted the same way", prev)

    base_centers, base_labels = _base_clusters(points, prev, params)
    base_sizes = np.bincount(base_labels, minlength=base_centers.shape[0]).astype(np.float64)

    n_base = base_centers.shape[0]
    max_k = min(params.max_k, 2 + n_base // 12, n_base)
    clusterings: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    silhouettes: dict[int, float] = {}
    base_dist = _pairwise(base_centers, base_centers)
    prev_group_centers = prev.get("group_centers", {}) if prev else {}
    for k in range(2, max_k + 1):
        init_prev = prev_group_centers.get(str(k))
        labels, centers = _group_kmeans(base_centers, base_sizes, k, init_prev, params, base_dist)
        clusterings[k] = (labels, centers)
        silhouettes[k] = _silhouette(base_dist, labels, base_sizes)
    if not clusterings:  # two base clusters at most: each is a group
        clusterings[n_base] = (np.arange(n_base), base_centers.copy())
        silhouettes[n_base] = 0.0

    this_k = max(silhouettes, key=lambda k: (silhouettes[k], -k))
    smoother = _smooth_k(this_k, prev.get("k_smoother") if prev else None, clusterings, params)
    k = smoother["smoothed_k"]
    group_of_base, group_centers = clusterings[k]
    group_of_base, group_centers = _stable_group_ids(group_of_base, group_centers, base_sizes, prev)

    member_group = group_of_base[base_labels]
    group_sizes = np.bincount(member_group, minlength=k)

    stats = _comment_stats(rows, cols, vals, n, m, in_conv, member_group, k)
    comments = _comment_stats_list(cids, stats, k)
    groups = [
        Group(
            id=g,
            size=int(group_sizes[g]),
            center=(float(group_centers[g, 0]), float(group_centers[g, 1])),
            representative=_representative(g, cids, stats, params),
        )
        for g in range(k)
    ]
    participants = [
        ParticipantPoint(participant=pids[i], group=int(member_group[t]), x=float(proj[i, 0]), y=float(proj[i, 1]))
        for t, i in enumerate(in_conv)
    ]
    in_conv_set = set(in_conv.tolist())
    unclustered = [pids[i] for i in range(n) if i not in in_conv_set]

    state = {
        "version": STATE_VERSION,
        "in_conv": [pids[i] for i in in_conv],
        "pca": {"comment_ids": cids, "comps": comps.tolist()},
        "base_centers": base_centers.tolist(),
        "group_centers": {str(kk): c.tolist() for kk, (_, c) in clusterings.items()},
        "groups": group_centers.tolist(),
        "k_smoother": smoother,
    }
    return OpinionResult(
        k=k,
        participants=participants,
        groups=groups,
        comments=comments,
        consensus=_consensus(cids, stats),
        divisive=_divisive(cids, stats),
        unclustered=unclustered,
        silhouettes=silhouettes,
        state=state,
    )


def _previous_state(previous: OpinionResult | Mapping[str, Any] | None) -> dict[str, Any] | None:
    if previous is None:
        return None
    state = previous.state if isinstance(previous, OpinionResult) else previous
    if "state" in state and "version" not in state:  # a to_dict() of a whole result
        state = state["state"]
    if not state or state.get("version") != STATE_VERSION:
        return None
    return dict(state)


def _in_conversation(
    n_votes: np.ndarray, pids: list[Hashable], m: int, prev: dict | None, params: OpinionParams
) -> np.ndarray:
    chosen = n_votes >= min(params.min_votes, m)
    if prev and prev.get("in_conv"):
        was_in = set(prev["in_conv"])
        chosen |= np.fromiter((p in was_in for p in pids), bool, len(pids))
    if chosen.sum() < params.greedy_participants:
        # Polis tops up a young conversation with its most active voters (ties: the earlier participant).
        order = np.lexsort((np.arange(n_votes.size), -n_votes))
        for i in order:
            if chosen.sum() >= params.greedy_participants:
                break
            chosen[i] = True
    return np.flatnonzero(chosen)
