"""Polis's statistics per group and comment: the one- and two-proportion z-tests with pseudo-counts, the
representative comments of each group, group-informed consensus, divisive comments; and the adjusted Rand
index used to compare two groupings."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import scipy.sparse as sp

from consult.deliberation.opinion.result import (
    CommentStats,
    ConsensusComment,
    DivisiveComment,
    GroupCommentStats,
    RepresentativeComment,
)
from consult.deliberation.opinion.votes import OpinionParams

Z_90 = 1.2816  # one-sided 90 % critical value of the normal distribution, as Polis uses


def _prop_test(success: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Polis's one-proportion z with a +1 pseudo-count: 2 sqrt(n + 1) ((s + 1) / (n + 1) - 1/2)."""
    return 2.0 * np.sqrt(n + 1.0) * ((success + 1.0) / (n + 1.0) - 0.5)


def _two_prop_test(s1: np.ndarray, s2: np.ndarray, n1: np.ndarray, n2: np.ndarray) -> np.ndarray:
    """Polis's two-proportion z with +1 on every count; 0 when the pooled rate is 1."""
    s1, s2, n1, n2 = s1 + 1.0, s2 + 1.0, n1 + 1.0, n2 + 1.0
    pi1, pi2 = s1 / n1, s2 / n2
    pooled = (s1 + s2) / (n1 + n2)
    var = pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (pi1 - pi2) / np.sqrt(var)
    return np.where(var > 0, z, 0.0)


def _comment_stats(
    rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, n: int, m: int, in_conv: np.ndarray, member_group, k: int
) -> dict[str, np.ndarray]:
    group_of_row = np.full(n, -1, dtype=np.int64)
    group_of_row[in_conv] = member_group
    g = group_of_row[rows]
    clustered = g >= 0
    flat = g[clustered] * m + cols[clustered]
    v = vals[clustered]

    def per_group(select: np.ndarray) -> np.ndarray:
        return np.bincount(flat[select], minlength=k * m).reshape(k, m).astype(np.float64)

    na, nd, ns = per_group(v > 0), per_group(v < 0), per_group(np.ones_like(v, dtype=bool))
    rest_a, rest_d, rest_s = na.sum(0) - na, nd.sum(0) - nd, ns.sum(0) - ns
    pa, pd = (na + 1.0) / (ns + 2.0), (nd + 1.0) / (ns + 2.0)
    return {
        "na": na,
        "nd": nd,
        "ns": ns,
        "pa": pa,
        "pd": pd,
        "pat": _prop_test(na, ns),
        "pdt": _prop_test(nd, ns),
        "ra": pa / ((rest_a + 1.0) / (rest_s + 2.0)),
        "rd": pd / ((rest_d + 1.0) / (rest_s + 2.0)),
        "rat": _two_prop_test(na, rest_a, ns, rest_s),
        "rdt": _two_prop_test(nd, rest_d, ns, rest_s),
        "all_a": np.bincount(cols[vals > 0], minlength=m),
        "all_d": np.bincount(cols[vals < 0], minlength=m),
        "all_s": np.bincount(cols, minlength=m),
        "gac_a": np.prod(pa, axis=0),
        "gac_d": np.prod(pd, axis=0),
        "div": pa.max(0) - pa.min(0),
    }


def _comment_stats_list(cids: list[Hashable], s: dict[str, np.ndarray], k: int) -> list[CommentStats]:
    out = []
    for j, cid in enumerate(cids):
        groups = [
            GroupCommentStats(
                group=g,
                agree=int(s["na"][g, j]),
                disagree=int(s["nd"][g, j]),
                passed=int(s["ns"][g, j] - s["na"][g, j] - s["nd"][g, j]),
                seen=int(s["ns"][g, j]),
                p_agree=float(s["pa"][g, j]),
                p_disagree=float(s["pd"][g, j]),
                z_agree=float(s["pat"][g, j]),
                z_disagree=float(s["pdt"][g, j]),
                repness_agree=float(s["ra"][g, j]),
                repness_disagree=float(s["rd"][g, j]),
                z_repness_agree=float(s["rat"][g, j]),
                z_repness_disagree=float(s["rdt"][g, j]),
            )
            for g in range(k)
        ]
        out.append(
            CommentStats(
                comment_id=cid,
                agree=int(s["all_a"][j]),
                disagree=int(s["all_d"][j]),
                passed=int(s["all_s"][j] - s["all_a"][j] - s["all_d"][j]),
                seen=int(s["all_s"][j]),
                groups=groups,
                consensus_agree=float(s["gac_a"][j]),
                consensus_disagree=float(s["gac_d"][j]),
                divisiveness=float(s["div"][j]),
            )
        )
    return out


def _finalize(cid: Hashable, g: int, j: int, s: dict[str, np.ndarray], best_agree: bool = False):
    agree_side = best_agree or s["rat"][g, j] > s["rdt"][g, j]
    key = ("na", "pa", "pat", "ra", "rat") if agree_side else ("nd", "pd", "pdt", "rd", "rdt")
    return RepresentativeComment(
        comment_id=cid,
        direction="agree" if agree_side else "disagree",
        agree=int(s["na"][g, j]),
        disagree=int(s["nd"][g, j]),
        passed=int(s["ns"][g, j] - s["na"][g, j] - s["nd"][g, j]),
        seen=int(s["ns"][g, j]),
        p=float(s[key[1]][g, j]),
        z=float(s[key[2]][g, j]),
        repness=float(s[key[3]][g, j]),
        z_repness=float(s[key[4]][g, j]),
        best_agree=best_agree,
    )


