"""The method's parameters and the participant x comment vote matrix, built from index arrays or a vote log."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class OpinionParams:
    """The method's knobs; the defaults are Polis's."""

    min_votes: int = 7  # a participant is clustered with at least min(min_votes, comments) votes
    greedy_participants: int = 15  # fewer clustered than this: top up with the most active voters
    min_participants: int = 4  # fewer clustered than this: too few votes, an empty result
    base_k: int = 100
    base_iters: int = 100
    base_tol: float = 0.01  # Polis stops when no base centre moves by 0.01 or more
    max_k: int = 5
    group_iters: int = 100
    group_inits: int = 32  # seeded k-means++ starts per k besides Polis's data-ordered one and the previous one
    k_buffer: int = 4  # a new best k must win this many recomputations in a row before it is shown
    representative_max: int = 5
    dense_pca_max_comments: int = 3000  # above this the covariance is not formed; Lanczos on the sparse matrix


@dataclass(frozen=True)
class Votes:
    """A deduplicated vote matrix in coordinate form: row ``rows[i]`` voted ``values[i]`` on column ``cols[i]``."""

    participant_ids: tuple[Hashable, ...]
    comment_ids: tuple[Hashable, ...]
    rows: np.ndarray  # int32 indices into participant_ids
    cols: np.ndarray  # int32 indices into comment_ids
    values: np.ndarray  # int8: 1 agree, -1 disagree, 0 pass

    @property
    def count(self) -> int:
        return int(self.values.shape[0])


def build_votes(
    participant_ids: Sequence[Hashable],
    comment_ids: Sequence[Hashable],
    rows: Sequence[int] | np.ndarray,
    cols: Sequence[int] | np.ndarray,
    values: Sequence[int] | np.ndarray,
) -> Votes:
    """Validate index arrays; when a (participant, comment) pair repeats, the last occurrence wins.

    Pass the votes in the order they were cast (a vote log) so that "last" means the latest vote.
    """
    rows_a = np.asarray(rows, dtype=np.int64)
    cols_a = np.asarray(cols, dtype=np.int64)
    values_a = np.asarray(values, dtype=np.int64)
    if not (rows_a.shape == cols_a.shape == values_a.shape) or rows_a.ndim != 1:
        raise ValueError("rows, cols and values must be one-dimensional arrays of the same length")
    n, m = len(participant_ids), len(comment_ids)
    if len(set(participant_ids)) != n or len(set(comment_ids)) != m:
        raise ValueError("participant and comment ids must be unique")
    if rows_a.size:
        if rows_a.min() < 0 or rows_a.max() >= n:
            raise ValueError("a row index is outside participant_ids")
        if cols_a.min() < 0 or cols_a.max() >= m:
            raise ValueError("a column index is outside comment_ids")
        bad = ~np.isin(values_a, (-1, 0, 1))
        if bad.any():
            raise ValueError(f"vote values must be 1, -1 or 0; found {int(values_a[bad][0])}")
    key = rows_a * max(m, 1) + cols_a
    # np.unique keeps the first occurrence: look at the log backwards so the latest vote is the one kept.
    _, first_from_end = np.unique(key[::-1], return_index=True)
    keep = np.sort(key.size - 1 - first_from_end)
    return Votes(
        participant_ids=tuple(participant_ids),
        comment_ids=tuple(comment_ids),
        rows=rows_a[keep].astype(np.int32),
        cols=cols_a[keep].astype(np.int32),
        values=values_a[keep].astype(np.int8),
    )


def votes_from_records(records: Iterable[tuple[Hashable, Hashable, int]]) -> Votes:
    """Votes from (participant id, comment id, value) triples in the order cast; ids are numbered as first seen."""
    pindex: dict[Hashable, int] = {}
    cindex: dict[Hashable, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    values: list[int] = []
    for pid, cid, value in records:
        rows.append(pindex.setdefault(pid, len(pindex)))
        cols.append(cindex.setdefault(cid, len(cindex)))
        values.append(value)
    return build_votes(list(pindex), list(cindex), rows, cols, values)
