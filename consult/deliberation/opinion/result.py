"""What compute_opinion returns: the groups, the participants' points, the per-comment statistics, and the JSON
of the contract (``to_contract``) and of everything (``to_dict``)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class ParticipantPoint:
    participant: Hashable
    group: int
    x: float
    y: float


@dataclass
class GroupCommentStats:
    """How one group voted on one comment, with Polis's pseudo-count probabilities and z-scores."""

    group: int
    agree: int
    disagree: int
    passed: int
    seen: int
    p_agree: float  # (agree + 1) / (seen + 2)
    p_disagree: float
    z_agree: float  # one-proportion test of p_agree against 1/2
    z_disagree: float
    repness_agree: float  # p_agree / the same pseudo-count rate in the other groups
    repness_disagree: float
    z_repness_agree: float  # two-proportion test of this group against the other groups
    z_repness_disagree: float


@dataclass
class CommentStats:
    comment_id: Hashable
    agree: int  # over every participant whose votes count (clustered or not)
    disagree: int
    passed: int
    seen: int
    groups: list[GroupCommentStats]
    consensus_agree: float  # group-informed consensus: product over groups of p_agree
    consensus_disagree: float
    divisiveness: float  # largest difference in p_agree between two groups


@dataclass
class RepresentativeComment:
    comment_id: Hashable
    direction: str  # "agree" | "disagree"
    agree: int
    disagree: int
    passed: int
    seen: int
    p: float  # p_agree or p_disagree, by direction
    z: float  # its one-proportion z
    repness: float
    z_repness: float
    best_agree: bool = False  # Polis puts the group's most agreed representative first


@dataclass
class Group:
    id: int
    size: int
    center: tuple[float, float]
    representative: list[RepresentativeComment]


@dataclass
class ConsensusComment:
    comment_id: Hashable
    direction: str
    score: float


@dataclass
class DivisiveComment:
    comment_id: Hashable
    score: float
    most_agreeing_group: int
    least_agreeing_group: int
    z: float


@dataclass
class OpinionResult:
    k: int
    participants: list[ParticipantPoint]
    groups: list[Group]
    comments: list[CommentStats]
    consensus: list[ConsensusComment]
    divisive: list[DivisiveComment]
    unclustered: list[Hashable]  # participants who voted but too little to be placed in a group
    silhouettes: dict[int, float]
    state: dict[str, Any]  # pass back as ``previous`` next time (JSON-serialisable)
    message: str | None = None  # set when there were too few votes

    @property
    def empty(self) -> bool:
        return self.k == 0

    def to_contract(self, round_id: int) -> dict[str, Any]:
        """The JSON of ``flask opinion compute --json`` (CONTRACT.md)."""
        return {
            "round_id": round_id,
            "k": self.k,
            "participants": [
                {"participant": p.participant, "group": p.group, "x": _r(p.x), "y": _r(p.y)} for p in self.participants
            ],
            "consensus": [
                {"comment_id": c.comment_id, "direction": c.direction, "score": _r(c.score)} for c in self.consensus
            ],
            "divisive": [{"comment_id": d.comment_id, "score": _r(d.score)} for d in self.divisive],
        }

    def to_dict(self) -> dict[str, Any]:
        """Everything, JSON-serialisable (tuples become lists, dict keys strings)."""
        data = asdict(self)
        data["silhouettes"] = {str(k): v for k, v in self.silhouettes.items()}
        return data


def _r(value: float) -> float:
    return round(float(value), 6)


def empty_result(message: str, previous_state: Mapping[str, Any] | None = None) -> OpinionResult:
    return OpinionResult(
        k=0,
        participants=[],
        groups=[],
        comments=[],
        consensus=[],
        divisive=[],
        unclustered=[],
        silhouettes={},
        state=dict(previous_state) if previous_state else {},
        message=message,
    )