def _metric(r: RepresentativeComment) -> float:
    return r.repness * r.z_repness * r.p * r.z


def _representative(g: int, cids: list[Hashable], s: dict[str, np.ndarray], params: OpinionParams):
    """Polis's selection: comments passing both z-tests at 90 % for agree or for disagree, best first (at most
    five, agrees before disagrees, the best agreed comment in front); otherwise the single best by test."""
    sufficient: list[RepresentativeComment] = []
    best_j: int | None = None
    best_agree_j: int | None = None
    na, nd, pa, pat, ra, rat = s["na"][g], s["nd"][g], s["pa"][g], s["pat"][g], s["ra"][g], s["rat"][g]
    rdt, pdt = s["rdt"][g], s["pdt"][g]
    for j, cid in enumerate(cids):
        if (rat[j] > Z_90 and pat[j] > Z_90) or (rdt[j] > Z_90 and pdt[j] > Z_90):
            sufficient.append(_finalize(cid, g, j, s))
        if not sufficient and (best_j is None or max(rat[j], rdt[j]) > max(rat[best_j], rdt[best_j])):
            best_j = j
        if na[j] == 0 and nd[j] == 0:
            continue
        if best_agree_j is None:
            better = pat[j] > Z_90 or (ra[j] > 1.0 and pa[j] > 0.5)
        elif ra[best_agree_j] > 1.0:
            b = best_agree_j
            better = ra[j] * rat[j] * pa[j] * pat[j] > ra[b] * rat[b] * pa[b] * pat[b]
        else:
            b = best_agree_j
            better = pa[j] * pat[j] > pa[b] * pat[b]
        if better:
            best_agree_j = j
    head = []
    if best_agree_j is not None:
        head = [_finalize(cids[best_agree_j], g, best_agree_j, s, best_agree=True)]
    elif best_j is not None:
        head = [_finalize(cids[best_j], g, best_j, s)]
    if not sufficient:
        return head
    best_cid = head[0].comment_id if head and head[0].best_agree else None
    rest = sorted((r for r in sufficient if r.comment_id != best_cid), key=lambda r: -_metric(r))
    picked = ([head[0]] if best_cid is not None else []) + rest
    picked = picked[: params.representative_max]
    return [r for r in picked if r.direction == "agree"] + [r for r in picked if r.direction == "disagree"]


def _consensus(cids: list[Hashable], s: dict[str, np.ndarray]) -> list[ConsensusComment]:
    """Group-informed consensus: comments that a majority of every group agrees (or disagrees) with, by the
    product over groups of the pseudo-count probability, highest first."""
    out = []
    for direction, p, score in (("agree", s["pa"], s["gac_a"]), ("disagree", s["pd"], s["gac_d"])):
        ok = np.flatnonzero((p > 0.5).all(axis=0))
        out.extend(ConsensusComment(cids[j], direction, float(score[j])) for j in ok)
    order = sorted(range(len(out)), key=lambda i: (-out[i].score, i))
    return [out[i] for i in order]


def _divisive(cids: list[Hashable], s: dict[str, np.ndarray]) -> list[DivisiveComment]:
    """Comments on which groups differ most: the largest gap in p_agree between two groups, listed when the
    two-proportion z between those two groups is significant at 90 %."""
    pa, na, ns = s["pa"], s["na"], s["ns"]
    hi, lo = pa.argmax(0), pa.argmin(0)
    idx = np.arange(pa.shape[1])
    z = _two_prop_test(na[hi, idx], na[lo, idx], ns[hi, idx], ns[lo, idx])
    ok = np.flatnonzero((z > Z_90) & (hi != lo))
    out = [DivisiveComment(cids[j], float(s["div"][j]), int(hi[j]), int(lo[j]), float(z[j])) for j in ok]
    order = sorted(range(len(out)), key=lambda i: (-out[i].score, i))
    return [out[i] for i in order]


def adjusted_rand_index(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Adjusted Rand index of two labellings of the same items (for benchmarks and tests)."""
    if len(a) != len(b):
        raise ValueError("labellings must have the same length")
    if len(a) < 2:
        return 1.0
    _, ai = np.unique(np.asarray(a, dtype=object).astype(str), return_inverse=True)
    _, bi = np.unique(np.asarray(b, dtype=object).astype(str), return_inverse=True)
    table = sp.coo_matrix((np.ones(len(a)), (ai, bi))).toarray()

    def comb2(x: np.ndarray) -> float:
        return float((x * (x - 1) / 2).sum())

    sum_ij = comb2(table)
    sum_a, sum_b = comb2(table.sum(1)), comb2(table.sum(0))
    total = len(a) * (len(a) - 1) / 2
    expected = sum_a * sum_b / total
    maximum = (sum_a + sum_b) / 2
    if maximum == expected:
        return 1.0
    return (sum_ij - expected) / (maximum - expected)
