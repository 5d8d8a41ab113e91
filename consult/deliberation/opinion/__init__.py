"""Opinion groups over the participant x comment vote matrix, following the published Polis method.

A plain module (numpy and scipy, no Flask, no database): the caller reads a snapshot of the votes, hands
them over as arrays and stores what comes back. docs/OPINION.md gives the formulas and where this differs
from Polis. In short:

1. comments moderated out (``excluded_comment_ids``) and the agency's own staff (``excluded_participant_ids``)
   are dropped before anything is computed (those that had votes still count in the scaling of step 3, as
   Polis's columns of zeros do);
2. participants with at least min(7, comments) votes are clustered (Polis's "in conversation"; once in, a
   participant stays in when the previous state is passed; fewer than 15 are topped up with the most active);
3. PCA to two components of the vote matrix with missing votes imputed by the column mean; each
   participant's projection uses only the votes they cast, scaled by sqrt(comments / votes cast);
4. about 100 base clusters by k-means over the projections, then groups by weighted k-means over the base
   clusters for k = 2..5 (of several starts, the optimum with the best silhouette), k chosen by the
   silhouette over participants, smoothed over recomputations;
5. per group and comment the Polis statistics: representative comments by the two z-tests at 90 % with
   the (agrees + 1) / (seen + 2) pseudo-counts, group-informed consensus (the product over groups) and
   divisive comments.

The same votes in the same order and the same previous state give the same result, bit for bit: every
initialisation is either data-ordered or drawn from a fixed seed.

The package, one concern per module: ``votes`` (the method's parameters and the vote matrix), ``result`` (what
comes back and its JSON), ``clustering`` (the principal components, k-means, silhouette, k-smoothing, stable
group numbers), ``statistics`` (the z-tests, per-comment statistics, representative, consensus and divisive comments,
the adjusted Rand index) and ``compute`` (``compute_opinion``, which runs the steps above in order).
"""

from __future__ import annotations

from consult.deliberation.opinion.compute import STATE_VERSION as STATE_VERSION
from consult.deliberation.opinion.compute import compute_opinion
from consult.deliberation.opinion.result import (
    CommentStats,
    ConsensusComment,
    DivisiveComment,
    Group,
    GroupCommentStats,
    OpinionResult,
    ParticipantPoint,
    RepresentativeComment,
    empty_result,
)
from consult.deliberation.opinion.statistics import Z_90 as Z_90
from consult.deliberation.opinion.statistics import adjusted_rand_index
from consult.deliberation.opinion.votes import OpinionParams, Votes, build_votes, votes_from_records

__all__ = [
    "CommentStats",
    "ConsensusComment",
    "DivisiveComment",
    "Group",
    "GroupCommentStats",
    "OpinionParams",
    "OpinionResult",
    "ParticipantPoint",
    "RepresentativeComment",
    "Votes",
    "adjusted_rand_index",
    "build_votes",
    "compute_opinion",
    "empty_result",
    "votes_from_records",
]
