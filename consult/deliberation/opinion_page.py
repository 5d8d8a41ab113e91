"""What the public opinion-groups page shows, made from a stored result (pure: no Flask, no database).

The stored detail (consult.deliberation.services._detail) holds the groups with their representative
comments and, per comment, the votes of every group. This module turns it into what the page lists: per group
what it agrees or disagrees on with that group's numbers against the other groups', the consensus and the
divisive statements with agree/disagree/pass per group, and the groups' sizes and centres (the map's data).

A comment that is no longer visible (hidden or withdrawn after the computation) is skipped everywhere: the
caller passes the ids of the comments it may show. Near-identical copies of one campaign are one statement: in
each list only the first copy is shown (the page says how many there are), so a form letter sent many times
does not fill a group's list with itself.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from consult.deliberation.opinion_map import colour_of, group_letter, shape_of

CONSENSUS_SHOWN = 8
DIVISIVE_SHOWN = 8


@dataclass(frozen=True)
class Tally:
    """Votes of some participants on one comment."""

    agree: int
    disagree: int
    passed: int
    seen: int

    @property
    def agree_percent(self) -> int:
        return round(100 * self.agree / self.seen) if self.seen else 0

    @property
    def disagree_percent(self) -> int:
        return round(100 * self.disagree / self.seen) if self.seen else 0

    @property
    def pass_percent(self) -> int:
        return round(100 * self.passed / self.seen) if self.seen else 0


ZERO = Tally(0, 0, 0, 0)


def _add(a: Tally, b: Tally) -> Tally:
    return Tally(a.agree + b.agree, a.disagree + b.disagree, a.passed + b.passed, a.seen + b.seen)


@dataclass(frozen=True)
class GroupTally:
    group: int
    letter: str
    tally: Tally


@dataclass(frozen=True)
class Statement:
    comment_id: int
    direction: str | None  # "agree" | "disagree" (representative and consensus); None for divisive
    score: float | None
    by_group: list[GroupTally]  # every group's votes on it, in group order
    own: Tally | None = None  # for a group's representative comment: that group's votes
    others: Tally | None = None  # … and every other group's together
    most_agreeing: str | None = None  # for a divisive comment: the letters of the two groups furthest apart
    least_agreeing: str | None = None


@dataclass(frozen=True)
class GroupView:
    group: int
    letter: str
    size: int
    colour: str
    shape: str
    center: tuple[float, float]
    statements: list[Statement] = field(default_factory=list)


@dataclass(frozen=True)
class OpinionView:
    k: int
    groups: list[GroupView]
    consensus: list[Statement]
    divisive: list[Statement]
    unclustered: int
    comment_ids: list[int]  # every comment shown, in order of first appearance (to read their texts)


def referenced_comment_ids(detail: Mapping[str, Any]) -> list[int]:
    """Every comment the page may show (before checking which are still visible)."""
    seen: dict[int, None] = {}
    for group in detail.get("groups") or []:
        for rep in group.get("representative") or []:
            seen.setdefault(int(rep["comment_id"]), None)
    for key, limit in (("consensus", CONSENSUS_SHOWN), ("divisive", DIVISIVE_SHOWN)):
        for item in (detail.get(key) or [])[: limit * 3]:  # room for some hidden after the computation
            seen.setdefault(int(item["comment_id"]), None)
    return list(seen)


def _tally(entry: Mapping[str, Any]) -> Tally:
    return Tally(int(entry["agree"]), int(entry["disagree"]), int(entry["passed"]), int(entry["seen"]))


def build_view(
    detail: Mapping[str, Any], visible: Collection[int], campaign_of: Mapping[int, int | None] | None = None
) -> OpinionView:
    """The page's content from a stored detail; comments not in `visible` are left out, and of the comments of
    one campaign (`campaign_of`: comment id -> campaign id) each list shows the first only."""
    campaign_of = campaign_of or {}

    def fresh(cid: int, seen: set) -> bool:
        """Visible, and not a further copy of a campaign this list already shows."""
        if cid not in visible:
            return False
        campaign = campaign_of.get(cid)
        if campaign is None:
            return True
        if campaign in seen:
            return False
        seen.add(campaign)
        return True

    groups_data = sorted(detail.get("groups") or [], key=lambda g: int(g["id"]))
    group_ids = [int(g["id"]) for g in groups_data]
    per_comment: dict[int, dict[int, Tally]] = {}
    for c in detail.get("comments") or []:
        per_comment[int(c["comment_id"])] = {int(e["group"]): _tally(e) for e in c.get("groups") or []}

    def by_group(cid: int) -> list[GroupTally]:
        tallies = per_comment.get(cid, {})
        return [GroupTally(g, group_letter(g), tallies.get(g, ZERO)) for g in group_ids]

    shown: dict[int, None] = {}
    groups = []
    for g in groups_data:
        gid = int(g["id"])
        statements = []
        seen_campaigns: set[int] = set()
        for rep in g.get("representative") or []:
            cid = int(rep["comment_id"])
            if not fresh(cid, seen_campaigns):
                continue
            others = ZERO
            for other, tally in per_comment.get(cid, {}).items():
                if other != gid:
                    others = _add(others, tally)
            own = per_comment.get(cid, {}).get(gid) or _tally(rep)
            statements.append(Statement(cid, rep["direction"], None, by_group(cid), own=own, others=others))
            shown.setdefault(cid, None)
        center = g.get("center") or (0.0, 0.0)
        groups.append(
            GroupView(
                gid,
                group_letter(gid),
                int(g["size"]),
                colour_of(gid),
                shape_of(gid),
                (float(center[0]), float(center[1])),
                statements,
            )
        )

    consensus = []
    consensus_campaigns: set[int] = set()
    for item in detail.get("consensus") or []:
        cid = int(item["comment_id"])
        if len(consensus) < CONSENSUS_SHOWN and fresh(cid, consensus_campaigns):
            consensus.append(Statement(cid, item["direction"], float(item["score"]), by_group(cid)))
            shown.setdefault(cid, None)
    divisive = []
    divisive_campaigns: set[int] = set()
    for item in detail.get("divisive") or []:
        cid = int(item["comment_id"])
        if len(divisive) < DIVISIVE_SHOWN and fresh(cid, divisive_campaigns):
            most, least = item.get("most_agreeing_group"), item.get("least_agreeing_group")
            divisive.append(
                Statement(
                    cid,
                    None,
                    float(item["score"]),
                    by_group(cid),
                    most_agreeing=group_letter(int(most)) if most is not None else None,
                    least_agreeing=group_letter(int(least)) if least is not None else None,
                )
            )
            shown.setdefault(cid, None)
    return OpinionView(
        k=int(detail.get("k") or 0),
        groups=groups,
        consensus=consensus,
        divisive=divisive,
        unclustered=int(detail.get("unclustered") or 0),
        comment_ids=list(shown),
    )


def map_points(participants: list[Mapping[str, Any]]) -> tuple[list[tuple[float, float, int]], int]:
    """The contract's participants as (x, y, group) and the number of group slots (largest group number + 1)."""
    points = [(float(p["x"]), float(p["y"]), int(p["group"])) for p in participants]
    slots = max((p[2] for p in points), default=-1) + 1
    return points, slots
